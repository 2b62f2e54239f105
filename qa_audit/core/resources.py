"""Where the data folders are read from: lexicons/, rubrics/, reports/ (and samples/ in a checkout).

Each of :func:`lexicons_dir`, :func:`rubrics_dir` and :func:`reports_dir` resolves, first found:

1. the configuration in effect: the ``lexicons:`` / ``rubrics:`` / ``reports:`` keys of the
   ``--config`` file (the command runs within :func:`using_config`), else of ``qa-audit.yaml`` /
   ``.qa-audit.yaml`` / ``[tool.qa-audit]`` in ``pyproject.toml`` in the current folder (the same
   search as :meth:`qa_audit.core.config.Config.load`); relative paths are relative to the file;
2. ``$QA_AUDIT_HOME/<name>``, when ``QA_AUDIT_HOME`` is set (a folder that lacks ``<name>``
   falls through to 3, so a home holding only edited lexicons still finds the shipped templates;
   a ``QA_AUDIT_HOME`` that does not exist at all is used as given, and the error names it);
3. the packaged defaults: ``qa_audit/_data/<name>`` inside an installed wheel (read through
   :mod:`importlib.resources`; the build maps the repository's top-level ``lexicons/``,
   ``rubrics/``, ``reports/`` there, see ``pyproject.toml``), or the top-level folders of the
   checkout for an editable install / a run from the clone.

``qa-audit init DIR`` writes a ``qa-audit.yaml`` whose ``lexicons:`` and ``rubrics:`` point at
copies in DIR, to be edited.

:func:`samples_dir` (the bundled sample calls) exists only in a checkout of the repository (or
under ``QA_AUDIT_HOME``): the wheel does not carry ``samples/``.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from importlib import resources as _ilr
from pathlib import Path
from typing import Any, Iterator, Optional

_PKG = Path(__file__).resolve().parent.parent  # qa_audit/
DATA_FOLDERS = ("lexicons", "rubrics", "reports")

# folders named by the configuration a command is running with (None: search the current folder)
_ACTIVE: Optional[dict[str, Path]] = None


@contextmanager
def using_config(config: Any) -> Iterator[None]:
    """Within the block, look-ups return the ``lexicons`` / ``rubrics`` / ``reports`` folders of
    ``config`` (a :class:`~qa_audit.core.config.Config`; a key it leaves unset falls through to
    ``QA_AUDIT_HOME`` / the packaged default, not to the current folder's ``qa-audit.yaml``).
    Commands that take ``--config`` run their body in this block."""
    global _ACTIVE
    saved = _ACTIVE
    _ACTIVE = {name: Path(getattr(config, name)) for name in DATA_FOLDERS
               if getattr(config, name, None)}
    try:
        yield
    finally:
        _ACTIVE = saved


def _configured(name: str) -> Optional[Path]:
    if _ACTIVE is not None:
        return _ACTIVE.get(name)
    from qa_audit.core.config import Config

    value = getattr(Config.load(), name, None)
    return Path(value) if value else None


def packaged_dir(name: str) -> Path:
    """The shipped copy of ``name`` (``lexicons``, ``rubrics`` or ``reports``): inside the installed
    package, else the checkout's top-level folder."""
    if name not in DATA_FOLDERS:
        raise ValueError(f"unknown data folder {name!r}; expected one of {', '.join(DATA_FOLDERS)}")
    inside = _ilr.files("qa_audit").joinpath("_data", name)
    if inside.is_dir():
        return Path(str(inside))
    return _PKG.parent / name


def data_dir(name: str) -> Path:
    """``name`` resolved as the module docstring says: config → ``QA_AUDIT_HOME`` → packaged."""
    configured = _configured(name)
    if configured is not None:
        return configured
    return default_dir(name)


def default_dir(name: str) -> Path:
    """``name`` when no configuration names it: ``QA_AUDIT_HOME/<name>`` → packaged."""
    home = os.environ.get("QA_AUDIT_HOME")
    if home:
        cand = Path(home) / name
        if cand.is_dir() or not Path(home).is_dir():
            return cand
    return packaged_dir(name)


def lexicons_dir() -> Path:
    return data_dir("lexicons")


def rubrics_dir() -> Path:
    return data_dir("rubrics")


def reports_dir() -> Path:
    return data_dir("reports")


def project_root() -> Path:
    """``QA_AUDIT_HOME`` when set, else the checkout the package sits in (meaningful only for a
    clone; an installed wheel has no project root)."""
    env = os.environ.get("QA_AUDIT_HOME")
    if env:
        return Path(env)
    return _PKG.parent


def samples_dir() -> Path:
    """``samples/`` of the checkout (or of ``QA_AUDIT_HOME``).  Only a clone of the repository
    has it: the wheel does not ship the sample calls."""
    home = os.environ.get("QA_AUDIT_HOME")
    if home and (Path(home) / "samples").is_dir():
        return Path(home) / "samples"
    return _PKG.parent / "samples"


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
