"""Entry point of the ``wfm`` command line.

Each sub-command lives in a module of the package that owns its logic and
exposes ``register(subparsers)``; this file only collects them.  A command's
handler returns the process exit code: 0 on success, 2 for bad input (the
message names the file, row, column or parameter and the rule broken).
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Modules that add sub-commands.  Each defines ``register(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = (
    "forecasting.cli_history",  # wfm validate
    "forecasting.cli_demo",  # wfm demo-data
    "forecasting.cli_forecast",  # wfm forecast
    "optimiser.cli_staff",  # wfm staff
    "optimiser.cli_schedule",  # wfm schedule
    "optimiser.cli_roster",  # wfm roster
    "optimiser.store.cli_scenarios",  # wfm scenarios list|show|save|publish|diff
    "optimiser.cli_replay",  # wfm replay, wfm risk
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2


from wfm.errors import WfmInputError  # noqa: E402

#: Kept as an alias: commands raise :class:`WfmInputError` for bad input.
CliError = WfmInputError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wfm",
        description="Workforce management for contact centres: validate history, "
        "forecast, staff, schedule, roster.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # Only a command module that does not exist yet is skipped; a missing
            # dependency inside an existing module is a real error.
            if exc.name == name:
                continue
            raise
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
        for message in exc.errors:
            print(f"error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
