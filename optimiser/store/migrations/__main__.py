"""``python -m optimiser.store.migrations upgrade|downgrade REVISION [--database-url URL]``."""

from __future__ import annotations

import argparse

from optimiser.store.migrations import downgrade, upgrade
from optimiser.store.repository import default_database_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m optimiser.store.migrations")
    parser.add_argument("action", choices=("upgrade", "downgrade"))
    parser.add_argument("revision", nargs="?", default=None)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    url = args.database_url or default_database_url()
    if args.action == "upgrade":
        upgrade(url, args.revision or "head")
    else:
        downgrade(url, args.revision or "base")
    print(f"{args.action} {args.revision or ('head' if args.action == 'upgrade' else 'base')}: done ({url})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
