"""Reflective supervision from the command line: questions, the bank, preparation.

Each command calls the same platform-neutral handlers as chat and prints their reply; the
helpers here (the clock of `--today`, the bank, the patterns, printing a reply) serve
`bot/cli_notes.py` too.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from bot import cli_org
from bot.cli_org import DatabaseUrl, fail, user_errors
from bot.clock import Clock, FixedClock, SystemClock, local_date, local_instant
from bot.render_text import render_text
from bot.settings import Settings
from handlers.reflect import prep
from handlers.reflect.common import CONFIRM_FIELD
from handlers.reflect.config import child_patterns, question_bank
from handlers.reflect.questions import parse_focus, reflective_question
from handlers.replies import Reply
from policy.reflection.bank import QuestionBank, load_bank
from policy.reflection.child_details import ChildDetailPatterns, load_child_patterns
from policy.reflection.schema import FUNCTIONS, STAGE_TITLES, STAKEHOLDERS, cell_counts
from policy.reflection.yamlpath import FileProblem
from storage.db import session_scope

P = ParamSpec("P")
R = TypeVar("R")

reflect_app = typer.Typer(
    help="Reflective questions (4x4x4 model) and preparation for supervision.", no_args_is_help=True
)
bank_app = typer.Typer(help="Check and show the reflective question bank.", no_args_is_help=True)

As = Annotated[str, typer.Option("--as", help="Your person id (access rules apply).")]
Bank = Annotated[
    str | None,
    typer.Option("--bank", envvar="REFLECTION_BANK", show_envvar=True,
                 help="An organisation's question bank YAML (default: the built-in bank)."),
]  # fmt: skip
Today = Annotated[
    str | None,
    typer.Option("--today", help="Act as if today were DATE (YYYY-MM-DD), 09:00 local time."),
]


def file_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Bank and pattern file problems become a clear message and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except FileProblem as exc:
            raise fail(str(exc)) from None

    return user_errors(wrapper)


def clock_for(today: str | None) -> Clock:
    if today is None:
        return SystemClock()
    day = cli_org.parse_day(today, "--today")
    return FixedClock(local_instant(day, time(9, 0), Settings().default_timezone))


def bank_of(path: str | None) -> QuestionBank:
    return question_bank(path or Settings().reflection_bank)


def child_patterns_of() -> ChildDetailPatterns:
    return child_patterns(Settings().child_detail_patterns)


def show(reply: Reply) -> None:
    """Print a handler's reply; a refusal (or nothing found to act on) exits with code 1."""
    typer.echo(render_text(reply))
    if not reply.ok:
        raise typer.Exit(1)


def _concept(value: str | None, allowed: tuple[str, ...], option: str, kind: str) -> str | None:
    if value is None:
        return None
    if value in allowed:
        return value
    focus = parse_focus(f"about {value}" if kind == "function" else f"from {value}")
    found = focus.function if kind == "function" else focus.stakeholder
    if found is None:
        raise fail(f"{option}: '{value}' is not a {kind}; use one of {', '.join(allowed)}.")
    return found


# ---------------------------------------------------------------- reflect


