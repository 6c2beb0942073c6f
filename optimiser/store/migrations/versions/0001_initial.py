"""Initial plan-store schema: scenarios, scenario_versions, immutability triggers.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

from optimiser.store.models import UTCDateTime

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

#: Text of the error the triggers raise; the repository recognises it.
IMMUTABLE_MESSAGE = "wfm: scenario version is published and immutable"


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("latest_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.UniqueConstraint("name", name="uq_scenarios_name"),
        sa.CheckConstraint("kind IN ('forecast', 'requirement', 'schedule', 'roster')", name="ck_scenarios_kind"),
        sa.CheckConstraint("latest_version >= 0", name="ck_scenarios_latest_version"),
    )
    op.create_table(
        "scenario_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id", ondelete="RESTRICT",
                                                           name="fk_scenario_versions_scenario"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("parent_version", sa.Integer, nullable=True),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("payload_format", sa.String(40), nullable=False),
        sa.Column("meta", sa.Text, nullable=False),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("scenario_id", "version", name="uq_scenario_versions_scenario_version"),
        sa.CheckConstraint("status IN ('draft', 'published')", name="ck_scenario_versions_status"),
        sa.CheckConstraint("version >= 1", name="ck_scenario_versions_version"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER trg_scenario_versions_immutable_{action.lower()} "
                f"BEFORE {action} ON scenario_versions "
                "FOR EACH ROW WHEN OLD.status = 'published' "
                f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION wfm_refuse_published_change() RETURNS trigger AS $$ "
            "BEGIN IF OLD.status = 'published' THEN "
            f"RAISE EXCEPTION '{IMMUTABLE_MESSAGE} (scenario_id %, version %)', OLD.scenario_id, OLD.version "
            "USING ERRCODE = 'integrity_constraint_violation'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER trg_scenario_versions_immutable BEFORE UPDATE OR DELETE ON scenario_versions "
            "FOR EACH ROW EXECUTE FUNCTION wfm_refuse_published_change()"
        )
    # Other dialects: immutability is enforced by the repository only (documented).


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS trg_scenario_versions_immutable_update")
        op.execute("DROP TRIGGER IF EXISTS trg_scenario_versions_immutable_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_scenario_versions_immutable ON scenario_versions")
        op.execute("DROP FUNCTION IF EXISTS wfm_refuse_published_change()")
    op.drop_table("scenario_versions")
    op.drop_table("scenarios")
