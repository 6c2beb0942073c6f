"""What the command line shares: the one number/target flag parser, and the flag that sets each library parameter.

Library errors name parameters (``horizon_days must be >= 1``); :func:`flag_note`
turns the parameter of a :class:`~wfm.ground.errors.WfmInputError` into the flag
a CLI user types, so only this wing speaks of flags.  :func:`number` reads a
number flag (its messages name the flag), :func:`add_target_flags` and
:func:`targets_from_flags` are the accessibility-target flags of ``wfm staff``,
``wfm replay`` and ``wfm risk``; the ranges of library parameters are checked by
the library (:class:`~optimiser.staffing.requirement.AccessibilityTargets`), the
CLI only turns text into numbers.
"""

from __future__ import annotations

import argparse
import math

from optimiser.staffing.requirement import AccessibilityTargets
from wfm.ground.errors import WfmInputError

#: Library parameter -> the ``wfm`` flag that sets it.  Add a row when a command
#: passes a flag's value to a library parameter of another name.
PARAMETER_FLAGS: dict[str, str] = {
    "horizon_days": "--horizon",
    "interval_minutes": "--interval",
    "tz": "--tz",
    "queues": "--queues",
    "model": "--model",
    "candidates": "--candidates",
    "backtest": "--backtest",
    "aht_seconds": "--aht-seconds",
    "default_aht_seconds": "--aht-seconds",
    "events": "--events",
    "mapping": "--map",
    "dask_scheduler": "--dask-scheduler",
    "weeks": "--weeks",
    "database_url": "--database-url",
    "cut": "--cut",
    "shrinkage": "--shrinkage",
    "target_service_level": "--target-service-level",
    "answer_within_seconds": "--answer-within-seconds",
    "patience_seconds": "--patience-seconds",
    "max_asa_seconds": "--max-asa-seconds",
    "max_abandon_rate": "--max-abandon-rate",
    "max_occupancy": "--max-occupancy",
    "callback_threshold_seconds": "--callback-threshold-seconds",
    "callback_acceptance": "--callback-acceptance",
    "callback_window_minutes": "--callback-window-minutes",
    "n_replications": "--replications",
    "max_replications": "--max-replications",
    "target_standard_error": "--standard-error",
    "confidence": "--confidence",
    "n_samples": "--samples",
    "daily_share": "--daily-share",
    "seed": "--seed",
    "time_limit_seconds": "--time-limit",
    "objective": "--objective",
    "solver": "--solver",
    "headcount_total": "--headcount",
    "decompose": "--decompose",
    "method": "--method",
    "plan.target_from": "--target-from",
    "paths": "--simulate",
    "first_day": "--from",
    "last_day": "--to",
    "by": "--by",
    "out": "--out",
    "now": "--now",
    "shrink_power": "--shrink-power",
    "actuals": "--actuals",
    "absences": "--absences",
    "roster": "--roster",
}


def flag_note(parameter: str | None) -> str:
    """``" (set with --horizon)"`` for a parameter a flag sets, else ``""``."""
    flag = PARAMETER_FLAGS.get(parameter or "")
    return f" (set with {flag})" if flag else ""


def number(text, flag: str, *, required: bool = False, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False, whole: bool = False,
           allow_infinite: bool = False):
    """The number a flag gives, or None when it was not given.

    Parameters
    ----------
    text : str or None
        The flag's text as argparse left it.
    flag : str
        The flag, e.g. ``"--weeks"``, named in every message.
    required : bool
        Refuse a missing flag.
    low, high : float, optional
        Range the CLI itself enforces (for settings no library parameter checks);
        ``low_open``/``high_open`` exclude the bound.
    whole : bool
        A whole number (returned as ``int``).
    allow_infinite : bool
        Accept ``inf`` (e.g. a patience: nobody hangs up); NaN is never a number.

    Raises
    ------
    WfmInputError
        ``--weeks must be a whole number, got '1.5'``, ``--samples must be >= 1, got '0'``, ...
    """
    if text is None:
        if required:
            raise WfmInputError(f"{flag} is required")
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise WfmInputError(f"{flag} must be a number, got {text!r}") from None
    if math.isnan(value):
        raise WfmInputError(f"{flag} must be a number, got {text!r}")
    if math.isinf(value) and not allow_infinite:
        raise WfmInputError(f"{flag} must be finite, got {text!r}")
    if whole and (math.isinf(value) or value != int(value)):
        raise WfmInputError(f"{flag} must be a whole number, got {text!r}")
    if low is not None and (value <= low if low_open else value < low):
        raise WfmInputError(f"{flag} must be {'>' if low_open else '>='} {low:g}, got {text!r}")
    if high is not None and (value >= high if high_open else value > high):
        raise WfmInputError(f"{flag} must be {'<' if high_open else '<='} {high:g}, got {text!r}")
    return int(value) if whole else value


