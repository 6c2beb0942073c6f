"""The ``wfm`` command line: one module per command in this package.

Each command module exposes ``register(subparsers)``, which adds its
sub-parser(s) and sets ``func`` to a handler returning the exit code:
0 on success, 2 for bad input (the message names the file, row, column or
parameter and the rule broken).  The list of commands is explicit: a command
module that fails to import is an error, never a silent skip.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback

from wfm.cli import accessibility, capacity, demo_data, forecast, intraday, replay, risk, roster, scenarios, schedule, staff, validate
from wfm.cli.args import flag_note
from wfm.ground.errors import WfmInputError

#: The commands, in the order ``wfm --help`` lists them.
COMMANDS = (
    validate,  # wfm validate
    demo_data,  # wfm demo-data
    forecast,  # wfm forecast
    staff,  # wfm staff
    schedule,  # wfm schedule
    roster,  # wfm roster
    scenarios,  # wfm scenarios list|show|save|publish|diff
    replay,  # wfm replay
    risk,  # wfm risk
    capacity,  # wfm capacity
    accessibility,  # wfm accessibility
    intraday,  # wfm intraday
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2
#: An unexpected failure (a defect): a plain message names the file holding the details.
EXIT_INTERNAL_ERROR = 3
#: Ctrl-C (as a shell reports SIGINT).
EXIT_INTERRUPTED = 130
#: The reader of the output closed the pipe early (``wfm ... | head -1``), as a shell reports SIGPIPE.
EXIT_BROKEN_PIPE = 141
#: Set to 1 to let an unexpected exception through with its traceback (for developers).
DEBUG_VARIABLE = "WFM_DEBUG"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wfm",
        description="Workforce management for contact centres: validate history, "
        "forecast, staff, schedule, roster.",
        epilog="Exit codes: 0 done; 1 no plan could be made (schedule, roster); 2 bad input (the message names "
               "the file, row, column, key or parameter and the rule broken); 3 an unexpected failure (a "
               "defect: the details are written to a log file the message names); 130 interrupted; 141 the "
               "output pipe was closed early.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def _silence_stdout() -> None:
    """After a broken pipe: send what is left of stdout to /dev/null, so the exit flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout replaced by an object without a descriptor
        pass


def _log_details(command: str | None) -> str | None:
    """Write the current exception's traceback to a private log file (mode 0600); its path, or None."""
    try:
        fd, path = tempfile.mkstemp(prefix="wfm-error-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"wfm {command or ''} failed at {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n")
            handle.write(f"argv: {sys.argv!r}\n\n")
            handle.write(traceback.format_exc())
        return path
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    """Run one ``wfm`` command; returns the exit code (see :func:`build_parser`'s epilog).

    Bad input (:class:`~wfm.ground.errors.WfmInputError`) is printed as ``error: ...`` lines (exit 2).
    A broken output pipe (exit 141) and Ctrl-C (exit 130) end quietly.  Any other exception is a
    defect: a plain message names the log file holding its traceback (exit 3), never a traceback on
    the terminal (set ``WFM_DEBUG=1`` to see it there).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except WfmInputError as exc:
        note = flag_note(exc.parameter)
        for message in exc.errors:
            print(f"error: {message}{note}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 -- the last resort: no traceback reaches a user
        if os.environ.get(DEBUG_VARIABLE) == "1":
            raise
        where = _log_details(getattr(args, "command", None))
        print(f"error: wfm {args.command} failed unexpectedly ({type(exc).__name__}: {' '.join(str(exc).split())[:300]}). "
              "This is a defect, not a problem with your input; please report it"
              + (f" with the details written to {where}" if where else "") + ".", file=sys.stderr)
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
