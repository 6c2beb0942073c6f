"""A background solve reports progress, can be stopped, and never loses an error."""

from __future__ import annotations

import time

import pytest

from wfm.ground.background import BackgroundRun


def _fake_solver(steps: int):
    # A stand-in *caller* of the hooks (the solver itself is tested in tests/optimiser/scheduling):
    # it improves an incumbent each step and honours should_stop like HiGHS's callback does.
    def target(on_progress, should_stop):
        best = None
        for i in range(steps):
            if should_stop():
                return {"stopped_at": i, "best": best}
            best = 100 - i
            on_progress(best, 50.0, i * 0.01)
            time.sleep(0.01)
        return {"stopped_at": None, "best": best}

    return target


def test_progress_is_recorded_and_the_result_kept():
    run = BackgroundRun(_fake_solver(5)).start()
    assert run.wait(10)
    assert run.result == {"stopped_at": None, "best": 96}
    assert [p[0] for p in run.progress] == [100, 99, 98, 97, 96]
    assert run.latest() == (96, 50.0, 0.04)
    assert run.error is None


def test_stop_returns_the_best_so_far():
    run = BackgroundRun(_fake_solver(10_000)).start()
    while run.latest() is None:
        time.sleep(0.005)
    run.stop()
    assert run.wait(10)
    assert run.stop_requested
    assert run.result["stopped_at"] is not None and run.result["stopped_at"] < 10_000
    assert run.result["best"] == run.latest()[0]


def test_an_error_in_the_thread_is_kept_for_the_page():
    def boom(on_progress, should_stop):
        raise RuntimeError("solver crashed")

    run = BackgroundRun(boom).start()
    assert run.wait(10)
    assert isinstance(run.error, RuntimeError) and "crashed" in str(run.error)
    assert run.result is None
    with pytest.raises(RuntimeError):
        raise run.error
