"""The Alembic migrations build exactly the schema storage/models.py declares."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from storage.db import make_engine
from storage.migrate import current_revision, head_revision, schema_diff, upgrade


def test_migrated_schema_matches_models(engine: Engine) -> None:
    assert schema_diff(engine) == []


def test_upgrade_records_head_and_is_idempotent(engine: Engine) -> None:
    head = head_revision()
    assert head is not None
    assert current_revision(engine) == head
    upgrade(engine)  # a second run is a no-op
    assert current_revision(engine) == head


def test_fresh_database_starts_unversioned_then_has_every_table(db_url: str) -> None:
    eng = make_engine(db_url)
    try:
        assert current_revision(eng) is None
        upgrade(eng)
        tables = set(inspect(eng).get_table_names())
        assert {"person", "supervisor_change", "supervision_session", "absence",
                "outbox", "org_setting", "alembic_version"} <= tables
    finally:
        eng.dispose()


def test_every_migration_downgrades_and_upgrades_again(engine: Engine) -> None:
    from alembic import command

    from storage.migrate import alembic_config

    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert schema_diff(engine) == []


def test_0004_lower_cases_stored_emails_and_indexes_handled_at(engine: Engine) -> None:
    from alembic import command
    from sqlalchemy import text

    from storage.migrate import alembic_config

    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0003")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO person (id, name, email, role, role_start, timezone, active) VALUES "
            "('a', 'A', 'Ann.Lee@Example.ORG', 'social_worker', '2026-01-05', 'Europe/London', "
            ":yes), ('b', 'B', NULL, 'social_worker', '2026-01-05', 'Europe/London', :yes)"
        ), {"yes": True})
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, email FROM person ORDER BY id")).all()
    emails: dict[str, str | None] = {r[0]: r[1] for r in rows}
    assert emails == {"a": "ann.lee@example.org", "b": None}
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("processed_event")}
    assert indexes["ix_processed_event_handled"] == ["handled_at"]
    assert schema_diff(engine) == []
