"""`supervision-bot policy ...`: list, show, check and ask "why?" of policy packs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import typer
from rich.console import Console
from rich.markup import escape

from bot.clock import FIRST_YEAR, LAST_YEAR, plausible_year
from policy.engine import (
    PolicyError,
    PolicyPack,
    RuleRef,
    available_packs,
    load_pack,
    next_due,
    plan_dates,
)
from policy.loader import PACKS_DIR

policy_app = typer.Typer(
    name="policy",
    help="Supervision policy packs: list them, show one with its sources, check a custom one.",
    no_args_is_help=True,
)

_GROUPS = (
    ("records", "Records"),
    ("rearranging", "Rearranging and absence"),
    ("absence", None),
    ("agreement", "Supervision agreement"),
    ("planning", "Planning"),
    ("ratio", "Ratio"),
    ("overrides", "Personal arrangements"),
    ("minimums", "Minimums each year"),
    ("periodic", "Other regular activities"),
    ("case_supervision", "Case supervision"),
    ("deadlines", "Other deadlines"),
    ("escalation", "Escalation (supervision-bot)"),
    ("reminders", "Reminders (supervision-bot)"),
)


def _out() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False).print(f"[red]Error:[/red] {escape(message)}")
    return typer.Exit(code=1)


def _load(ref: str) -> PolicyPack:
    try:
        return load_pack(ref)
    except PolicyError as exc:
        raise _fail(str(exc)) from None


def _print_rule(console: Console, ref: RuleRef, indent: str = "  ", strip: str = "",
                cited_above: bool = False) -> None:
    tag = " [yellow](assumed)[/yellow]" if ref.assumed else ""
    summary = ref.summary.removeprefix(strip)
    console.print(f"{indent}• {escape(summary)}{tag}  [dim]\\[{ref.rule_id}][/dim]")
    c = ref.citation
    if cited_above:
        console.print(f"{indent}    [dim](same source as above)[/dim]")
    else:
        console.print(f"{indent}    [cyan]{escape(c.document)}, {escape(c.where())}[/cyan]: "
                      f"[italic]\"{escape(c.quote)}\"[/italic]")
    for extra in ref.rule.see_also:
        console.print(f"{indent}    [dim]see also {escape(extra.document)}, "
                      f"{escape(extra.where())}: \"{escape(extra.quote)}\"[/dim]")
    if ref.rule.reading:
        console.print(f"{indent}    [dim]Reading:[/dim] {escape(ref.rule.reading)}")
    if ref.assumed and ref.assumed_why:
        console.print(f"{indent}    [yellow]ASSUMPTION, not policy:[/yellow] "
                      f"{escape(ref.assumed_why)}")


def _show_roles(console: Console, pack: PolicyPack, refs: list[RuleRef]) -> None:
    console.print("\n[bold]Roles and supervision cadence[/bold] (phases counted from the role "
                  "start date)")
    for role_id, role in pack.roles.items():
        console.print(f"\n  [bold]{escape(role_id)}[/bold]: {escape(role.title)}")
        if role.note:
            console.print(f"    [dim]{escape(role.note)}[/dim]")
        previous = None
        for ref in refs:
            if ref.rule_id == f"roles.{role_id}" or ref.rule_id.startswith(f"roles.{role_id}."):
                _print_rule(console, ref, indent="    ", strip=f"{role.title}: ",
                            cited_above=ref.citation == previous)
                previous = ref.citation


def show_pack(pack: PolicyPack, console: Console) -> None:
    """Print a whole pack, every rule with its cited section; assumptions marked."""
    refs = pack.rules()
    assumed = sum(1 for r in refs if r.assumed)
    src = pack.source
    console.print(f"[bold]{escape(pack.title)}[/bold]  ({escape(pack.name)}, version "
                  f"{escape(pack.version)})")
    console.print(f"Source: {escape(src.title)}, {escape(src.organisation)} ({src.year})")
    console.print(f"Working days: Monday to Friday except {pack.nation.replace('_', ' ').title()}"
                  f" bank holidays. {len(refs)} rules, {assumed} of them assumptions "
                  f"[yellow](assumed)[/yellow]: defaults where the document leaves a value open.")
    _show_roles(console, pack, refs)
    for prefix, heading in _GROUPS:
        group = [r for r in refs if r.rule_id == prefix or r.rule_id.startswith(prefix + ".")]
        if not group:
            continue
        if heading:
            console.print(f"\n[bold]{heading}[/bold]")
        for ref in group:
            _print_rule(console, ref)


@policy_app.command("list")
def list_packs() -> None:
    """List the built-in policy packs."""
    console = _out()
    for name in available_packs():
        pack = _load(name)
        refs = pack.rules()
        assumed = sum(1 for r in refs if r.assumed)
        console.print(f"[bold]{name:<14}[/bold] {escape(pack.title)} ({len(pack.roles)} roles, "
                      f"{len(refs)} rules, {assumed} assumed)")
    console.print(f"[dim]Packs live in {PACKS_DIR}; copy one, change it and use "
                  f"--policy path/to/pack.yaml[/dim]")


@policy_app.command("show")
def show(ref: str = typer.Argument(..., help="A built-in pack name (e.g. leeds) or a .yaml path.")
         ) -> None:
    """Show a whole pack: every rule with the section it comes from."""
    show_pack(_load(ref), _out())


@policy_app.command("check")
def check(path: str = typer.Argument(..., help="The pack file to validate.")) -> None:
    """Validate a custom pack file; lists each problem with its path in the file."""
    try:
        pack = load_pack(path)
    except PolicyError as exc:
        console = Console(stderr=True, highlight=False)
        console.print(f"[red]{escape(path)}: not a valid policy pack[/red]")
        for problem in exc.problems:
            console.print(f"  - {escape(problem)}")
        raise typer.Exit(code=1) from None
    refs = pack.rules()
    assumed = sum(1 for r in refs if r.assumed)
    _out().print(f"[green]OK[/green]: {escape(pack.name)} ({len(pack.roles)} roles, "
                 f"{len(refs)} rules, {assumed} assumed)")


@policy_app.command("why")
def why(
    ref: str = typer.Argument(..., help="Pack name or path."),
    topic: list[str] = typer.Argument(..., help="A rule id, role id or words, e.g. 'records'."),
) -> None:
    """Answer "why?" about a topic with the rules and their sources."""
    pack = _load(ref)
    text = " ".join(topic)
    found = pack.why(text)
    console = _out()
    if not found:
        raise _fail(f"no rule in {pack.name} matches {text!r}; try `policy show {pack.name}`")
    for r in _first(found, 5):
        _print_rule(console, r)


def _day(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{option} {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-05") from None
    if not plausible_year(day.year):
        raise _fail(f"{option} {text!r} is not a plausible date; expected a year from "
                    f"{FIRST_YEAR} to {LAST_YEAR}")
    return day


@policy_app.command("due")
def due(
    ref: str = typer.Argument(..., help="Pack name or path."),
    role: str = typer.Argument(..., help="Role id, e.g. nqsw."),
    start: str = typer.Option(..., "--start", help="Role start date (YYYY-MM-DD)."),
    last: str | None = typer.Option(None, "--last", help="Last session held (YYYY-MM-DD)."),
    override: str | None = typer.Option(None, "--override", help="Personal cadence, e.g. weekly."),
    plan_until: str | None = typer.Option(
        None, "--plan-until", help="Also propose working-day dates up to this day."
    ),
) -> None:
    """Work out when supervision is next due for a role, and why (try a custom pack)."""
    pack = _load(ref)
    start_day = _day(start, "--start")
    last_day = _day(last, "--last") if last else None
    until = _day(plan_until, "--plan-until") if plan_until else None
    try:
        result = next_due(pack, role, start_day, last_day, override)
        plan = (plan_dates(pack, role, start_day, last_day,
                           (last_day or start_day) + timedelta(days=1), until, None, override)
                if until else [])
    except PolicyError as exc:
        raise _fail(str(exc)) from None
    console = _out()
    c = result.cadence
    tag = " [yellow](assumed)[/yellow]" if c.assumed else ""
    console.print(f"Next due {result.date:%a %d %b %Y}: {escape(c.label)} during "
                  f"{escape(c.phase)}{tag}  [dim]\\[{c.rule_id}][/dim]")
    console.print(f"  [cyan]{escape(c.citation.document)}, {escape(c.citation.where())}[/cyan]: "
                  f"[italic]\"{escape(c.citation.quote)}\"[/italic]")
    if c.assumed and c.assumed_why:
        console.print(f"  [yellow]ASSUMPTION, not policy:[/yellow] {escape(c.assumed_why)}")
    if until:
        console.print("Proposed dates: " + (", ".join(f"{d:%a %d %b %Y}" for d in plan) or "none"))


def _first(refs: Iterable[RuleRef], n: int) -> list[RuleRef]:
    return list(refs)[:n]


def register(app: typer.Typer) -> None:
    """Add the `policy` commands to the main app."""
    app.add_typer(policy_app, name="policy")
