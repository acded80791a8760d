"""Fault injection for the batch tests: a worker process that scores a poisoned review dies.

The batch code has no hook for this; the tests wrap ``Analyser.analyse_many`` instead, which
every engine calls once per chunk on its workers. In the test process the wrapper is set with
monkeypatch before the engine forks its workers, which inherit it. Dask starts its workers
with spawn, so they do not: the Dask test names this file as a worker preload script, and
``dask_setup`` sets the wrapper in every worker the cluster starts, restarted ones included.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

POISON = "POISON"  # a review containing this kills the worker process that scores it
PRELOAD = str(Path(__file__).resolve())  # for ``distributed.worker.preload``
EXIT_CODE = 70


def dying_on_poison(analyse_many: Callable[..., Any]) -> Callable[..., Any]:
    """`analyse_many`, but the process exits at once when a review contains `POISON`."""

    @functools.wraps(analyse_many)
    def analyse_or_die(self: Any, reads: list[Any], sources: list[Any], **kwargs: Any) -> Any:
        if any(POISON in read.text for read in reads):
            if multiprocessing.parent_process() is None:
                raise AssertionError("a poisoned review was scored in the test process itself, "
                                     "not in a worker process")
            os._exit(EXIT_CODE)
        return analyse_many(self, reads, sources, **kwargs)

    return analyse_or_die


def dask_setup(worker: Any) -> None:
    """Dask's preload entry point: runs in each worker process as it starts."""
    from analyser.api import Analyser

    Analyser.analyse_many = dying_on_poison(Analyser.analyse_many)
