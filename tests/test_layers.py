"""The house rule: data flows one way, nothing lower imports anything higher (docs/architecture.md)."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "qa_audit"

# package -> the project packages it may import (besides itself)
ALLOWED = {
    "core": set(),
    "audio": {"core"},
    "asr": {"core", "audio"},
    "text": {"core"},
    "detect": {"core", "text"},
    "store": {"core"},
    "score": {"core", "detect", "store"},
    "review": {"core", "store"},
    "report": {"core", "score", "store", "detect", "text", "review"},
    "batch": {"core", "audio", "asr", "text", "detect", "store", "score", "review", "report"},
    "web": {"core", "audio", "asr", "text", "detect", "store", "score", "review", "report", "batch"},
    "cli": {"core", "audio", "asr", "text", "detect", "store", "score", "review", "report", "batch", "web"},
}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name


def test_every_stage_package_is_in_the_table():
    pkgs = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert pkgs - {"_data"} <= set(ALLOWED), pkgs - set(ALLOWED)


def test_no_module_imports_a_higher_stage():
    bad = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if len(rel.parts) < 2:
            continue  # qa_audit/__init__.py, __main__.py
        own = rel.parts[0]
        for line, mod in _imports(path):
            parts = mod.split(".")
            if parts[0] != "qa_audit" or len(parts) < 2 or parts[1] == own:
                continue
            if parts[1] not in ALLOWED[own]:
                bad.append(f"qa_audit/{rel}:{line} imports {mod}")
    assert not bad, "\n".join(bad)


def test_no_relative_imports_across_packages():
    """Imports are absolute (``from qa_audit.core.model import Call``), so a move is one grep."""
    bad = []
    for path in PKG.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                bad.append(f"{path.relative_to(PKG)}:{node.lineno}")
    assert not bad, bad
