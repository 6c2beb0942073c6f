"""Run one function over many work items (queues, backtest origins) in parallel.

One code path, two engines:

* default: :mod:`joblib` with the ``loky`` process backend and ``n_jobs``
  workers (``n_jobs=1`` runs in-process, handy for debugging);
* with ``dask_scheduler="tcp://HOST:PORT"``: a :class:`dask.distributed.Client`
  connected to that scheduler, so a centre with hundreds of queues can spread
  the fits over a cluster.

Either way the function and items are the same, results come back in the
order of the items, and ``progress(done, total, label)`` is called as items
finish (on stderr in the CLI).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from wfm.ground.errors import WfmInputError

__all__ = ["parallel_map"]


def _check_n_jobs(n_jobs: int) -> int:
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise WfmInputError(f"n_jobs must be a whole number >= 1 (or -1 for all cores), got {n_jobs!r}")
    return n_jobs


def parallel_map(
    func: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    n_jobs: int = 2,
    dask_scheduler: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    labels: Sequence[str] | None = None,
) -> list[Any]:
    """``[func(item) for item in items]``, in parallel, results in item order.

    Parameters
    ----------
    func : callable
        A picklable (module-level) function of one item.
    items : sequence
        Work items (e.g. ``(queue, history)`` tuples).
    n_jobs : int
        joblib workers (loky processes); ignored with ``dask_scheduler``.
    dask_scheduler : str, optional
        Address of a running Dask scheduler, e.g. ``"tcp://10.0.0.5:8786"``.
    progress : callable, optional
        Called as ``progress(done, total, label)`` after each item finishes.
    labels : sequence of str, optional
        A label per item for ``progress`` (default the item's position).

    Raises
    ------
    WfmInputError
        Bad ``n_jobs``, or the Dask scheduler cannot be reached (the message
        names the address).
    """
    items = list(items)
    total = len(items)
    labels = [str(i) for i in range(total)] if labels is None else [str(x) for x in labels]
    if total == 0:
        return []
    if dask_scheduler:
        return _dask_map(func, items, dask_scheduler, progress, labels)
    n_jobs = _check_n_jobs(n_jobs)
    if n_jobs == 1 or total == 1:
        out = []
        for i, item in enumerate(items):
            out.append(func(item))
            if progress:
                progress(i + 1, total, labels[i])
        return out
    from joblib import Parallel, delayed

    results: list[Any] = [None] * total
    parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered")
    tagged = parallel(delayed(_tagged)(func, i, item) for i, item in enumerate(items))
    for done, (i, value) in enumerate(tagged, start=1):
        results[i] = value
        if progress:
            progress(done, total, labels[i])
    return results


def _tagged(func, i, item):
    return i, func(item)


def _dask_map(func, items, address: str, progress, labels) -> list[Any]:
    from dask.distributed import Client, as_completed

    try:
        client = Client(address, timeout="5s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise WfmInputError(
            f"dask_scheduler {address!r}: cannot connect to a Dask scheduler there ({exc})", parameter="dask_scheduler"
        ) from exc
    try:
        futures = client.map(func, items, pure=False)
        position = {f.key: i for i, f in enumerate(futures)}
        total = len(items)
        for done, fut in enumerate(as_completed(futures, loop=client.loop), start=1):
            if progress:
                progress(done, total, labels[position[fut.key]])
        return client.gather(futures)
    finally:
        client.close()
