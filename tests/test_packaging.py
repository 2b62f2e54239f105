"""Packaging without building: the pyproject package list, where data folders resolve from
(config → QA_AUDIT_HOME → packaged), ``qa-audit init``, ``--version``, ``python -m qa_audit``.
The built wheel itself is tested in test_wheel.py (slow)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa_audit.cli import app, version
from qa_audit.core import resources
from qa_audit.core.config import Config, ConfigError
from qa_audit.core.resources import (DATA_FOLDERS, data_dir, lexicons_dir, packaged_dir, reports_dir,
                                     rubrics_dir, samples_dir, using_config)

REPO = Path(__file__).resolve().parent.parent
DEV = REPO / "samples" / "dev"
# an agent phrase of D0005 (a compliant call: no finding) that an edited threat lexicon flags
ADDED_PHRASE = "贷后专员小何"


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_subpackage_is_in_the_wheel_list():
    from setuptools import find_packages

    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = set(find_packages(where=str(REPO), include=["qa_audit", "qa_audit.*"]))
    assert found - listed == set(), "add the new subpackage(s) to [tool.setuptools] packages"
    assert {p for p in listed if not p.startswith("qa_audit._data.")} == found


def test_data_folders_are_mapped_into_the_package():
    st = _pyproject()["tool"]["setuptools"]
    for name in DATA_FOLDERS:
        pkg = f"qa_audit._data.{name}"
        assert st["package-dir"][pkg] == name
        assert st["package-data"][pkg]
        assert pkg in st["packages"]
    manifest = (REPO / "MANIFEST.in").read_text(encoding="utf-8")
    for name in DATA_FOLDERS:
        assert f"graft {name}" in manifest


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No QA_AUDIT_HOME, and a current folder without any configuration."""
    monkeypatch.delenv("QA_AUDIT_HOME", raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_packaged_defaults_in_a_checkout(clean_env):
    for name in DATA_FOLDERS:
        assert packaged_dir(name) == REPO / name
        assert data_dir(name) == REPO / name
    assert (lexicons_dir() / "threat.yaml").is_file()
    assert (rubrics_dir() / "penalties.yaml").is_file()
    assert (reports_dir() / "summary.html.j2").is_file()
    assert samples_dir() == REPO / "samples"
    with pytest.raises(ValueError, match="unknown data folder"):
        packaged_dir("samples")


def test_resolution_order(clean_env, monkeypatch, tmp_path):
    home = tmp_path / "home"
    (home / "lexicons").mkdir(parents=True)
    monkeypatch.setenv("QA_AUDIT_HOME", str(home))
    # QA_AUDIT_HOME/<name> when it has the folder, else the packaged one
    assert lexicons_dir() == home / "lexicons"
    assert rubrics_dir() == REPO / "rubrics"
    # a QA_AUDIT_HOME that does not exist is used as given (the error then names it)
    monkeypatch.setenv("QA_AUDIT_HOME", str(tmp_path / "nowhere"))
    assert rubrics_dir() == tmp_path / "nowhere" / "rubrics"
    monkeypatch.setenv("QA_AUDIT_HOME", str(home))
    # qa-audit.yaml in the current folder beats QA_AUDIT_HOME; paths relative to the file
    (clean_env / "rub").mkdir()
    (clean_env / "qa-audit.yaml").write_text("rubrics: ./rub\n", encoding="utf-8")
    assert rubrics_dir() == clean_env / "rub"
    assert lexicons_dir() == home / "lexicons"
    # an explicit --config replaces the current folder's file entirely
    other = tmp_path / "other"
    (other / "tpl").mkdir(parents=True)
    (other / "qa-audit.yaml").write_text("reports: tpl\n", encoding="utf-8")
    with using_config(Config.load(other / "qa-audit.yaml")):
        assert reports_dir() == other / "tpl"
        assert rubrics_dir() == REPO / "rubrics"  # not ./rub of the current folder
        assert lexicons_dir() == home / "lexicons"
    assert resources._ACTIVE is None
    assert rubrics_dir() == clean_env / "rub"


def test_config_data_folder_keys(tmp_path):
    (tmp_path / "r").mkdir()
    cfg = Config.from_dict({"rubrics": "r", "reports": str(tmp_path)}, str(tmp_path / "qa-audit.yaml"))
    assert cfg.rubrics == str(tmp_path / "r") and cfg.reports == str(tmp_path)
    with pytest.raises(ConfigError, match="'lexicons' folder .*missing not found"):
        Config.from_dict({"lexicons": "missing"}, str(tmp_path / "qa-audit.yaml"))
    with pytest.raises(ConfigError, match="'reports' must be a folder path"):
        Config.from_dict({"reports": 3}, str(tmp_path / "qa-audit.yaml"))


def _add_threat_phrase(lexicons: Path, phrase: str) -> None:
    p = lexicons / "threat.yaml"
    text = p.read_text(encoding="utf-8")
    entry = (f"entries:\n  - id: added-by-test\n    rule: THREAT-001\n    score: 0.9\n"
             f"    terms: [{phrase}]\n")
    assert text.count("\nentries:\n") == 1
    p.write_text(text.replace("\nentries:\n", "\n" + entry, 1), encoding="utf-8")


def _rules(out: Path) -> list[str]:
    return [json.loads(line)["rule"] for line in (out / "findings.jsonl").read_text().splitlines()]


def test_init_writes_an_editable_config(clean_env, tmp_path):
    cfg_dir = tmp_path / "cfg"
    r = CliRunner().invoke(app, ["init", str(cfg_dir)])
    assert r.exit_code == 0, r.output
    text = (cfg_dir / "qa-audit.yaml").read_text(encoding="utf-8")
    for key in ("lexicons: ./lexicons", "rubrics: ./rubrics", "select:", "ignore:", "thresholds:",
                "institution.yaml", "threat: 0.6"):
        assert key in text
    for name in ("lexicons", "rubrics"):
        shipped = sorted(p.name for p in (REPO / name).glob("*.yaml"))
        assert sorted(p.name for p in (cfg_dir / name).glob("*.yaml")) == shipped
        assert (cfg_dir / name / shipped[0]).read_bytes() == (REPO / name / shipped[0]).read_bytes()
    cfg = Config.load(cfg_dir / "qa-audit.yaml")
    assert cfg.lexicons == str(cfg_dir / "lexicons") and cfg.rubrics == str(cfg_dir / "rubrics")
    assert cfg.reports is None

    # existing files are not overwritten without --force
    (cfg_dir / "lexicons" / "threat.yaml").write_text("edited", encoding="utf-8")
    r = CliRunner().invoke(app, ["init", str(cfg_dir)])
    assert r.exit_code == 1 and "not overwritten (use --force)" in r.output
    assert (cfg_dir / "lexicons" / "threat.yaml").read_text(encoding="utf-8") == "edited"
    r = CliRunner().invoke(app, ["init", str(cfg_dir), "--force"])
    assert r.exit_code == 0, r.output
    assert (cfg_dir / "lexicons" / "threat.yaml").read_bytes() == (REPO / "lexicons" / "threat.yaml").read_bytes()


def test_scan_with_an_edited_copy(clean_env, tmp_path):
    cfg_dir = tmp_path / "cfg"
    assert CliRunner().invoke(app, ["init", str(cfg_dir)]).exit_code == 0
    call = DEV / "D0005.json"
    assert ADDED_PHRASE in call.read_text(encoding="utf-8")
    r = CliRunner().invoke(app, ["scan", str(call), "--out", str(tmp_path / "a"),
                                 "--config", str(cfg_dir / "qa-audit.yaml")])
    assert r.exit_code == 0, r.output
    assert "THREAT-001" not in _rules(tmp_path / "a")
    _add_threat_phrase(cfg_dir / "lexicons", ADDED_PHRASE)
    r = CliRunner().invoke(app, ["scan", str(call), "--out", str(tmp_path / "b"),
                                 "--config", str(cfg_dir / "qa-audit.yaml")])
    assert r.exit_code == 0, r.output
    assert "THREAT-001" in _rules(tmp_path / "b")
    # a broken copy: the usual file:line error
    p = cfg_dir / "lexicons" / "threat.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("score: 0.9", "score: lots", 1), encoding="utf-8")
    r = CliRunner().invoke(app, ["scan", str(call), "--out", str(tmp_path / "c"),
                                 "--config", str(cfg_dir / "qa-audit.yaml")])
    assert r.exit_code == 2
    assert f"{p}:" in r.output and "threat.yaml:" in r.output


def test_version():
    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.strip() == f"qa-audit {version()}"
    import qa_audit

    assert version() == qa_audit.__version__ == _pyproject()["project"]["version"]


def test_python_dash_m():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "qa_audit", "--version"], capture_output=True, text=True,
                         env=env, cwd=REPO, timeout=120)
    assert out.returncode == 0 and out.stdout.startswith("qa-audit "), out.stderr
    out = subprocess.run([sys.executable, "-m", "qa_audit", "--help"], capture_output=True, text=True,
                         env=env, cwd=REPO, timeout=120)
    assert out.returncode == 0 and "init" in out.stdout and "Usage: qa-audit" in out.stdout


def test_run_scores_with_the_configs_rubrics(clean_env, tmp_path):
    """`qa-audit run --config` scores with the config's rubrics folder (scoring runs in the
    driver process, under resources.using_config)."""
    cfg_dir = tmp_path / "cfg"
    assert CliRunner().invoke(app, ["init", str(cfg_dir)]).exit_code == 0
    p = cfg_dir / "rubrics" / "call.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("pass_mark: 60", "pass_mark: lots"), encoding="utf-8")
    inp = tmp_path / "week"
    inp.mkdir()
    (inp / "D0005.json").write_bytes((DEV / "D0005.json").read_bytes())
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(inp), "--out", str(out), "--db", str(tmp_path / "h.sqlite3"),
                                 "--config", str(cfg_dir / "qa-audit.yaml"), "--no-progress"])
    summary = json.loads((out / "run_summary.json").read_text(encoding="utf-8"))
    errors = " ".join(f["error"] for f in summary["failures"])
    assert r.exit_code == 1 and f"{p}:" in errors and "pass_mark" in errors, errors
    assert resources._ACTIVE is None
