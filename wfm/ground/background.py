"""Run a long solve in a background thread with progress and a stop button.

The app's Schedule and Roster pages start a solve here and poll it, so the
page never freezes and a planner can stop early and keep the best plan so far
(the solver's ``should_stop`` hook ends the search with its incumbent).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class BackgroundRun:
    """A solve running in a daemon thread.

    ``target(on_progress, should_stop)`` is called in the thread; it must pass
    both hooks to the solver and return the result object.
    """

    target: Callable[[Callable[[Any, Any, float], None], Callable[[], bool]], Any]
    progress: list = field(default_factory=list)
    result: Any = None
    error: BaseException | None = None
    started_at: float = 0.0
    finished_at: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "BackgroundRun":
        self.started_at = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="wfm-solve", daemon=True)
        self._thread.start()
        return self

    def _on_progress(self, incumbent, bound, elapsed_seconds: float) -> None:
        with self._lock:
            self.progress.append((incumbent, bound, float(elapsed_seconds)))

    def _run(self) -> None:
        try:
            self.result = self.target(self._on_progress, self._stop.is_set)
        except BaseException as exc:  # reported to the page, never lost
            self.error = exc
        finally:
            self.finished_at = time.monotonic()

    def stop(self) -> None:
        """Ask the solver to stop; it returns its best plan so far."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        return self.finished_at is not None

    def latest(self) -> tuple | None:
        with self._lock:
            return self.progress[-1] if self.progress else None

    def elapsed_seconds(self) -> float:
        end = self.finished_at if self.finished_at is not None else time.monotonic()
        return end - self.started_at

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.done
