"""Run state: the run id, the ``runs`` row and the ``run_items`` bookkeeping that make a run
resumable, the guard that marks an interrupted run, and the progress bars."""
from __future__ import annotations

import hashlib
import json
import time
import traceback
from pathlib import Path
from typing import Any, Optional


def make_run_id(inputs: list[str], options: dict[str, Any]) -> str:
    """From the input arguments (resolved paths: a folder, not the files in it, so a file added
    later joins the same run) and the options that change results."""
    h = hashlib.sha1()
    h.update(json.dumps(sorted(str(Path(i).resolve()) for i in inputs), ensure_ascii=False).encode("utf-8"))
    h.update(json.dumps(options, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    return h.hexdigest()[:16]


def done_items(store, run_id: str) -> dict[str, dict[str, Any]]:
    rows = store.conn.execute(
        "SELECT item, call_id, stage, content_hash FROM run_items WHERE run_id=?", (run_id,)).fetchall()
    return {r["item"]: dict(r) for r in rows}


def mark(con, run_id: str, item: str, call_id: Optional[str], stage: str, error: Optional[str],
         content_hash: Optional[str]) -> None:
    con.execute(
        """INSERT INTO run_items(run_id, item, call_id, stage, error, content_hash) VALUES (?,?,?,?,?,?)
           ON CONFLICT(run_id, item) DO UPDATE SET call_id=excluded.call_id, stage=excluded.stage,
               error=excluded.error, content_hash=excluded.content_hash,
               updated_at=strftime('%Y-%m-%dT%H:%M:%fZ','now')""",
        (run_id, item, call_id, stage, error, content_hash))


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def start_run(store, run_id: str, options: dict[str, Any], inputs: list[str], force: bool = False) -> None:
    """Record the run as running (again); ``force`` forgets what it finished."""
    with store.transaction() as con:
        con.execute("""INSERT INTO runs(run_id, started_at, status, options_json) VALUES (?,?,?,?)
                       ON CONFLICT(run_id) DO UPDATE SET status='running', finished_at=NULL""",
                    (run_id, _now(), "running", json.dumps({**options, "inputs": inputs}, ensure_ascii=False)))
        if force:
            con.execute("DELETE FROM run_items WHERE run_id=?", (run_id,))


def finish_run(store, run_id: str, ok: bool) -> None:
    with store.transaction() as con:
        con.execute("UPDATE runs SET status=?, finished_at=? WHERE run_id=?",
                    ("finished" if ok else "finished_with_failures", _now(), run_id))


class mark_interrupted:
    """Context manager: an exception (Ctrl-C, a bug) leaves the run marked 'interrupted'."""

    def __init__(self, store, run_id: str):
        self.store, self.run_id = store, run_id

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        if et is not None:
            try:
                self.store.conn.execute("UPDATE runs SET status='interrupted' WHERE run_id=?", (self.run_id,))
            except Exception:  # pragma: no cover
                pass
        return False


def stage_error(stage: str, e: BaseException, prog: "Progress") -> dict[str, str]:
    prog.log(f"{stage} failed:\n" + traceback.format_exc(limit=8))
    return {"item": f"<{stage} stage>", "error": f"{type(e).__name__}: {e}"}



# --- progress -------------------------------------------------------------------------------
class Progress:
    """rich progress bars on stderr, one per stage (counts, ETA); silent when disabled."""

    def __init__(self, enabled: bool):
        self.p = None
        self.tasks: dict[str, Any] = {}
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            self.p = Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                              TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                              console=Console(stderr=True), transient=False)

    def __enter__(self):
        if self.p:
            self.p.__enter__()
        return self

    def __exit__(self, *a):
        if self.p:
            self.p.__exit__(*a)

    def add(self, name: str, total: int) -> None:
        if self.p and total > 0:
            self.tasks[name] = self.p.add_task(name, total=total)

    def advance(self, name: str, n: int = 1) -> None:
        if self.p and name in self.tasks:
            self.p.advance(self.tasks[name], n)

    def log(self, msg: str) -> None:
        if self.p:
            self.p.console.print(msg, markup=False, highlight=False)
        else:
            import sys
            print(msg, file=sys.stderr)

