"""the history of each person's role

`people set-role` and HR imports overwrote `person.role` and `role_start`, so a status as
of a day before a change of role, and a replay across it, used the new role. Each change
is now recorded (with the role held before the first one).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 13:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "role_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("role_start", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("role_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_role_change_person_start", ["person_id", "role_start"], unique=False
        )
        batch_op.create_index("ix_role_change_start", ["role_start"], unique=False)
        batch_op.create_index("ix_role_change_recorded", ["recorded_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("role_change", schema=None) as batch_op:
        batch_op.drop_index("ix_role_change_recorded")
        batch_op.drop_index("ix_role_change_start")
        batch_op.drop_index("ix_role_change_person_start")
    op.drop_table("role_change")
