"""Engines: where chunks are scored (this process, forked or spawned workers, a Dask cluster).

An engine yields chunk results in any order; the run writes them by chunk number, so the
tables do not depend on the engine or the number of jobs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..errors import AnalyserError
from .discovery import Item
from .scoring import ChunkResult, score_chunk, worker_analyser

if TYPE_CHECKING:  # pragma: no cover - typing only
    from multiprocessing.context import BaseContext

Chunks = Iterator[tuple[int, list[Item]]]  # numbered chunks of work items


class Engine:
    """Runs :func:`score_chunk` over chunks; yields results in any order."""

    # the exceptions by which this engine says a worker process died with chunks in flight
    worker_died: tuple[type[BaseException], ...] = ()

    def run(self, chunks: Chunks, root: str, options: dict[str, Any]
            ) -> Iterator[ChunkResult]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


def _fork_context() -> BaseContext | None:
    """The fork start method where it is safe and cheap (Linux), else None."""
    import multiprocessing as mp

    if sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork")
    return None


class LocalEngine(Engine):
    """In-process (jobs=1), or `jobs` worker processes on this machine.

    On Linux the driver loads the models once and forks its workers from itself: they score
    from their first second, sharing the model arrays copy-on-write, where freshly spawned
    workers would each spend ~2.5 s importing and loading on the very cores that should be
    scoring (a tenth of a 10k-review run). Elsewhere a joblib (loky) process pool is used.
    Results stream back in completion order; the driver writes them by chunk number.
    """

    def __init__(self, jobs: int = 1) -> None:
        from concurrent.futures.process import BrokenProcessPool

        from joblib.externals.loky.process_executor import TerminatedWorkerError

        self.jobs = max(1, jobs)
        self.worker_died = (BrokenProcessPool, TerminatedWorkerError)

    def run(self, chunks: Chunks, root: str, options: dict[str, Any]) -> Iterator[ChunkResult]:
        if self.jobs == 1:
            for k, items in chunks:
                yield score_chunk(k, items, root, options)
            return
        ctx = _fork_context()
        if ctx is None:
            yield from self._run_loky(chunks, root, options)
            return
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        worker_analyser(options)  # loaded here once; every forked worker inherits it
        # a fresh pool per run: after a worker death the broken pool is not reused
        pool = ProcessPoolExecutor(self.jobs, mp_context=ctx)
        window = 2 * self.jobs  # chunks in flight at most: flat driver memory
        chunks = iter(chunks)
        try:
            pending: set = set()
            while True:
                for k, items in islice(chunks, window - len(pending)):
                    pending.add(pool.submit(score_chunk, k, items, root, options))
                if not pending:
                    break
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _run_loky(self, chunks: Chunks, root: str, options: dict[str, Any]
                  ) -> Iterator[ChunkResult]:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=self.jobs, backend="loky", return_as="generator",
                            pre_dispatch="2*n_jobs")
        yield from parallel(delayed(score_chunk)(k, items, root, options) for k, items in chunks)


class DaskEngine(Engine):
    """A dask.distributed cluster: `scheduler` address, or a LocalCluster of `jobs` workers."""

    def __init__(self, scheduler: str | None = None, jobs: int = 2) -> None:
        try:
            from dask.distributed import Client, KilledWorker, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise AnalyserError("the dask engine needs dask[distributed]: "
                                "pip install 'review-analyser[dask]'") from exc
        self.worker_died = (KilledWorker,)
        self._cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self._cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self.client = Client(self._cluster)
        self.window = max(2, 2 * len(self.client.scheduler_info().get("workers", {})) or 4)

    def run(self, chunks: Chunks, root: str, options: dict[str, Any]) -> Iterator[ChunkResult]:
        from dask.distributed import as_completed

        ac = as_completed()
        in_flight = 0
        for k, items in chunks:
            ac.add(self.client.submit(score_chunk, k, items, root, options, pure=False))
            in_flight += 1
            while in_flight >= self.window:
                fut = next(ac)
                in_flight -= 1
                yield fut.result()
        for fut in ac:
            yield fut.result()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
