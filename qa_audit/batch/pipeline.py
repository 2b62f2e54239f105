"""The weekly batch: ``run(inputs, out_dir, db) -> RunSummary`` (``qa-audit run``).

Recordings, transcript JSON and plain-text notices go through one per-file function,
:func:`process_item` (transcribe if audio -> apply metadata / dial log -> scan), executed

- in this process (``workers=1``),
- in a ``ProcessPoolExecutor`` of ``workers`` processes, each loading the Transcriber and the
  Detector once (initializer), or
- on a Dask distributed cluster (``executor="dask"``; ``scheduler`` address, or a LocalCluster),
  the models held by a module-level singleton in each worker.

Results come back to the driver as they finish; the driver alone writes: the transcript cache
(``OUT/transcripts/<safe_id>.json``), the call and its findings (``Store.save_call``, which replaces
findings, so nothing duplicates) and the run state (``run_items``) in one transaction.  Then it adds
the dial-log findings of attempts without recording, recomputes scores, referrals and reports from
the database (idempotent), and writes ``OUT/run_summary.json``.

The stages are named functions in :mod:`qa_audit.batch.stages` (``plan``, ``execute``,
``persist``, ``apply_dial_rules``, ``score``, ``report``, ``finish``); inputs are found in
:mod:`~qa_audit.batch.discover`, items processed in :mod:`~qa_audit.batch.process`, run on
:mod:`~qa_audit.batch.executors`, the run state kept in :mod:`~qa_audit.batch.state`.

The run id derives from the inputs and the options that change results, so a run killed with
SIGKILL and started again skips what it finished; ``force=True`` redoes everything.
"""
from __future__ import annotations

import os
import time
from typing import Any, Callable, Iterable, Optional

from qa_audit.batch import stages
from qa_audit.batch.discover import (  # noqa: F401  (public names of the batch, imported from here)
    MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, TEXT_EXTENSIONS, TRANSCRIPT_EXTENSIONS, Item, audio_extensions,
    discover, file_hash as _file_hash, load_text_notice, looks_like_text, wav_truncation)
from qa_audit.batch.process import _WORKER, _peak_rss_mb, init_worker, process_item  # noqa: F401
from qa_audit.batch.state import Progress, make_run_id, mark_interrupted  # noqa: F401
from qa_audit.batch.summary import RunSummary


def run(inputs: Iterable[str | os.PathLike], out_dir: str | os.PathLike,
        db: str | os.PathLike | None = None, *, metadata: str | os.PathLike | None = None,
        dial_log: str | os.PathLike | None = None, backend: str = "faster-whisper",
        model: str = "base", agent_channel: int = 0, workers: int = 1, executor: str = "local",
        scheduler: Optional[str] = None, force: bool = False, select: Optional[list[str]] = None,
        ignore: Optional[list[str]] = None, rule_options: Optional[dict[str, Any]] = None,
        detector_config: Any = None, progress: bool = True, reports: bool = True,
        second_opinion: Any = None, sample_rate: Optional[float] = None,
        log: Optional[Callable[[str], None]] = None) -> RunSummary:
    """Run the weekly batch; see the module docstring.  Returns the RunSummary (also written to
    ``OUT/run_summary.json``); ``summary.exit_code`` is 1 when any input failed.

    ``second_opinion``: add the learned model's suggestions (default: the config's);
    ``sample_rate``: draw the weeks' 抽检 samples after scoring (default: the config's
    ``sample_rate``; 0 = none)."""
    from qa_audit.store.db import Store

    started = time.perf_counter()
    store = Store(db) if db else Store()
    p = stages.plan(inputs, out_dir, store, metadata=metadata, dial_log=dial_log, backend=backend,
                    model=model, agent_channel=agent_channel, workers=workers, executor=executor,
                    force=force, select=select, ignore=ignore, rule_options=rule_options,
                    detector_config=detector_config, started=started, second_opinion=second_opinion)
    if log:
        log(p.describe())
    with Progress(progress) as prog, mark_interrupted(store, p.run_id):
        stages.persist(p, stages.execute(p, scheduler=scheduler), prog)
        stages.apply_dial_rules(p)
        stages.score(p, prog)
        rate = sample_rate if sample_rate is not None else _configured_rate(detector_config)
        if rate:
            stages.sample(p, rate, prog)
        stages.report(p, reports=reports, prog=prog)
    summary = stages.finish(p)
    store.close()
    return summary


def _configured_rate(detector_config: Any) -> float:
    """``sample_rate`` of the detector config (the --config file, else the current folder's)."""
    from qa_audit.core.config import Config, ConfigError

    try:
        return float(Config.load(detector_config).sample_rate or 0.0)
    except ConfigError:
        return 0.0
