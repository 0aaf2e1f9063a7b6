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


def test_why_frequency_and_group_supervision_find_their_rules() -> None:
    code, out, _ = _run("policy", "why", "leeds", "frequency")
    first = " ".join(out.split()[:12])
    assert code == 0 and "[roles." in out.split("•")[1] and "Social worker" in first
    code, out, _ = _run("policy", "why", "warwickshire", "group supervision")
    assert code == 0 and "[periodic.group_supervision]" in out.split("•")[1]
    code, out, _ = _run("policy", "why", "warwickshire", "minimum a year")
    assert code == 0 and "[minimums." in out.split("•")[1]


def test_due_explains_the_next_date_and_plans() -> None:
    code, out, _ = _run("policy", "due", "leeds", "nqsw", "--start", "2026-01-05",
                        "--last", "2026-02-16", "--plan-until", "2026-05-01")
    assert code == 0
    assert out.splitlines()[0] == ("Next due Mon 02 Mar 2026: fortnightly during week six up to "
                                   "the six-month review  [roles.nqsw.phases[1]]")
    assert "s4.4" in out
    assert ("Proposed dates: Mon 02 Mar 2026, Mon 16 Mar 2026, Mon 30 Mar 2026, "
            "Mon 13 Apr 2026, Mon 27 Apr 2026") in out


def test_due_marks_assumptions_and_overrides() -> None:
    _, out, _ = _run("policy", "due", "leeds", "returner", "--start", "2026-01-05")
    assert "(assumed)" in out and "ASSUMPTION, not policy:" in out
    _, out, _ = _run("policy", "due", "warwickshire", "social_worker", "--start", "2020-01-06",
                     "--last", "2026-03-02", "--override", "weekly")
    assert out.startswith("Next due Mon 09 Mar 2026: weekly") and "s12.1" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--start", "2026-31-01"], "--start '2026-31-01' is not a date; use YYYY-MM-DD"),
    (["--start", "2026-01-05", "--override", "now and then"],
     "'now and then' is not a cadence I know"),
])
def test_due_bad_input_is_a_message(args: list[str], message: str) -> None:
    code, out, err = _run("policy", "due", "leeds", "nqsw", *args)
    assert code == 1 and message in err and "Traceback" not in out + err


def test_due_for_a_role_without_cadence() -> None:
    code, _, err = _run("policy", "due", "leeds", "deputy_director", "--start", "2026-01-05")
    assert code == 1 and "sets no supervision cadence for Deputy director" in err
