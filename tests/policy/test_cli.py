"""`policy list|show|check|why` through Typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli_policy import register
from policy.engine import available_packs, load_pack
from policy.loader import PACKS_DIR


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Root for the test."""

    register(app)
    return app


APP = _app()
RUNNER = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(APP, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


def test_list_names_every_pack() -> None:
    code, out, _ = _run("policy", "list")
    assert code == 0
    for name in available_packs():
        assert f"{name} " in out and load_pack(name).title in out


@pytest.mark.parametrize("name", ["leeds", "warwickshire", "darlington", "lancashire"])
def test_show_prints_every_rule_with_its_section(name: str) -> None:
    code, out, _ = _run("policy", "show", name)
    assert code == 0
    pack = load_pack(name)
    for ref in pack.rules():
        assert f"[{ref.rule_id}]" in out
    for role_id in pack.roles:
        assert f"{role_id}: " in out
    assumed = sum(1 for r in pack.rules() if r.assumed)
    assert out.count("ASSUMPTION, not policy:") == assumed
    assert out.count("(assumed)") == assumed + 1  # one in the header legend


def test_show_leeds_reads_like_the_framework() -> None:
    _, out, _ = _run("policy", "show", "leeds")
    assert ("Leeds 'Making a Difference' 2023, s4.13: \"Supervisors should give a copy of the "
            "record to the supervisee for signature within 10 working days.") in out
    assert "weekly, the first six weeks (until 6 weeks after the start)" in out
    assert "At most 10 supervisees per supervisor" in out
    assert "Reading: Two weeks is 10 working days" in out


def test_show_accepts_a_path() -> None:
    code, out, _ = _run("policy", "show", str(PACKS_DIR / "darlington.yaml"))
    assert code == 0 and "Case supervision (red)" in out


def test_show_unknown_pack_is_a_message_not_a_traceback() -> None:
    code, out, err = _run("policy", "show", "atlantis")
    assert code == 1
    assert "Error: no policy pack called 'atlantis'" in err
    assert "Traceback" not in out + err


def test_check_valid_pack() -> None:
    code, out, _ = _run("policy", "check", str(PACKS_DIR / "leeds.yaml"))
    assert code == 0 and out.startswith("OK: leeds (26 roles")


def test_check_lists_each_problem_with_its_path(tmp_path: Path) -> None:
    text = (PACKS_DIR / "warwickshire.yaml").read_text("utf-8")
    text = text.replace("horizon_months: 12", "horizon_months: 0")
    text = text.replace("renew_months: 12", "renew_mnths: 12")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, "utf-8")
    code, out, err = _run("policy", "check", str(bad))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == f"{bad}: not a valid policy pack"
    assert any(line.startswith("  - planning.horizon_months (line ") and
               "greater than or equal to 1" in line for line in lines)
    assert any(line.startswith("  - agreement.renew_months (line ") for line in lines)
    assert any(line.startswith("  - agreement.renew_mnths (line ") and "unknown field" in line
               for line in lines)


def test_check_yaml_syntax_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: x\nroles: {nqsw: [\n", "utf-8")
    code, _, err = _run("policy", "check", str(bad))
    assert code == 1 and "  - line " in err and "Traceback" not in err


def test_why_answers_with_the_source() -> None:
    code, out, _ = _run("policy", "why", "leeds", "records")
    assert code == 0
    assert "s4.13" in out and "no response by the supervisee" in out
    code, _, err = _run("policy", "why", "leeds", "xyzzy")
    assert code == 1 and "no rule in leeds matches 'xyzzy'" in err
