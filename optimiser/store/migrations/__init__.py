"""Alembic environment of the plan store (programmatic, no ``alembic.ini``).

:func:`alembic_config` builds the configuration; :func:`upgrade` and
:func:`downgrade` run it on an engine or URL.  ``PlanStore`` calls
:func:`upgrade` to ``head`` on first connect.  From a shell::

    python -m optimiser.store.migrations upgrade head  [--database-url URL]
    python -m optimiser.store.migrations downgrade base [--database-url URL]
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

SCRIPT_LOCATION = Path(__file__).resolve().parent
#: Own version table, so the plan store can share a database with other apps.
VERSION_TABLE = "wfm_alembic_version"


def alembic_config(connection: sa.engine.Connection | None = None) -> Config:
    """Alembic config pointing at this package; ``connection`` is used by env.py."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.attributes["connection"] = connection
    return cfg


def _run(engine_or_url, fn, revision: str) -> None:
    engine = sa.create_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes opening a fresh database at once: one migrates, the other waits.
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(74051)"))
        fn(alembic_config(connection), revision)


def upgrade(engine_or_url, revision: str = "head") -> None:
    """Run ``alembic upgrade <revision>`` on the database."""
    _run(engine_or_url, command.upgrade, revision)


def downgrade(engine_or_url, revision: str = "base") -> None:
    """Run ``alembic downgrade <revision>`` on the database."""
    _run(engine_or_url, command.downgrade, revision)


def current_revision(engine_or_url) -> str | None:
    """The revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    engine = sa.create_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    with engine.connect() as connection:
        ctx = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()
