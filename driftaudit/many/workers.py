"""Run one task per database in worker processes that inherit the rendered project.

Setting Django up, rendering the models and replaying the history is most of an audit's cost
and is the same for every database of one code base; reading a database and explaining it is
the rest. So the parent does the first once (:class:`~driftaudit.schema.read.SharedSources`)
and then starts the workers with ``fork``: each child begins with Django set up and the
rendered models and history in its memory (shared with the parent, copy-on-write; the
parent's objects are moved out of the garbage collector's way first, ``gc.freeze``, so that
collecting does not copy every page), opens its database read-only and explains it.

``fork`` is used on Linux only. macOS (where Python's default is ``spawn`` since 3.8, because
system libraries are not fork-safe) and Windows (no fork) start the workers with ``spawn``:
each worker then sets Django up and renders the models and history once itself, from the same
selection - a cost per worker, not per database. No thread runs in the parent while it forks:
the workers are all started before the progress bar (``on_start``).

A worker that dies (killed, out of memory) fails the databases it had not finished, each with
one line; the others are still reported.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

#: what the parent prepared for the tasks (a forked worker inherits it; a spawned one makes
#: its own with the ``setup`` function the parent names)
STATE: dict = {}


def start_method() -> str:
    """``fork`` on Linux, else ``spawn``; ``DRIFTAUDIT_START_METHOD=spawn`` tries the other
    platforms' way on Linux (the tests do)."""
    forced = os.environ.get("DRIFTAUDIT_START_METHOD", "")
    if forced in multiprocessing.get_all_start_methods():
        return forced
    return "fork" if sys.platform.startswith("linux") else "spawn"


def run_each(task: Callable, items: list, jobs: int, failed: Callable, setup: tuple[Callable, tuple] | None = None,
             on_start: Callable[[], None] | None = None) -> Iterable:
    """``task(item)`` for every item, yielded as each finishes (in-process when ``jobs`` is 1).

    ``failed(item, message)`` makes the result of an item whose worker died. ``setup`` is
    ``(function, args)`` that fills :data:`STATE` in a spawned worker; ``on_start`` runs once
    every worker has started (where a progress bar may start its thread).
    """
    if jobs <= 1 or len(items) <= 1:
        if on_start:
            on_start()
        for item in items:
            yield task(item)
        return
    method = start_method()
    initializer, initargs = (None, ()) if method == "fork" or setup is None else setup
    gc.collect()
    gc.freeze()  # the parent's objects stay put: children's collections do not copy their pages
    try:
        with ProcessPoolExecutor(min(jobs, len(items)), mp_context=multiprocessing.get_context(method),
                                 initializer=initializer, initargs=initargs) as pool:
            futures = {pool.submit(task, item): item for item in items}  # fork: every worker starts here
            if on_start:
                on_start()
            for future in as_completed(futures):
                try:
                    yield future.result()
                except BrokenProcessPool:
                    yield failed(futures[future], "its worker process died (killed or out of memory); "
                                                  "audit it alone with --jobs 1")
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                    yield failed(futures[future], f"internal error: {type(exc).__name__}: {exc} "
                                                  "(audit it alone with --jobs 1 --traceback and report it)")
    finally:
        gc.unfreeze()
