"""The `supervision-bot` command line: one Typer app; each area adds its commands."""

from __future__ import annotations

import typer

from bot import __version__

app = typer.Typer(
    name="supervision-bot",
    help="Professional supervision for social care: cadence, reminders, records and escalations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"supervision-bot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Professional supervision for social care, in Slack, Teams or the console."""


def _register() -> None:
    # Each module adds its own commands; the order here is the order in --help.
    from bot import cli_chat, cli_engine, cli_notes, cli_org, cli_policy, cli_reflect, cli_teams

    cli_org.register(app)
    cli_policy.register(app)
    cli_engine.register(app)
    cli_chat.register(app)
    cli_reflect.register(app)
    cli_notes.register(app)
    cli_teams.register(app)


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
