"""People commands: `people list`, `set-role`, `set-supervisor`, `set-cadence`.

Every change asks the engine to plan the people it touched again (`request_replan`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from bot import cli_org
from bot.cli_org import (
    DatabaseUrl,
    Policy,
    choose_pack,
    database,
    json_text,
    out,
    parse_day,
    render_table,
    today_local,
    user_errors,
)
from handlers.replies import Table
from storage.agenda_rows import request_replan
from storage.db import session_scope
from storage.people import (
    OrgError,
    get_person,
    list_people,
    set_cadence,
    set_role,
    set_supervisor,
    teams_named,
)
from storage.roles import RoleOnDay, roles_on_their_day

people_app = typer.Typer(name="people", no_args_is_help=True, help="List and change people.")


@people_app.command("list")
@user_errors
def people_list(
    team: Annotated[str | None, typer.Option(help="Only this team.")] = None,
    supervisor: Annotated[str | None, typer.Option(help="Only this supervisor's people.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List active people by team and name."""
    engine = database(database_url)
    with session_scope(engine) as session:
        teams = teams_named(session, team) if team is not None else None
        if supervisor is not None:
            get_person(session, supervisor)  # a mistyped id is an error, not "0 people"
        rows = list_people(session, teams=teams, supervisor_id=supervisor)
        roles = roles_on_their_day(session, rows, cli_org.CLOCK.now())
    if as_json:
        typer.echo(json_text([
            {"id": p.id, "name": p.name, "email": p.email, "role": roles[p.id].role,
             "supervisor_id": p.supervisor_id, "start_date": roles[p.id].start.isoformat(),
             "next_role": _next_role(roles[p.id]), "team": p.team, "timezone": p.timezone,
             "slack_user_id": p.slack_user_id, "teams_user_id": p.teams_user_id}
            for p in rows
        ]))  # fmt: skip
        return
    table = Table(columns=("Id", "Name", "Role", "Supervisor", "Team", "Role start"), rows=tuple(
        (p.id, p.name, roles[p.id].role.replace("_", " "), p.supervisor_id or "-",
         p.team or "-", roles[p.id].start.isoformat()) for p in rows
    ))  # fmt: skip
    console = out()
    console.print(render_table(table))
    for p in rows:  # recorded changes of role still to come
        if (r := roles[p.id]).next_role is not None and r.next_start is not None:
            console.print(f"{escape(p.name)} ({p.id}) becomes {r.next_role.replace('_', ' ')} "
                          f"on {r.next_start.isoformat()}.")  # fmt: skip
    console.print(f"{len(rows)} people.")


def _next_role(r: RoleOnDay) -> dict[str, str] | None:
    if r.next_role is None or r.next_start is None:
        return None
    return {"role": r.next_role, "from": r.next_start.isoformat()}


Since = Annotated[
    str | None,
    typer.Option("--since", help="From this date (YYYY-MM-DD); default today.", show_default=False),
]


@people_app.command("set-role")
@user_errors
def people_set_role(
    person: Annotated[str, typer.Argument(help="Person id.")],
    role: Annotated[str, typer.Argument(help="Role id of the policy pack.")],
    since: Since = None,
    policy: Policy = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Give a person a new role (their cadence follows the role from --since)."""
    engine = database(database_url)
    pack = choose_pack(engine, policy)
    day = parse_day(since, "--since") if since else today_local()
    now = cli_org.CLOCK.now()
    with session_scope(engine) as session:
        set_role(session, pack, person, role, day, now)
        request_replan(session, [person], now)
    out().print(f"{person} is now {role} from {day.isoformat()}.")


@people_app.command("set-supervisor")
@user_errors
def people_set_supervisor(
    person: Annotated[str, typer.Argument(help="Person id.")],
    supervisor: Annotated[str, typer.Argument(help="Supervisor's id, or 'none'.")],
    since: Since = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Change who supervises a person (recorded with its date: a new agreement is due)."""
    engine = database(database_url)
    today = today_local()
    day = parse_day(since, "--since") if since else today
    if day > today:
        raise OrgError(
            f"--since {day.isoformat()} is in the future; record the change on or after the "
            "day it happens (the current supervisor is who supervises today)."
        )
    new = None if supervisor.lower() == "none" else supervisor
    with session_scope(engine) as session:
        before = get_person(session, person).supervisor_id
        set_supervisor(session, person, new, day, cli_org.CLOCK.now())
        # The old supervisor's load changes too (the ratio).
        request_replan(session, [person, *([before] if before else [])], cli_org.CLOCK.now())
    out().print(f"{person} is supervised by {new or 'nobody'} from {day.isoformat()}.")


@people_app.command("set-cadence")
@user_errors
def people_set_cadence(
    person: Annotated[str, typer.Argument(help="Person id.")],
    cadence: Annotated[
        str, typer.Argument(help="weekly, fortnightly, '3 weeks', monthly..., or 'none' to clear.")
    ],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (e.g. 'performance plan'); required.")
    ] = None,
    since: Since = None,
    policy: Policy = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Set a personal cadence more frequent than the role's (e.g. under a performance plan),
    counted from --since (default today): the first session under it is due one interval
    after that day, or after the last session if that is later."""
    engine = database(database_url)
    pack = choose_pack(engine, policy)
    today = today_local()
    day = parse_day(since, "--since") if since else today
    if day > today:
        raise OrgError(f"--since {day.isoformat()} is in the future; set the cadence on or "
                       "after the day it is agreed.")
    new = None if cadence.strip().lower() == "none" else cadence
    with session_scope(engine) as session:
        set_cadence(session, pack, person, new, reason, day)
        request_replan(session, [person], cli_org.CLOCK.now())
    if new is None:
        out().print(f"{person} follows their role's cadence again.")
    else:
        why = (reason or "").strip()
        out().print(f"{person} is supervised {new.strip().lower()} from {day.isoformat()} "
                    f"({why}).")
