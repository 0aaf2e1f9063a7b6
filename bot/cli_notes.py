"""Actions agreed in supervision and private preparation notes, from the command line.

Each command calls the same platform-neutral handlers as chat and prints their reply.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from bot import cli_org
from bot.cli_org import DatabaseUrl, fail, user_errors
from bot.cli_reflect import (
    As,
    Bank,
    Today,
    bank_of,
    child_patterns_of,
    clock_for,
    file_errors,
    show,
)
from bot.settings import Settings
from handlers.reflect import actions, note_changes, notes
from handlers.reflect.common import CONFIRM_FIELD
from storage.db import session_scope

actions_app = typer.Typer(
    help="Actions agreed in supervision: who, what, by when.", no_args_is_help=True
)
notes_app = typer.Typer(help="Your private preparation notes.", no_args_is_help=True)


@actions_app.command("add")
@user_errors
def actions_add(
    text: Annotated[str, typer.Argument(help="What is to be done.")],
    as_person: As,
    owner: Annotated[str, typer.Option("--owner", help="Person id responsible.")],
    due: Annotated[str, typer.Option("--due", help="Due date, YYYY-MM-DD.")],
    supervisee: Annotated[
        str | None, typer.Option("--for", help="Whose supervision (default: yours).")
    ] = None,
    session: Annotated[int | None, typer.Option("--session", help="Session id.")] = None,
    save_anyway: Annotated[bool, typer.Option(
        "--save-anyway", help="Record it even though it looks like it names a child's details "
        "(only when it does not).")] = False,
    today: Today = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Record an action agreed in supervision: what, who is responsible, by when."""
    due_on: date = cli_org.parse_day(due, "--due")
    with session_scope(cli_org.database(database_url)) as db:
        show(
            actions.add_action(
                db,
                as_person,
                supervisee or as_person,
                text,
                owner,
                due_on,
                clock_for(today),
                session_id=session,
                patterns=child_patterns_of(),
                values={CONFIRM_FIELD: "save"} if save_anyway else None,
            )
        )


@actions_app.command("list")
@user_errors
def actions_list(
    as_person: As,
    supervisee: Annotated[
        str | None,
        typer.Option("--for", help="A supervisee's actions (their supervisor or line manager)."),
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Your supervisees' overdue actions.")
    ] = False,
    all_: Annotated[bool, typer.Option("--all", help="Include done actions (with --for).")] = False,
    today: Today = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List your open actions, a supervisee's (--for), or your supervisees' overdue ones."""
    clock = clock_for(today)
    with session_scope(cli_org.database(database_url)) as db:
        if overdue:
            show(actions.overdue_actions(db, as_person, clock))
        elif supervisee:
            show(actions.supervisee_actions(db, as_person, supervisee, clock, include_done=all_))
        else:
            show(actions.my_actions(db, as_person, clock))


@actions_app.command("done")
@user_errors
def actions_done(
    action_id: Annotated[int, typer.Argument(help="The action's number.")],
    as_person: As,
    today: Today = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Mark an action done."""
    with session_scope(cli_org.database(database_url)) as db:
        show(actions.mark_action_done(db, as_person, action_id, clock_for(today)))


@notes_app.command("list")
@file_errors
def notes_list(as_person: As, database_url: DatabaseUrl = None, bank: Bank = None) -> None:
    """List your private preparation notes (only you can)."""
    with session_scope(cli_org.database(database_url)) as db:
        reply = notes.my_notes(db, bank_of(bank), as_person, buttons=False)
    if reply.tables:
        reply.text += "\nChange one with `notes edit NOTE_ID`, remove one with `notes delete`."
    show(reply)


@notes_app.command("edit")
@file_errors
def notes_edit(
    note_id: Annotated[int, typer.Argument(help="The note's number (see `notes list`).")],
    as_person: As,
    text: Annotated[
        str | None, typer.Option("--text", help="The new text (asked for when not given).")
    ] = None,
    save_anyway: Annotated[bool, typer.Option(
        "--save-anyway", help="Save even though it looks like it names a child's details "
        "(only when it does not).")] = False,
    today: Today = None,
    database_url: DatabaseUrl = None,
    bank: Bank = None,
) -> None:
    """Change the text of one of your private notes (checked for children's details)."""
    engine, clock = cli_org.database(database_url), clock_for(today)
    with session_scope(engine) as db:
        opened = note_changes.edit_form(db, bank_of(bank), as_person, note_id)
    if opened.form is None:
        show(opened)
        raise typer.Exit(1)
    current = opened.form.fields[0].initial or ""
    if text is None:
        typer.echo(f"{opened.text}\nNow: {current}")
        text = typer.prompt("New text", default=current, show_default=False)
    values = {"answer": text, **({CONFIRM_FIELD: "save"} if save_anyway else {})}
    while True:
        with session_scope(engine) as db:
            saved = notes.edit_note(db, as_person, note_id, values, clock, child_patterns_of())
        if saved.form is None or not any(f.name == CONFIRM_FIELD for f in saved.form.fields):
            break
        show(saved)
        if typer.confirm("Save as written anyway?", default=False):
            values = {**values, CONFIRM_FIELD: "save"}
        else:
            values = {"answer": typer.prompt("New text", default=values["answer"])}
    show(saved)


@notes_app.command("delete")
@user_errors
def notes_delete(
    as_person: As,
    note_id: Annotated[int | None, typer.Argument(help="The note's number.")] = None,
    session: Annotated[
        int | None, typer.Option("--session", help="All notes of a session.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Delete one of your notes, or all your notes for a session."""
    if (note_id is None) == (session is None):
        raise fail("Give a note number or --session SESSION_ID (one of the two).")
    with session_scope(cli_org.database(database_url)) as db:
        if note_id is not None:
            show(notes.delete_note(db, as_person, note_id))
        else:
            assert session is not None
            show(notes.delete_session_notes(db, as_person, session))


@notes_app.command("purge")
@user_errors
def notes_purge(today: Today = None, database_url: DatabaseUrl = None) -> None:
    """Delete notes older than NOTES_RETENTION_DAYS now (the scheduler does this daily)."""
    days = Settings().notes_retention_days
    with session_scope(cli_org.database(database_url)) as db:
        count = notes.purge_expired_notes(db, clock_for(today), days)
    typer.echo(f"Deleted {count} note{'s' if count != 1 else ''} older than {days} days.")


def register(app: typer.Typer) -> None:
    """Add `actions` and `notes` to the main app."""
    app.add_typer(actions_app, name="actions")
    app.add_typer(notes_app, name="notes")