@reflect_app.command("question")
@file_errors
def question_cmd(
    about: Annotated[
        str | None,
        typer.Option(
            "--about", help="A function: " + ", ".join(FUNCTIONS) + " (or e.g. 'wellbeing')."
        ),
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from", help="A stakeholder: " + ", ".join(STAKEHOLDERS) + " (or e.g. 'family')."
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Repeatable choice.")] = None,
    bank: Bank = None,
) -> None:
    """Give me a reflective question, optionally about a function or from a perspective."""
    function = _concept(about, FUNCTIONS, "--about", "function")
    stakeholder = _concept(from_, STAKEHOLDERS, "--from", "stakeholder")
    rng = random.Random(seed) if seed is not None else None
    show(reflective_question(bank_of(bank), function, stakeholder, rng=rng))


@reflect_app.command("prepare")
@file_errors
def prepare_cmd(
    session_id: Annotated[int, typer.Argument(help="The session to prepare for.")],
    as_person: As,
    today: Today = None,
    database_url: DatabaseUrl = None,
    bank: Bank = None,
) -> None:
    """Prepare for a session a question at a time; answers are saved as private notes."""
    engine, clock, qbank = cli_org.database(database_url), clock_for(today), bank_of(bank)
    with session_scope(engine) as db:
        reply = prep.start_prep(db, qbank, as_person, session_id, clock)
    show(reply)
    if reply.form is None:
        raise typer.Exit(1)
    values: dict[str, str] = {}
    for field in reply.form.fields:
        typer.echo(f"\n{field.label}")
        values[field.name] = typer.prompt(
            "Your answer (Enter to skip)", default=field.initial or "", show_default=False
        )
    labels = {f.name: f.label for f in reply.form.fields}
    while True:
        with session_scope(engine) as db:
            saved = prep.save_prep(
                db, qbank, as_person, session_id, values, clock, child_patterns_of()
            )
        if saved.form is None or not any(f.name == CONFIRM_FIELD for f in saved.form.fields):
            break
        show(saved)
        if typer.confirm("Save as written anyway?", default=False):
            values = {**values, CONFIRM_FIELD: "save"}
            continue
        # Edit only the flagged answers, each starting from what was written.
        snippets = [row[2] for table in saved.tables for row in table.rows]
        for name, label in labels.items():
            if any(snippet in values.get(name, "") for snippet in snippets):
                typer.echo(f"\n{label}")
                values[name] = typer.prompt("Your answer", default=values.get(name, ""))
    show(saved)


@reflect_app.command("share")
@user_errors
def share_cmd(
    session_id: Annotated[int, typer.Argument(help="The session whose notes to share.")],
    as_person: As,
    stop: Annotated[bool, typer.Option("--stop", help="Stop sharing instead.")] = False,
    today: Today = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Share a session's preparation notes with its supervisor (or --stop sharing)."""
    with session_scope(cli_org.database(database_url)) as db:
        if stop:
            show(prep.unshare_prep(db, as_person, session_id))
        else:
            show(prep.share_prep(db, as_person, session_id, clock_for(today)))


@bank_app.command("check")
@file_errors
def bank_check(file: Annotated[Path, typer.Argument(help="A question bank YAML file.")]) -> None:
    """Check an organisation's question bank file and say exactly what is wrong."""
    bank = load_bank(file)
    typer.echo(f"{file}: OK, {len(bank.questions)} questions in all 16 cells.")
    for warning in bank.warnings:
        typer.echo(f"Warning: {warning}")


@reflect_app.command("patterns")
@file_errors
def patterns_check(
    file: Annotated[Path, typer.Argument(help="A children's-details patterns YAML file.")],
    text: Annotated[str | None, typer.Option("--try", help="Show what TEXT would flag.")] = None,
    today: Today = None,
) -> None:
    """Check an organisation's children's-details patterns file (and try it on some text)."""
    patterns = load_child_patterns(file)
    typer.echo(
        f"{file}: OK, {len(patterns.specs)} patterns: " + ", ".join(s.id for s in patterns.specs)
    )
    if text is not None:
        day = local_date(clock_for(today).now(), Settings().default_timezone)
        flags = patterns.find(text, day)
        for flag in flags:
            typer.echo(f"  “{flag.snippet}” looks like {flag.label} ({flag.pattern_id})")
        if not flags:
            typer.echo("  Nothing flagged.")


@bank_app.command("show")
@file_errors
def bank_show(bank: Bank = None) -> None:
    """Show the bank in force: questions per Kolb stage and stakeholder."""
    qbank = bank_of(bank)
    counts = cell_counts(qbank.questions)
    typer.echo(f"{qbank.title}: {len(qbank.questions)} questions ({', '.join(qbank.sources)})")
    typer.echo(f"{'':18}" + "".join(f"{s:>18}" for s in STAKEHOLDERS))
    for stage, title in STAGE_TITLES.items():
        typer.echo(f"{title:18}" + "".join(f"{counts[(stage, s)]:>18}" for s in STAKEHOLDERS))
    for q in qbank.questions:
        typer.echo(f"{q.id:22} {q.stage}/{q.stakeholder} [{', '.join(q.functions)}] {q.text}")


# ---------------------------------------------------------------- actions


def register(app: typer.Typer) -> None:
    """Add `reflect` (and its `bank`) to the main app."""
    reflect_app.add_typer(bank_app, name="bank")
    app.add_typer(reflect_app, name="reflect")
