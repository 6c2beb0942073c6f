"""What the command line shares: the flag that sets each library parameter.

Library errors name parameters (``horizon_days must be >= 1``); :func:`flag_note`
turns the parameter of a :class:`~wfm.ground.errors.WfmInputError` into the flag
a CLI user types, so only this wing speaks of flags.
"""

from __future__ import annotations

#: Library parameter -> the ``wfm`` flag that sets it.  Add a row when a command
#: passes a flag's value to a library parameter of another name.
PARAMETER_FLAGS: dict[str, str] = {
    "horizon_days": "--horizon",
    "interval_minutes": "--interval",
    "tz": "--tz",
    "queues": "--queues",
    "model": "--model",
    "backtest": "--backtest",
    "aht_seconds": "--aht-seconds",
    "default_aht_seconds": "--aht-seconds",
    "events": "--events",
    "mapping": "--map",
    "dask_scheduler": "--dask-scheduler",
    "weeks": "--weeks",
    "cut": "--cut",
    "shrinkage": "--shrinkage",
    "target_service_level": "--target-service-level",
    "answer_within_seconds": "--answer-within-seconds",
    "patience_seconds": "--patience-seconds",
    "time_limit_seconds": "--time-limit",
    "objective": "--objective",
    "solver": "--solver",
}


def flag_note(parameter: str | None) -> str:
    """``" (set with --horizon)"`` for a parameter a flag sets, else ``""``."""
    flag = PARAMETER_FLAGS.get(parameter or "")
    return f" (set with {flag})" if flag else ""
