"""init, import, people and status through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from storage.db import make_engine
from tests.cli.conftest import Run
from tests.storage.csvs import ORG, people_csv, write_csv
from tests.storage.snapshot import snapshot

SESSIONS = ("supervisee_id", "scheduled_at", "status")


def _user_error(result: object, *expected: str) -> str:
    """Exit code 1, one clear message on stderr, no traceback."""
    assert result.exit_code == 1, result.stdout  # type: ignore[attr-defined]
    err: str = result.stderr  # type: ignore[attr-defined]
    assert err.startswith("Error: ")
    assert "Traceback" not in err and "Traceback" not in result.stdout  # type: ignore[attr-defined]
    for text in expected:
        assert text in " ".join(err.split()), err
    return err


@pytest.mark.parametrize("command", [
    [], ["init"], ["import"], ["import", "people"], ["import", "sessions"],
    ["import", "absences"], ["people"], ["people", "list"], ["people", "set-role"],
    ["people", "set-supervisor"], ["people", "set-cadence"], ["status"], ["demo"],
])
def test_help_everywhere(run: Run, command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("supervision-bot ")


def test_commands_before_init_say_what_to_do(run: Run, db_url: str) -> None:
    if db_url.startswith("sqlite"):
        # No file yet: say so, and do not create one (a mistyped path must not leave one).
        path = db_url.removeprefix("sqlite:///")
        _user_error(run("status", "--database-url", db_url),
                    f"No database at {path}; run `supervision-bot init` first.")
        assert not Path(path).exists()
        make_engine(db_url).connect().close()  # an empty file: not initialised
    _user_error(run("status", "--database-url", db_url), "Run `supervision-bot init` first.")


def test_a_mistyped_sqlite_path_creates_nothing(run: Run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/x/nonexist.db"
    for args in (["status"], ["people", "list"], ["import", "people", "p.csv"],
                 ["ask", "--as", "tm1", "hello"], ["notes", "list", "--as", "tm1"]):
        _user_error(run(*args, "--database-url", url),
                    f"No database at {tmp_path}/x/nonexist.db; run `supervision-bot init` first.")
    env_url = f"sqlite:///{tmp_path}/nonexist.db"
    _user_error(run("status", env={"DATABASE_URL": env_url}), "No database at")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_init_stores_the_policy_and_is_repeatable(run: Run, db_url: str) -> None:
    first = run("init", "--database-url", db_url)
    assert first.exit_code == 0
    assert "Policy: leeds" in first.stdout
    again = run("init", "--database-url", db_url)
    assert again.exit_code == 0 and "Policy: leeds" in again.stdout
    _user_error(run("init", "--database-url", db_url, "--policy", "narnia"), "narnia")


def test_a_database_file_in_a_missing_folder(run: Run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/no/such/folder/x.db"
    _user_error(run("status", "--database-url", url), "No database at ")
    _user_error(run("init", "--database-url", url),
                f"No folder {tmp_path}/no/such/folder for the database file x.db")


def test_unreachable_database_is_one_line(run: Run, tmp_path: Path) -> None:
    (tmp_path / "a-folder.db").mkdir()  # not a file SQLite can open
    url = f"sqlite:///{tmp_path}/a-folder.db"
    _user_error(run("init", "--database-url", url), "Cannot use the database")


def _import_org(run: Run, url: str, tmp_path: Path) -> None:
    result = run("import", "people", str(people_csv(tmp_path / "people.csv", ORG)),
                 "--database-url", url)
    assert result.exit_code == 0, result.stderr
    assert "people.csv: 7 created, 0 updated, 0 unchanged, 6 supervisor changes" in (
        result.stdout)
    header = (*SESSIONS, "booked_on", "cancelled_on")
    sessions = write_csv(tmp_path / "sessions.csv", header, [
        ("sw1", "2026-02-10 10:00", "held", "", ""),
        ("sw1", "2026-03-10 10:00", "held", "", ""),
        ("sw1", "2026-04-09 10:00", "scheduled", "2026-03-10", ""),
        ("sw2", "2026-01-12 14:00", "held", "", ""),
        ("sw2", "2026-02-11 14:00", "cancelled", "", "2026-02-09"),
        ("nq1", "2026-03-09 09:30", "held", "", ""),
        ("nq1", "2026-03-23 14:00", "scheduled", "2026-03-09", ""),
        ("sw3", "2026-03-18 11:00", "held", "", ""),
        ("sw3", "2026-03-25 11:00", "cancelled", "2026-03-18", "2026-03-19"),
    ])
    result = run("import", "sessions", str(sessions), "--database-url", url)
    assert result.exit_code == 0, result.stderr
    assert "sessions.csv: 9 created" in result.stdout


def test_status_json_on_an_imported_org(run: Run, initialised: str, tmp_path: Path) -> None:
    _import_org(run, initialised, tmp_path)
    result = run("status", "--json", "--as-of", "2026-03-20", "--database-url", initialised)
    assert result.exit_code == 0, result.stderr
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    keys = ("role", "supervisor_id", "line_manager_id", "last_held", "next_due",
            "next_session", "overdue")
    got = {pid: tuple(r[k] for k in keys) for pid, r in rows.items()}
    assert got == {
        "sw1": ("social_worker", "tm1", "sdm", "2026-03-10", "2026-04-10",
                "2026-04-09T10:00:00+01:00", False),
        # Nothing held since 12 January: due 12 February; the cancelled one never counts.
        "sw2": ("social_worker", "tm1", "sdm", "2026-01-12", "2026-02-12", None, True),
        # NQSW from 2 February: weekly for six weeks, so due a week after 9 March.
        "nq1": ("nqsw", "tm2", "sdm", "2026-03-09", "2026-03-16",
                "2026-03-23T14:00:00+00:00", True),
        "sw3": ("social_worker", "tm2", "sdm", "2026-03-18", "2026-04-18", None, False),
        # Never supervised: due a month after starting in the role.
        "tm1": ("team_manager", "sdm", None, None, "2021-02-04", None, True),
        "tm2": ("team_manager", "sdm", None, None, "2022-04-07", None, True),
        "sdm": ("service_delivery_manager", None, None, None, "2020-07-01", None, True),
    }
    assert rows["sw1"]["name"] == "Lucy Barker" and rows["sw1"]["rule"].startswith("roles.")
    # Earlier: only what was known by the end of 5 March counts.
    early = run("status", "--json", "--as-of", "2026-03-05", "--database-url", initialised)
    sw1 = next(r for r in json.loads(early.stdout) if r["id"] == "sw1")
    assert (sw1["last_held"], sw1["next_due"], sw1["next_session"], sw1["overdue"]) == (
        "2026-02-10", "2026-03-10", "2026-03-10T10:00:00+00:00", False)


def test_status_has_one_object_per_person_and_says_booked_late(
    run: Run, initialised: str, tmp_path: Path
) -> None:
    _import_org(run, initialised, tmp_path)
    dd = ("dd", "Dana Dean", "dana@example.org", "deputy_director", "", "2019-01-01")
    people = people_csv(tmp_path / "people2.csv", [*ORG, dd])
    assert run("import", "people", str(people), "--database-url", initialised).exit_code == 0
    # sw3 was last supervised on 18 March, so is due by 18 April: 21 April is too late.
    late = write_csv(tmp_path / "late.csv", (*SESSIONS, "booked_on"),
                     [("sw3", "2026-04-21 11:00", "scheduled", "2026-03-19")])
    assert run("import", "sessions", str(late), "--database-url", initialised).exit_code == 0
    args = ("status", "--as-of", "2026-03-20", "--database-url", initialised)
    rows = json.loads(run(*args, "--json").stdout)
    assert [r["id"] for r in rows] == sorted(["dd", *(p[0] for p in ORG)])
    (dana,) = [r for r in rows if r["id"] == "dd"]
    assert dana == {
        "id": "dd", "name": "Dana Dean", "role": "deputy_director", "team": None,
        "supervisor_id": None, "line_manager_id": None, "last_held": None, "next_due": None,
        "next_session": None, "overdue": False, "cadence": None, "rule": None,
        "assumed": False, "citation": None, "note": "role has no supervision cadence in the pack",
    }
    table = run(*args)
    assert table.exit_code == 0, table.stderr
    sw3 = next(line for line in table.stdout.splitlines() if "Amara Eze" in line)
    assert sw3.rstrip().endswith("booked late") and "21 Apr 11:00" in sw3
    text = " ".join(table.stdout.split())
    assert "7 people under the leeds policy" in text
    assert "(1 booked after it)" in text
    assert ("Not in the table, their role has no supervision cadence in the leeds pack: "
            "Dana Dean (deputy director).") in text
    lucy = next(r for r in rows if r["id"] == "sw1")
    assert (lucy["assumed"], lucy["citation"]) == (False, "Leeds 'Making a Difference' 2023, "
                                                   "section 4.4")


def test_status_table_fits_100_columns(run: Run, initialised: str, tmp_path: Path) -> None:
    _import_org(run, initialised, tmp_path)
    result = run("status", "--database-url", initialised)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "Lucy Barker" in result.stdout and "overdue" in result.stdout
    assert "7 people under the leeds policy" in result.stdout


def test_bad_import_exits_1_and_writes_nothing(run: Run, initialised: str,
                                                tmp_path: Path) -> None:
    _import_org(run, initialised, tmp_path)
    engine: Engine = make_engine(initialised)
    before = snapshot(engine)
    bad = people_csv(tmp_path / "bad.csv", [*ORG, ("x", "X", "", "wizard", "tm1", "2025-01-01")])
    _user_error(run("import", "people", str(bad), "--database-url", initialised),
                "bad.csv, row 9, column role: unknown role 'wizard'", "Nothing was imported.")
    assert snapshot(engine) == before
    engine.dispose()


def test_people_commands(run: Run, initialised: str, tmp_path: Path) -> None:
    _import_org(run, initialised, tmp_path)
    url = ("--database-url", initialised)
    listed = run("people", "list", "--json", *url)
    assert {p["id"] for p in json.loads(listed.stdout)} == {r[0] for r in ORG}
    table = run("people", "list", "--supervisor", "tm1", *url)
    assert "Lucy Barker" in table.stdout and "Amara Eze" not in table.stdout
    assert run("people", "set-role", "sw2", "senior_social_worker", "--since", "2026-03-01",
               *url).exit_code == 0
    _user_error(run("people", "set-role", "sw2", "boss", *url),
                "Unknown role 'boss'", "social_worker")
    # A change from a later day: the list shows the role held today, and what comes next.
    assert run("people", "set-role", "sw3", "senior_social_worker", "--since", "2026-04-06",
               *url).exit_code == 0
    now = {p["id"]: p for p in json.loads(run("people", "list", "--json", *url).stdout)}
    assert (now["sw3"]["role"], now["sw3"]["start_date"]) == ("social_worker", "2019-11-11")
    assert now["sw3"]["next_role"] == {"role": "senior_social_worker", "from": "2026-04-06"}
    assert (now["sw2"]["role"], now["sw2"]["next_role"]) == ("senior_social_worker", None)
    shown = " ".join(run("people", "list", "--supervisor", "tm2", *url).stdout.split())
    assert "Amara Eze (sw3) becomes senior social worker on 2026-04-06." in shown, shown
    moved = run("people", "set-supervisor", "sw2", "tm2", *url)
    assert moved.exit_code == 0 and "from 2026-03-20" in moved.stdout
    _user_error(run("people", "set-supervisor", "sdm", "sw2", *url),
                "the supervision chain would loop (sdm -> sw2 -> tm2 -> sdm)")
    _user_error(run("people", "set-supervisor", "nobody", "tm1", *url), "No person with id")
    _user_error(run("people", "set-role", "sw2", "nqsw", "--since", "soon", *url),
                "--since: 'soon' is not a date")
    status = json.loads(run("status", "--json", "--as-of", "2026-03-21", *url).stdout)
    sw2 = next(r for r in status if r["id"] == "sw2")
    assert (sw2["role"], sw2["supervisor_id"]) == ("senior_social_worker", "tm2")
    # Before the move (effective 20 March), tm1 supervised sw2.
    past = json.loads(run("status", "--json", "--as-of", "2026-03-19", *url).stdout)
    assert next(r for r in past if r["id"] == "sw2")["supervisor_id"] == "tm1"


def test_policy_override(run: Run, initialised: str, tmp_path: Path) -> None:
    _user_error(run("status", "--database-url", initialised, "--policy", "nowhere"), "nowhere")
    env = {"SUPERVISION_POLICY": "nowhere-either"}
    _user_error(run("status", "--database-url", initialised, env=env), "nowhere-either")
    _user_error(run("status", "--database-url", initialised, "--as-of", "whenever"),
                "--as-of: 'whenever' is not a date")


def test_stored_pack_and_overrides(run: Run, initialised: str, tmp_path: Path) -> None:
    _import_org(run, initialised, tmp_path)
    url = ("--database-url", initialised)
    # Stored at init (warwickshire): it has no service_delivery_manager role.
    switched = run("init", "--policy", "warwickshire", *url)
    assert switched.exit_code == 0  # said at once, not only by the next status
    assert "role 'service_delivery_manager' is not in the warwickshire policy; left out: sdm" in (
        " ".join(switched.stderr.split()))
    stored = run("status", "--json", "--as-of", "2026-03-20", *url)
    assert stored.exit_code == 0
    assert "sdm" not in {r["id"] for r in json.loads(stored.stdout)}
    assert "role 'service_delivery_manager' is not in the warwickshire policy; left out: sdm" in (
        " ".join(stored.stderr.split()))
    # --policy and SUPERVISION_POLICY override the stored pack.
    flag = run("status", "--json", "--as-of", "2026-03-20", "--policy", "leeds", *url)
    assert "sdm" in {r["id"] for r in json.loads(flag.stdout)} and flag.stderr == ""
    env = run("status", "--json", "--as-of", "2026-03-20", *url,
              env={"SUPERVISION_POLICY": "leeds"})
    assert "sdm" in {r["id"] for r in json.loads(env.stdout)}
    # A team filter.
    assert run("init", "--policy", "leeds", *url).exit_code == 0
    _user_error(run("status", "--json", "--team", "Nowhere", *url),
                "No team 'Nowhere'. Teams: none recorded (the people.csv team column).")


def test_team_and_supervisor_filters_name_what_there_is(
    run: Run, initialised: str, tmp_path: Path
) -> None:
    url = ("--database-url", initialised)
    rows = [(*r, "North" if r[4] == "tm1" else "South") for r in ORG]
    assert run("import", "people", str(people_csv(tmp_path / "p.csv", rows, ["team"])),
               *url).exit_code == 0
    north = json.loads(run("status", "--json", "--team", "north", *url).stdout)
    assert {r["id"] for r in north} == {"sw1", "sw2"}  # any letter case
    _user_error(run("status", "--team", "East", *url), "No team 'East'. Teams: North, South.")
    listed = json.loads(run("people", "list", "--json", "--team", "SOUTH", *url).stdout)
    assert {p["id"] for p in listed} == {"tm1", "tm2", "sdm", "nq1", "sw3"}
    _user_error(run("people", "list", "--supervisor", "tm9", *url), "No person with id 'tm9'")
    # Two spellings of one team (an export typed by hand): both are that team.
    rows[0] = (*rows[0][:6], "north")
    assert run("import", "people", str(people_csv(tmp_path / "p2.csv", rows, ["team"])),
               *url).exit_code == 0
    north = json.loads(run("status", "--json", "--team", "NORTH", *url).stdout)
    assert {r["id"] for r in north} == {"sw1", "sw2"}


def test_personal_cadence_and_supervisor_dates(run: Run, initialised: str, tmp_path: Path) -> None:
    _import_org(run, initialised, tmp_path)
    url = ("--database-url", initialised)
    assert run("people", "set-cadence", "--help").exit_code == 0
    set_ = run("people", "set-cadence", "sw1", "Weekly", "--reason", "performance plan", *url)
    assert set_.exit_code == 0
    assert "sw1 is supervised weekly from 2026-03-20 (performance plan)" in set_.stdout
    # Counted from the day it was set (today), not back from her last session (10 March):
    # setting a plan never makes anyone overdue at once.
    status = json.loads(run("status", "--json", "--as-of", "2026-03-20", *url).stdout)
    lucy = next(r for r in status if r["id"] == "sw1")
    assert (lucy["next_due"], lucy["overdue"]) == ("2026-03-27", False)
    _user_error(run("people", "set-cadence", "sw1", "weekly", "--reason", "x", "--since",
                    "2026-03-21", *url), "--since 2026-03-21 is in the future")
    # Agreed on the day of her last session: due a week after it.
    assert run("people", "set-cadence", "sw1", "weekly", "--reason", "performance plan",
               "--since", "2026-03-10", *url).exit_code == 0
    # Before it was agreed, her role's monthly cadence applied (a month after 10 February).
    before = json.loads(run("status", "--json", "--as-of", "2026-03-09", *url).stdout)
    assert next(r for r in before if r["id"] == "sw1")["next_due"] == "2026-03-10"
    _user_error(run("people", "set-cadence", "sw1", "fortnightly", *url),
                "Give the reason for the personal cadence (--reason)")
    _user_error(run("people", "set-cadence", "sw1", "sometimes", "--reason", "x", *url),
                "'sometimes' is not a cadence I know")
    # Never more frequent than a social worker's monthly supervision: it would never apply.
    _user_error(run("people", "set-cadence", "sw1", "quarterly", "--reason", "x", *url),
                "'quarterly' is not more frequent than monthly, the leeds policy's cadence for "
                "Social worker (more than 12 months' experience) at its least frequent; a "
                "personal cadence can only make supervision more frequent")
    status = json.loads(run("status", "--json", "--as-of", "2026-03-20", *url).stdout)
    lucy = next(r for r in status if r["id"] == "sw1")
    assert lucy["next_due"] == "2026-03-17"  # a week after her last session (10 March)
    assert run("people", "set-cadence", "sw1", "none", *url).exit_code == 0
    status = json.loads(run("status", "--json", "--as-of", "2026-03-20", *url).stdout)
    assert next(r for r in status if r["id"] == "sw1")["next_due"] == "2026-04-10"
    # Supervisor changes are dated no later than today and never before the last one.
    _user_error(run("people", "set-supervisor", "sw1", "tm2", "--since", "2026-04-01", *url),
                "--since 2026-04-01 is in the future")
    assert run("people", "set-supervisor", "sw1", "tm2", "--since", "2026-03-10",
               *url).exit_code == 0
    _user_error(run("people", "set-supervisor", "sw1", "tm1", "--since", "2026-03-01", *url),
                "sw1's supervisor was last changed from 2026-03-10",
                "Give --since 2026-03-10 or later.")


def test_status_marks_assumed_cadences(run: Run, initialised: str, tmp_path: Path) -> None:
    returner = ("rt1", "Rita Tan", "", "returner", "tm1", "2026-03-02")
    people = people_csv(tmp_path / "people.csv", [*ORG, returner])
    assert run("import", "people", str(people), "--database-url", initialised).exit_code == 0
    args = ("status", "--as-of", "2026-03-20", "--database-url", initialised)
    rows = {r["id"]: r for r in json.loads(run(*args, "--json").stdout)}
    assert rows["rt1"]["assumed"] is True and rows["sw1"]["assumed"] is False
    table = run(*args).stdout
    rita = next(line for line in table.splitlines() if "Rita Tan" in line)
    assert "16 Mar 26*" in rita
    text = " ".join(table.split())
    assert "* Assumed: due dates for Social worker returning to work" in text
    assert "a default, not policy" in text


@pytest.mark.parametrize(("url", "expected"), [
    ("mysql://x/y", "DATABASE_URL names a mysql database; supervision-bot runs on SQLite or "
                    "PostgreSQL"),
    ("junk", "DATABASE_URL 'junk' is not a database URL; expected sqlite:///"),
    ("postgresql+psycopg2://u@h/d", "supervision-bot uses psycopg 3"),
    ("postgresql://u@h/d", "uses the psycopg2 driver; supervision-bot uses psycopg 3"),
    ("postgres://u@h/d", "DATABASE_URL starts with postgres://; write postgresql+psycopg://"),
    ("sqlite://", "sqlite:// is an in-memory database, gone when the command ends"),
])
def test_unsupported_database_urls(run: Run, url: str, expected: str) -> None:
    _user_error(run("status", "--database-url", url), expected)
    _user_error(run("init", "--database-url", url), expected)


def test_a_custom_pack_is_stored_so_a_moved_file_changes_nothing(run: Run, tmp_path: Path) -> None:
    leeds = (Path(__file__).parents[2] / "policy/packs/leeds.yaml").read_text("utf-8")
    pack = tmp_path / "ours.yaml"
    pack.write_text(leeds.replace("name: leeds", "name: ours", 1), encoding="utf-8")
    url = ("--database-url", f"sqlite:///{tmp_path}/o.db")
    first = run("init", "--policy", str(pack), *url)
    assert first.exit_code == 0, first.output
    assert "Policy: ours" in first.stdout and "stored in the database" in first.stdout
    pack.rename(tmp_path / "moved.yaml")  # another replica, or a tidied folder
    status = run("status", "--json", *url)
    assert status.exit_code == 0, status.output
    again = run("init", *url)  # a re-run (an upgrade) keeps the stored text
    assert again.exit_code == 0 and "Policy: ours" in again.stdout
    assert "kept the text stored from" in again.stdout
    builtin = run("init", "--policy", "warwickshire", *url)
    assert builtin.exit_code == 0 and "Policy: warwickshire" in builtin.stdout
    assert "Policy: warwickshire" in run("init", *url).stdout


def test_a_custom_pack_in_an_old_database_that_has_moved_says_how_to_recover(
    run: Run, tmp_path: Path
) -> None:
    from storage.db import make_engine, session_scope
    from storage.packs import forget_stored_pack

    pack = tmp_path / "ours.yaml"
    pack.write_text((Path(__file__).parents[2] / "policy/packs/leeds.yaml").read_text("utf-8"))
    url = f"sqlite:///{tmp_path}/o.db"
    assert run("init", "--policy", str(pack), "--database-url", url).exit_code == 0
    engine = make_engine(url)  # as `init` left it before the text was stored: a path only
    with session_scope(engine) as s:
        forget_stored_pack(s)
    engine.dispose()
    pack.rename(tmp_path / "moved.yaml")
    _user_error(run("status", "--database-url", url), "policy pack file not found",
                "the pack `supervision-bot init` recorded for this database",
                "supervision-bot init --policy NAME_OR_FILE")


def test_init_names_an_unknown_pack(run: Run, tmp_path: Path) -> None:
    url = ("--database-url", f"sqlite:///{tmp_path}/o.db")
    _user_error(run("init", "--policy", "leds", *url), "no policy pack called 'leds'")


def test_yearly_minimums_count_sessions_by_kind(run: Run, db_url: str, tmp_path: Path) -> None:
    url = ("--database-url", db_url)
    assert run("init", "--policy", "warwickshire", *url).exit_code == 0
    people = people_csv(tmp_path / "people.csv", [
        ("tm", "Tara Moss", "", "team_manager", "", "2020-01-06"),
        ("sw", "Sam Wu", "", "social_worker", "tm", "2020-01-06"),
        ("new", "Nell Ash", "", "social_worker", "tm", "2025-01-06"),
    ])
    assert run("import", "people", str(people), *url).exit_code == 0
    rows = [("sw", f"2025-{m:02d}-10 10:00", "held", "") for m in range(1, 9)]
    rows += [("sw", "2024-03-10 10:00", "held", ""),  # more than a year before: not counted
             ("sw", "2025-02-11 10:00", "held", "appraisal"),
             ("sw", "2025-02-12 10:00", "held", "observation"),
             ("sw", "2025-05-12 10:00", "held", "observation"),
             ("new", "2025-02-10 10:00", "held", "")]
    sessions = write_csv(tmp_path / "s.csv", (*SESSIONS, "kind"), rows)
    result = run("import", "sessions", str(sessions), *url)
    assert result.exit_code == 0, result.stderr
    status = {r["id"]: r for r in json.loads(
        run("status", "--json", "--as-of", "2025-09-01", *url).stdout)}
    sam = {m["rule"]: m for m in status["sw"]["minimums"]}
    assert (sam["minimums.supervision_sessions"]["held"],
            sam["minimums.supervision_sessions"]["required"]) == (8, 10)
    assert sam["minimums.appraisal_sessions"]["held"] == 1
    assert sam["minimums.observations_of_practice"] == {
        "rule": "minimums.observations_of_practice", "what": "direct observations of practice",
        "held": 2, "required": 2, "since": "2024-09-02", "met": True}
    # Started in January: 239 of 365 days in the role, so 6 of the 10.
    nell = {m["rule"]: m for m in status["new"]["minimums"]}["minimums.supervision_sessions"]
    assert (nell["held"], nell["required"], nell["since"]) == (1, 6, "2025-01-06")
    # The cadence still counts only 1:1 sessions: Sam's last was 10 August.
    assert status["sw"]["last_held"] == "2025-08-10"
    table = " ".join(run("status", "--as-of", "2025-09-01", *url).stdout.split())
    assert "Below a yearly minimum: Tara Moss: 0 of 10 practice and personal" in table
    assert "Nell Ash: 1 of 6 practice and personal supervision sessions, 0 of 1 appraisal" in table
    assert "Sam Wu: 8 of 10 practice and personal supervision sessions, 1 of 2 appraisal" in table
    bad = write_csv(tmp_path / "bad.csv", (*SESSIONS, "kind"),
                    [("sw", "2025-08-20 10:00", "held", "coffee")])
    _user_error(run("import", "sessions", str(bad), *url),
                "row 2, column kind: 'coffee' is not a kind of session; expected one of "
                "individual, appraisal, observation, group")


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--as-of", "9999-12-31"),
        ("status", "--as-of", "9999-12-31T10:00"),
        ("simulate", "--from", "9999-12-01", "--to", "9999-12-31"),
        ("simulate", "--from", "0001-01-01", "--to", "0001-02-01"),
    ],
)
def test_implausible_dates_are_refused(run: Run, initialised: str, args: tuple[str, ...]) -> None:
    _user_error(run(*args, "--database-url", initialised),
                "is not a plausible date; expected a year from 1900 to 2100")


def test_init_with_a_missing_pack_file_creates_nothing(run: Run, tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    _user_error(run("init", "--policy", str(tmp_path / "leeds.yaml"), "--database-url",
                    f"sqlite:///{db}"))
    assert not db.exists()
