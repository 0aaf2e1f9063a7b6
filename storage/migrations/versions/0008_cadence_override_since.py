"""the day a personal cadence was set

A personal cadence (a performance plan's weekly supervision) applied back from the last
session, so setting one could make a person overdue, and escalate, at once. It now counts
from the day it was set; rows set before this revision keep the old reading (no day).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cadence_override_since", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("cadence_override_since")
