"""Stage 6, reports: HTML, Excel and CSV outputs, training excerpts and personal-data redaction."""
