"""``wfm demo-data --out DIR [--seed N] [--start DATE --end DATE]``: write the demo data.

Writes four files into ``DIR`` (created if missing):

* ``demo_history.csv.gz`` -- interval history, :func:`optimiser.demo.history.generate_demo_history`
* ``demo_events.csv`` -- the one-off events the generator used
* ``demo_agents.csv`` and ``demo_agent_unavailability.csv`` --
  :func:`optimiser.demo.agents.generate_demo_agents`

With the defaults the output is byte-identical to the files committed in
``data/`` (``wfm demo-data --out data`` regenerates them).  ``--start`` and
``--end`` only change the history span; the rows of any span equal the same
rows of the full run (randomness is drawn per local date).
"""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path

from optimiser.demo.agents import generate_demo_agents, write_agents_csv, write_unavailability_csv
from optimiser.demo.history import DEFAULT_EVENTS, DEFAULT_SEED, events_frame, generate_demo_history
from wfm.cli.args import check_outputs
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ
from wfm.io.events import write_events_csv
from wfm.io.history import write_history_csv

DEFAULT_START = "2023-01-01"
DEFAULT_END = "2025-12-31"

#: File names written into ``--out``.
HISTORY_FILE = "demo_history.csv.gz"
EVENTS_FILE = "demo_events.csv"
AGENTS_FILE = "demo_agents.csv"
UNAVAILABILITY_FILE = "demo_agent_unavailability.csv"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo-data`` sub-command."""
    parser = subparsers.add_parser(
        "demo-data",
        help="generate the demo contact-centre data (history, events, agents, unavailability)",
        description="Generate the seeded demo data of a national police non-emergency number "
        f"(4 queues, 15-minute intervals, {DEFAULT_TZ}) and about 800 fictitious agents. "
        "With the defaults the files equal the ones committed in data/.",
    )
    parser.add_argument("--out", metavar="DIR", required=True, help="output directory (created if missing)")
    parser.add_argument(
        "--seed", metavar="N", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--start", metavar="DATE", default=DEFAULT_START, help=f"first local date of the history (default {DEFAULT_START})"
    )
    parser.add_argument(
        "--end", metavar="DATE", default=DEFAULT_END, help=f"last local date of the history (default {DEFAULT_END})"
    )
    parser.set_defaults(func=run_demo_data)


def _date(value: str, flag: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise WfmInputError(f"{flag} must be a date YYYY-MM-DD, got {value!r}") from None


def run_demo_data(args: argparse.Namespace) -> int:
    """Handler: generate and write the four files, print what was written."""
    start = _date(args.start, "--start")
    end = _date(args.end, "--end")
    if end < start:
        raise WfmInputError(f"--end must be on or after --start, got --start {start} --end {end}")
    if args.seed < 0:
        raise WfmInputError(f"--seed must be a whole number >= 0, got {args.seed}")
    out = Path(args.out)
    check_outputs(args, folders=("--out",))
    out.mkdir(parents=True, exist_ok=True)

    history = generate_demo_history(start, end, seed=args.seed)
    write_history_csv(history, out / HISTORY_FILE, seconds_decimals=0)
    write_events_csv(events_frame(DEFAULT_EVENTS), out / EVENTS_FILE)
    agents, unavailability = generate_demo_agents(seed=args.seed)
    write_agents_csv(agents, out / AGENTS_FILE)
    write_unavailability_csv(unavailability, out / UNAVAILABILITY_FILE)

    days = (end - start).days + 1
    print(
        f"wrote {out / HISTORY_FILE}: {len(history)} rows, {history['queue'].nunique()} queues, "
        f"{start}..{end}, {int(history['calls_offered'].sum())} calls offered "
        f"({history['calls_offered'].sum() / days * 365.25 / 1e6:.2f} M/yr), "
        f"{(out / HISTORY_FILE).stat().st_size / 1e6:.1f} MB"
    )
    print(f"wrote {out / EVENTS_FILE}: {len(DEFAULT_EVENTS)} events")
    print(f"wrote {out / AGENTS_FILE}: {len(agents)} agents at {agents['site'].nunique()} sites")
    print(f"wrote {out / UNAVAILABILITY_FILE}: {len(unavailability)} periods")
    return 0
