"""the text of a custom policy pack, stored by init

`init --policy FILE` used to record only the file's path, so every replica needed the
file at that path and a moved file stopped the bot. The pack's text is now kept in the
database.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_pack",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=1000), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("stored_pack")
