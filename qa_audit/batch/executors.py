"""Where :func:`~qa_audit.batch.process.process_item` runs: in this process, in a process pool
(each worker loads its models once), or on a Dask cluster.  Each yields the items' results as they
finish; a worker that dies yields a failed result for its item instead of stopping the batch."""
from __future__ import annotations

import hashlib
import os
from typing import Iterator, Optional

from qa_audit.batch.process import blank_result, init_worker, process_item


def dispatch(items: list[dict], cfg: dict, workers: int = 1, executor: str = "local",
              scheduler: Optional[str] = None) -> Iterator[dict]:
    """Dask for ``executor="dask"``; a process pool when there are several workers and items;
    else this process."""
    if executor == "dask":
        return _run_dask(items, cfg, workers, scheduler)
    if workers > 1 and len(items) > 1:
        return _run_pool(items, cfg, workers)
    return _run_serial(items, cfg)


def _run_serial(items: list[dict], cfg: dict) -> Iterator[dict]:
    init_worker(cfg, preload_asr=False)
    for it in items:
        yield process_item(it, cfg)


def _run_pool(items: list[dict], cfg: dict, workers: int) -> Iterator[dict]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    preload = any(it["kind"] == "audio" for it in items)
    ctx = mp.get_context("spawn")  # never fork a process that may hold threads
    ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker,
                             initargs=(cfg, preload, os.getpid()))
    try:
        futs = {ex.submit(process_item, it): it for it in items}
        for fut in as_completed(futs):
            it = futs[fut]
            try:
                yield fut.result()
            except BrokenProcessPool:
                yield _crash(it, "worker process died while processing this file "
                                 "(out of memory or a crash in a decoder)")
            except Exception as e:  # pragma: no cover - process_item does not raise
                yield _crash(it, f"{type(e).__name__}: {e}")
    finally:  # Ctrl-C or an error in the driver: do not wait for the queue
        ex.shutdown(wait=True, cancel_futures=True)


def _run_dask(items: list[dict], cfg: dict, workers: int, scheduler: Optional[str]) -> Iterator[dict]:
    """``client.map`` over the items.  A worker that is lost (killed, out of memory) is handled by
    the scheduler: its unfinished tasks run again on the other workers (a task that kills
    ``distributed.scheduler.allowed-failures`` + 1 workers comes back as KilledWorker, stored as a
    failed item); each future is collected once, so every call is stored once
    (``tests/test_dask_cluster.py``)."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        import logging

        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.WARNING)
        client = Client(cluster)
    try:
        cfg_f = client.scatter(cfg, broadcast=True)
        futs = client.map(process_item, items, cfg=cfg_f, pure=False,
                          key=[f"qa-audit-item-{hashlib.sha1(it['key'].encode()).hexdigest()[:16]}"
                               for it in items])
        by_key = {f.key: it for f, it in zip(futs, items)}
        for fut in as_completed(futs):
            it = by_key[fut.key]
            try:
                yield fut.result()
            except Exception as e:  # a worker died (KilledWorker) or similar
                yield _crash(it, f"Dask task failed: {type(e).__name__}: {e}")
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()



def _crash(item: dict, reason: str) -> dict:
    return blank_result(item, error=reason, pid=None)
