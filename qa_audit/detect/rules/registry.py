"""The rule registry: ``@register`` a Rule class; ``all_rules()``, ``get(code)``, ``select(...)``.

Built-in rule modules in ``qa_audit/detect/rules/`` (one per family: threat, abuse, impersonation,
waiver, disclosure, selfid, dial, audio_metrics; every module except base/registry and names starting
with ``_`` such as ``_common``) are imported on first use, so a new module only needs ``@register`` on
its classes.
"""
from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from typing import Iterable, Optional

from qa_audit.detect.rules.base import Rule, RuleError

_RULES: dict[str, type[Rule]] = {}
_loaded = False


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: validate the rule and add it under its code (codes are unique)."""
    cls.validate()
    old = _RULES.get(cls.code)
    if old is not None and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
        raise RuleError(f"rule code {cls.code} registered twice ({old.__module__}.{old.__qualname__} "
                        f"and {cls.__module__}.{cls.__qualname__})")
    _RULES[cls.code] = cls
    return cls


def _load_builtin() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import __path__ as pkg_path  # type: ignore[attr-defined]

    for mod in sorted(m.name for m in pkgutil.iter_modules(pkg_path)):
        if mod in ("base", "registry") or mod.startswith("_"):
            continue
        importlib.import_module(f"{__package__}.{mod}")


def all_rules() -> list[type[Rule]]:
    """Every registered rule class, sorted by code."""
    _load_builtin()
    return [_RULES[c] for c in sorted(_RULES)]


def get(code: str) -> type[Rule]:
    """The rule class with this code (case-insensitive); KeyError with the known codes if none."""
    _load_builtin()
    c = code.strip().upper()
    if c not in _RULES:
        raise KeyError(f"no rule {code!r}; known: {', '.join(sorted(_RULES))}")
    return _RULES[c]


def _matches(rule: type[Rule], pattern: str) -> bool:
    p = pattern.strip()
    return (fnmatch.fnmatchcase(rule.code.upper(), p.upper())
            or fnmatch.fnmatchcase(rule.name, p)
            or rule.category == p)


def select(select: Optional[Iterable[str]] = None, ignore: Optional[Iterable[str]] = None,
           scopes: Optional[Iterable[str]] = None) -> list[type[Rule]]:
    """Rules matching any ``select`` glob (all when empty) and no ``ignore`` glob.

    A glob matches the code (``THREAT-*``), the name, or the category (``abuse``).
    ``scopes`` keeps only rules of those scopes (e.g. ``["segment", "call"]``).
    """
    sel = [s for s in (select or []) if s]
    ign = [s for s in (ignore or []) if s]
    out = []
    for r in all_rules():
        if sel and not any(_matches(r, p) for p in sel):
            continue
        if any(_matches(r, p) for p in ign):
            continue
        if scopes is not None and r.scope not in set(scopes):
            continue
        out.append(r)
    return out
