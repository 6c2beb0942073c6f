"""Alembic env: runs on the connection handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from optimiser.store.migrations import VERSION_TABLE
from optimiser.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through optimiser.store.migrations
    raise RuntimeError("run the plan-store migrations through optimiser.store.migrations.upgrade/downgrade")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
