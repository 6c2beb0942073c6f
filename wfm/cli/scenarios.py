"""``wfm scenarios``: the versioned plan store from the shell.

::

    wfm scenarios list    [--database-url URL]
    wfm scenarios show    --name NAME [--version N] [--out FILE.csv] [--database-url URL]
    wfm scenarios save    --name NAME --kind forecast|requirement|schedule|roster|capacity --file CSV
                          [--expected-version N] [--note TEXT] [--author WHO] [--tz ZONE]
                          [--database-url URL]
    wfm scenarios publish --name NAME --version N [--database-url URL]
    wfm scenarios diff    --name NAME --from-version N --to-version M [--database-url URL]

``--database-url`` defaults to ``$WFM_DATABASE_URL``, else the SQLite file
``~/.local/share/wfm/wfm.sqlite``.  ``save`` reads the CSV contract of the
kind (forecast CSV, requirement CSV, schedule CSV, roster CSV export, capacity month table CSV).
Without ``--expected-version`` the new version is based on whatever is
latest when the command runs; pass it to have a concurrent save refused
(exit 2, "reload and merge").
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from optimiser.store.models import KINDS
from optimiser.store.repository import PlanStore, ScenarioNotFoundError
from wfm.cli.args import check_outputs
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ
from wfm.io.common import write_csv
from wfm.io.requirement import read_requirement_csv
from wfm.io.roster import read_roster_csv
from wfm.io.schedule import read_schedule_csv


def read_plan_csv(path: str | Path, kind: str, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """Read the CSV contract of ``kind`` with that contract's strict reader."""
    if kind == "forecast":
        from wfm.io.forecast import read_forecast_csv
        return read_forecast_csv(path, tz)
    if kind == "requirement":
        return read_requirement_csv(path, tz)
    if kind == "schedule":
        return read_schedule_csv(path, tz)
    if kind == "roster":
        return read_roster_csv(path, tz)
    if kind == "capacity":
        from wfm.io.capacity import read_month_table
        return read_month_table(path)
    raise WfmInputError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")


def _store(args) -> PlanStore:
    return PlanStore(args.database_url)


def _fmt_time(value) -> str:
    return "-" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S UTC")


def cmd_list(args) -> int:
    store = _store(args)
    frame = store.list()
    if frame.empty:
        print(f"no scenarios in {store!r}")
        return 0
    shown = frame.assign(created_at=frame["created_at"].map(_fmt_time), updated_at=frame["updated_at"].map(_fmt_time),
                         published_version=frame["published_version"].astype(object).where(
                             frame["published_version"].notna(), "-"))
    print(shown.to_string(index=False))
    return 0


def cmd_show(args) -> int:
    check_outputs(args, "--out")
    store = _store(args)
    loaded = store.load(args.name, args.version)
    if args.out:  # written first: a reader that closes the pipe early (| head) must not lose it
        frame = loaded.frame.copy()
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
                frame[column] = [t.isoformat() for t in frame[column]]
        write_csv(frame, args.out)  # formula text neutralised, as every CSV writer does
    print(f"scenario {loaded.name!r} ({loaded.kind}) version {loaded.version} [{loaded.status}]")
    print(f"  parent version: {loaded.parent_version or '-'}")
    print(f"  saved: {_fmt_time(loaded.created_at)} by {loaded.created_by or '-'}")
    if loaded.published_at is not None:
        print(f"  published: {_fmt_time(loaded.published_at)}")
    print(f"  rows: {loaded.n_rows}, content sha256: {loaded.content_hash}")
    if loaded.note:
        print(f"  note: {loaded.note}")
    if loaded.meta:
        print(f"  meta: {loaded.meta}")
    print("versions:")
    for v in store.versions(args.name):
        print(f"  {v.version:>4}  {v.status:<9}  {_fmt_time(v.created_at)}  {v.created_by or '-'}  "
              f"{v.n_rows} rows  {v.note or ''}".rstrip())
    if args.out:
        print(f"wrote {args.out}")
    return 0


