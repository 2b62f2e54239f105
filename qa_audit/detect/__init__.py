"""Stage 4, detection: lexicons, dialogue state, the detector and the coded rules (``rules/``)."""
