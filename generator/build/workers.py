"""Run independent calls over all cores.

Workers are forked, so they start with a copy of everything the caller has loaded (records,
templates, MkDocs' structures) and only results travel back. Below a few dozen calls the
forking costs more than it saves, and the calls run in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator

from generator.build.progress import Progress

# How many worker processes the build in progress may use (`medguide build --jobs`); None
# means one per core. Set for the length of a build, a preview's save or its PDFs by
# `using`.
JOBS: ContextVar[int | None] = ContextVar("medguide_jobs", default=None)
MIN_CALLS = 32

# The calls of the pool in progress, in each worker process (set there by `_receive`).
_CALLS: list[Callable[[], Any]] = []


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def using(jobs: int | None) -> Iterator[None]:
    """Run the calls inside on at most `jobs` worker processes (None: one per core)."""
    token = JOBS.set(jobs)
    try:
        yield
    finally:
        JOBS.reset(token)


def worker_count() -> int:
    return JOBS.get() or cpu_count()


def run_calls(calls: list[Callable[[], Any]], label: str = "") -> list[Any]:
    """`[call() for call in calls]`, spread over the cores (with progress under `label` when
    there are many)."""
    bar = Progress(label or "working", len(calls))
    workers = min(worker_count(), len(calls))
    if workers < 2 or len(calls) < MIN_CALLS:
        results = []
        for call in calls:
            results.append(call())
            bar.advance()
        bar.close()
        return results
    # What exists now is only read by the workers: keep the garbage collector from touching
    # (and so copying) it in each of them.
    gc.freeze()
    outcomes = []
    try:
        # Forked workers get the calls as they are (a fork copies, nothing is pickled).
        with multiprocessing.get_context("fork").Pool(workers, initializer=_receive,
                                                      initargs=(calls,)) as pool:
            for outcome in pool.imap(_run, range(len(calls)),
                                     chunksize=max(1, min(16, len(calls) // (workers * 8)))):
                outcomes.append(outcome)
                bar.advance()
    finally:
        gc.unfreeze()
        bar.close()
    results = []
    for ok, value in outcomes:
        if not ok:
            raise value
        results.append(value)
    return results


def _receive(calls: list[Callable[[], Any]]) -> None:
    global _CALLS
    _CALLS = calls


def _run(index: int) -> tuple[bool, Any]:
    try:
        return True, _CALLS[index]()
    except Exception as exc:  # raised again in the caller, as it would have been there
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        return False, exc