def cmd_save(args) -> int:
    store = _store(args)
    frame = read_plan_csv(args.file, args.kind, args.tz)
    expected = args.expected_version
    if expected is None:
        try:
            expected = store.load(args.name, with_frame=False).version
        except ScenarioNotFoundError:
            expected = 0
    saved = store.save(args.name, args.kind, frame, expected_version=expected,
                       meta={"source_file": str(Path(args.file).name), "tz": args.tz},
                       author=args.author, note=args.note)
    print(f"saved scenario {saved.name!r} ({saved.kind}) version {saved.version} [draft], "
          f"{saved.n_rows} rows, based on version {expected}")
    return 0


def cmd_publish(args) -> int:
    published = _store(args).publish(args.name, args.version)
    print(f"published scenario {published.name!r} version {published.version}: it is now immutable; "
          f"later edits are saved as new versions")
    return 0


def cmd_diff(args) -> int:
    result = _store(args).diff(args.name, args.from_version, args.to_version)
    q = result.quantity
    print(f"scenario {result.name!r} ({result.kind}): version {result.version_a} -> {result.version_b}, "
          f"{q.replace('_', ' ')} per day")
    table = result.by_day.rename(columns={f"{q}_a": f"v{result.version_a}", f"{q}_b": f"v{result.version_b}",
                                          f"{q}_change": "change"})
    changed_days = table[np.abs(table["change"]) > 1e-9]
    if changed_days.empty:
        print("  no per-day differences")
    else:
        print(changed_days.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    if result.kind == "roster":
        if result.agents_changed.empty:
            print("no agent's shifts changed")
        else:
            print(f"{len(result.agents_changed)} agent(s) with changed shifts:")
            print(result.agents_changed.to_string(index=False))
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def register(subparsers) -> None:
    """Add ``wfm scenarios`` and its sub-commands."""
    parser = subparsers.add_parser(
        "scenarios", help="list, show, save, publish and diff versioned plans in the plan store",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="scenarios_command", metavar="ACTION", required=True)

    def common(p):
        p.add_argument("--database-url", default=None,
                       help="SQLAlchemy URL (default: $WFM_DATABASE_URL, else ~/.local/share/wfm/wfm.sqlite)")
        return p

    p = common(sub.add_parser("list", help="one line per scenario"))
    p.set_defaults(func=cmd_list)

    p = common(sub.add_parser("show", help="one version's details and the version history"))
    p.add_argument("--name", required=True)
    p.add_argument("--version", type=_positive_int, default=None, help="default: the latest")
    p.add_argument("--out", default=None, help="also write that version's rows to this CSV")
    p.set_defaults(func=cmd_show)

    p = common(sub.add_parser("save", help="save a CSV as a new version"))
    p.add_argument("--name", required=True)
    p.add_argument("--kind", required=True, choices=KINDS)
    p.add_argument("--file", required=True, help="CSV in the contract of --kind")
    p.add_argument("--expected-version", type=_positive_int, default=None,
                   help="the version your edit is based on (0 = new scenario); refused if someone saved since")
    p.add_argument("--note", default=None)
    p.add_argument("--author", default=None, help="default: the OS user")
    p.add_argument("--tz", default=DEFAULT_TZ, help="IANA zone of the plan [Europe/Stockholm]")
    p.set_defaults(func=cmd_save)

    p = common(sub.add_parser("publish", help="make a version immutable"))
    p.add_argument("--name", required=True)
    p.add_argument("--version", type=_positive_int, required=True)
    p.set_defaults(func=cmd_publish)

    p = common(sub.add_parser("diff", help="per-day agent-hours (and changed agents) between two versions"))
    p.add_argument("--name", required=True)
    p.add_argument("--from-version", type=_positive_int, required=True)
    p.add_argument("--to-version", type=_positive_int, required=True)
    p.set_defaults(func=cmd_diff)
