"""``wfm validate FILE [--tz ZONE] [--map MAPPING]``: check a history file.

Prints the summary of an accepted file (queues, first and last interval,
interval length, rows, gaps, closed hours and learned opening hours) and exits
0; otherwise :class:`wfm.ground.errors.WfmInputError` carries every error found, which
the ``wfm`` router prints one per line as ``error: ...`` before exiting 2.
"""

from __future__ import annotations

import argparse
import sys

from forecasting.history import summarise_history
from wfm.io.history import read_history
from wfm.ground.vocabulary import DEFAULT_TZ


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` sub-command."""
    parser = subparsers.add_parser(
        "validate",
        help="check a history file (CSV, CSV.gz, XLSX, Parquet) and print its summary",
        description="Read FILE with the strict history importer. On success print a summary "
        "(queues, first and last interval, interval length, rows, gaps, closed hours) and exit 0; "
        "otherwise print every error (file, row, column, rule, value) and exit 2.",
    )
    parser.add_argument("file", metavar="FILE", help="history file: .csv, .csv.gz, .xlsx or .parquet")
    parser.add_argument(
        "--tz",
        metavar="ZONE",
        default=None,
        help=f"IANA time zone for local times without a UTC offset, and for the output (default {DEFAULT_TZ}, "
        "or the one zone the file's UTC offsets fit)",
    )
    parser.add_argument(
        "--map",
        metavar="MAPPING",
        dest="mapping",
        default=None,
        help="YAML or JSON file mapping an export's columns to the canonical ones (docs/history_format.md)",
    )
    parser.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Handler: validate, print the summary, return 0 (bad input raises WfmInputError)."""
    history = read_history(args.file, tz=args.tz, mapping=args.mapping)
    if history.attrs.get("tz_note"):
        print(f"note: {history.attrs['tz_note']}; give --tz to read it in another zone", file=sys.stderr)
    summary = summarise_history(history)
    print(summary.to_text())
    return 0
