"""Core: the data model every stage shares (``model``), atomic writes, YAML with line numbers,
configuration, resource folders and the dial-log / metadata input formats.  Imports nothing above it."""
