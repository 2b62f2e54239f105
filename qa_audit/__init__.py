"""qa-audit: compliance audit of recorded Chinese debt-collection calls."""

__version__ = "0.1.0"