def flag_number(args: argparse.Namespace, dest: str, **rules):
    """:func:`number` of the flag stored as ``args.<dest>`` (flag ``--dest-with-dashes``)."""
    return number(getattr(args, dest), "--" + dest.replace("_", "-"), **rules)


#: The target flags: dest -> help text.
_TARGET_HELP = {
    "answer_within_seconds": "service-level threshold T [s]",
    "target_service_level": "share of offered calls answered within T, in (0, 1)",
    "max_asa_seconds": "maximum average speed of answer [s]",
    "max_abandon_rate": "maximum share of calls that hang up, in (0, 1); needs --patience-seconds",
    "max_occupancy": "maximum occupancy, in (0, 1]",
    "patience_seconds": "mean caller patience [s] (Erlang A); omit for Erlang C (infinitely patient callers)",
    "shrinkage": "share of paid time off the phone, in [0, 1)",
}


def add_target_flags(parser: argparse.ArgumentParser, *, target_service_level: str | None = None,
                     answer_within_seconds: str | None = None, limits: bool = False,
                     default_note: str | None = None, patience_note: str = "") -> argparse._ArgumentGroup:
    """Add the accessibility-target flags in a group "targets".

    ``target_service_level`` and ``answer_within_seconds`` are the flags' defaults
    (text, or None); ``default_note`` describes the default of both when it is
    not a value (e.g. the rules file's); ``limits`` adds ``--max-asa-seconds``,
    ``--max-abandon-rate`` and ``--max-occupancy``; ``--shrinkage`` defaults to 0.
    """
    group = parser.add_argument_group("targets")

    def add(dest, default=None, note=""):
        if default is not None:
            note = note or " [default %(default)s]"
        group.add_argument("--" + dest.replace("_", "-"), default=default, help=_TARGET_HELP[dest] + note)

    add("answer_within_seconds", answer_within_seconds, f" [default: {default_note}]" if default_note else "")
    add("target_service_level", target_service_level, f" [default: {default_note}]" if default_note else "")
    if limits:
        add("max_asa_seconds")
        add("max_abandon_rate")
        add("max_occupancy")
    add("patience_seconds", note=patience_note)
    add("shrinkage", "0")
    return group


def targets_from_flags(args: argparse.Namespace, *, answer_within_seconds: float | None = None,
                       target_service_level: float | None = None) -> AccessibilityTargets:
    """The :class:`AccessibilityTargets` the target flags give (absent flags: None; ``inf`` patience: None).

    ``answer_within_seconds`` and ``target_service_level`` fill in when their flag
    was not given (e.g. from the rules file).  The targets object checks the ranges;
    its errors name the parameter, and the CLI adds the flag.
    """
    def value(dest, **rules):
        return flag_number(args, dest, **rules) if hasattr(args, dest) else None

    T = value("answer_within_seconds")
    tsl = value("target_service_level")
    patience = value("patience_seconds", allow_infinite=True)
    return AccessibilityTargets(
        answer_within_seconds=answer_within_seconds if T is None else T,
        target_service_level=target_service_level if tsl is None else tsl,
        max_asa_seconds=value("max_asa_seconds"),
        max_abandon_rate=value("max_abandon_rate"),
        max_occupancy=value("max_occupancy"),
        patience_seconds=None if patience is not None and math.isinf(patience) else patience,
        shrinkage=value("shrinkage") or 0.0,
    )


def check_outputs(args: argparse.Namespace, *flags: str, folders: tuple[str, ...] = ()) -> None:
    """Refuse, before any work starts, an output flag whose path cannot be written.

    ``flags`` are the output flags of a command (``"--out"``, ``"--backtest"``); the ones given are
    checked with :func:`wfm.io.common.check_output_path` (an existing folder, a file as a parent, a
    folder that is not writable).  ``folders`` are the flags whose value names a folder to write
    files in (``wfm demo-data --out``, the iCalendar export).  The message names the flag and path.
    """
    from wfm.io.common import check_output_path

    for flag in flags + folders:
        value = getattr(args, flag.lstrip("-").replace("-", "_"), None)
        if value:
            check_output_path(value, flag, directory=flag in folders)
