"""indexes for the engine's "what changed" and "next fact" reads

The engine asks, every pass, which facts became known in a time window and when the
next one does: one range read per state-change column. Without these indexes each
was a scan of its table (the simulation used to add them to its private copy only).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: tuple[tuple[str, str, str], ...] = (
    ("supervision_session", "ix_session_booked", "booked_at"),
    ("supervision_session", "ix_session_cancelled", "cancelled_at"),
    ("supervision_session", "ix_session_shared", "record_shared_at"),
    ("supervision_session", "ix_session_signed", "record_signed_at"),
    ("supervision_session", "ix_session_deemed", "record_deemed_agreed_at"),
    ("absence", "ix_absence_first_day", "first_day"),
    ("absence", "ix_absence_recorded", "recorded_at"),
    ("supervisor_change", "ix_supervisor_change_effective", "effective"),
    ("supervisor_change", "ix_supervisor_change_recorded", "recorded_at"),
    ("agreement", "ix_agreement_signed", "signed_on"),
    ("agreement", "ix_agreement_recorded", "recorded_at"),
    ("action_item", "ix_action_created", "created_at"),
    ("action_item", "ix_action_done", "done_at"),
)


def upgrade() -> None:
    for table, name, column in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, [column], unique=False)


def downgrade() -> None:
    for table, name, _column in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
