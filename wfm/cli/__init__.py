"""The ``wfm`` command line: one module per command in this package.

Each command module exposes ``register(subparsers)``, which adds its
sub-parser(s) and sets ``func`` to a handler returning the exit code:
0 on success, 2 for bad input (the message names the file, row, column or
parameter and the rule broken).  The list of commands is explicit: a command
module that fails to import is an error, never a silent skip.
"""

from __future__ import annotations

import argparse
import sys

from wfm.cli import capacity, demo_data, forecast, replay, risk, roster, scenarios, schedule, staff, validate
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
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wfm",
        description="Workforce management for contact centres: validate history, "
        "forecast, staff, schedule, roster.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.func(args) or 0)
    except WfmInputError as exc:
        note = flag_note(exc.parameter)
        for message in exc.errors:
            print(f"error: {message}{note}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
