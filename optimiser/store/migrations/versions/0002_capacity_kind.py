"""Plan-store kind ``capacity``: long-range capacity plans (the month table of ``wfm capacity``).

Only the check constraint on ``scenarios.kind`` changes.  PostgreSQL drops and re-creates it.  SQLite
cannot alter a constraint, and rebuilding ``scenarios`` (Alembic's batch mode) would drop a table that
``scenario_versions`` references while foreign keys are enforced, so the constraint's text is edited in
the schema instead — the documented procedure for loosening a CHECK constraint, which leaves the stored
rows as they are (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema
Changes"; the schema version is raised so every connection re-reads it).  Downgrading removes the
capacity scenarios first (refused by the triggers if one of their versions is published).

Revision ID: 0002_capacity_kind
Revises: 0001_initial
Create Date: 2026-12-05
"""
from alembic import op

revision = "0002_capacity_kind"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_OLD = "kind IN ('forecast', 'requirement', 'schedule', 'roster')"
_NEW = "kind IN ('forecast', 'requirement', 'schedule', 'roster', 'capacity')"


def _sqlite_replace_check(old: str, new: str) -> None:
    bind = op.get_bind()
    table_sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'scenarios'").scalar()
    if old not in table_sql:
        raise RuntimeError(f"scenarios: expected the check {old!r} in its schema, found {table_sql!r}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'scenarios'",
                         (old, new))
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def _replace_check(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_replace_check(old, new)
    else:
        op.drop_constraint("ck_scenarios_kind", "scenarios", type_="check")
        op.create_check_constraint("ck_scenarios_kind", "scenarios", new)


def upgrade() -> None:
    _replace_check(_OLD, _NEW)


def downgrade() -> None:
    op.execute("DELETE FROM scenario_versions WHERE scenario_id IN (SELECT id FROM scenarios WHERE kind = 'capacity')")
    op.execute("DELETE FROM scenarios WHERE kind = 'capacity'")
    _replace_check(_NEW, _OLD)
