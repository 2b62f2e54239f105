"""Where the project's data folders live (lexicons/, rubrics/, reports/, samples/).

The package is installed editable from its checkout (see README), so the folders sit beside
``qa_audit/``.  ``QA_AUDIT_HOME`` points elsewhere when a deployment keeps its own copies.
"""
from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent.parent  # qa_audit/


def project_root() -> Path:
    env = os.environ.get("QA_AUDIT_HOME")
    if env:
        return Path(env)
    return _PKG.parent


def lexicons_dir() -> Path:
    return project_root() / "lexicons"


def rubrics_dir() -> Path:
    return project_root() / "rubrics"


def reports_dir() -> Path:
    return project_root() / "reports"


def samples_dir() -> Path:
    return project_root() / "samples"


def user_cache_dir() -> Path:
    """Per-user cache (assembled model weights, transcript cache)."""
    env = os.environ.get("QA_AUDIT_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qa-audit"


def user_data_dir() -> Path:
    """Per-user data directory (default SQLite history database)."""
    env = os.environ.get("QA_AUDIT_DATA")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "qa-audit"
