"""Computed schedules of each built-in pack for a small reference organisation.

The committed files in tests/policy/snapshots/ make every change to a rule show up
as a reviewable diff. Regenerate after an intended change with:

    .venv/bin/python -m tests.policy.snapshot --update
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from policy import duties
from policy.engine import available_packs, load_pack, next_due, plan_dates
from policy.model import PolicyPack

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
PLAN_FROM = date(2026, 3, 2)
PLAN_UNTIL = date(2026, 6, 30)  # spans Easter and the May bank holidays
SESSION = date(2026, 3, 26)  # Thursday before Good Friday
D = date

# (person, role, role start, last held, override): roles missing from a pack are skipped
PEOPLE: list[tuple[str, str, date, date | None, str | None]] = [
    ("Nadia (new NQSW)", "nqsw", D(2026, 2, 2), None, None),
    ("Niall (NQSW, week 6)", "nqsw", D(2026, 1, 19), D(2026, 2, 27), None),
    ("Sam (social worker)", "social_worker", D(2019, 9, 2), D(2026, 1, 30), None),
    ("Sally (social worker, plan)", "social_worker", D(2021, 4, 6), D(2026, 2, 27),
     "fortnightly"),
    ("Tom (team manager)", "team_manager", D(2018, 1, 8), D(2026, 2, 27), None),
    ("Stella (student)", "student", D(2026, 2, 16), None, None),
    ("Ravi (returner)", "returner", D(2026, 1, 5), D(2026, 2, 23), None),
]


def _people(pack: PolicyPack) -> list[tuple[str, str, date, date | None, str | None]]:
    people = [p for p in PEOPLE if p[1] in pack.roles]
    named = {p[1] for p in PEOPLE}
    for role_id, role in pack.roles.items():
        if role.supervised and role_id not in named:
            people.append((f"({role.title})", role_id, D(2024, 6, 3), D(2026, 2, 27), None))
    return people


def _d(day: date | None) -> str:
    return day.strftime("%a %d %b %Y") if day else "-"


def render(pack: PolicyPack) -> str:
    """The reference organisation's schedule under `pack`, as stable text."""
    cal = pack.calendar()
    flag = {True: " (assumed)", False: ""}
    out = [f"# {pack.name} {pack.version}: reference schedule",
           f"# sessions planned {_d(PLAN_FROM)} to {_d(PLAN_UNTIL)}", ""]
    for name, role, start, last, override in _people(pack):
        due = next_due(pack, role, start, last, override)
        out.append(f"{name} [{role}] started {_d(start)}, last held {_d(last)}"
                   + (f", override {override}" if override else ""))
        out.append(f"  next due {_d(due.date)}: {due.cadence.label} ({due.cadence.phase}) "
                   f"<- {due.rule_id}{flag[due.assumed]}")
        plan = plan_dates(pack, role, start, last, PLAN_FROM, PLAN_UNTIL, cal, override)
        out.append("  plan: " + ", ".join(d.strftime("%d %b") for d in plan))
        for day, ms in duties.milestones(pack, role, start):
            out.append(f"  milestone {_d(day)}: {ms.what}")
    out += ["", f"Session held {_d(SESSION)}:"]
    share = duties.record_share_by(pack, SESSION, cal)
    sign = duties.record_sign_by(pack, share.date, None, cal)
    out.append(f"  record shared by {_d(share.date)}{flag[share.assumed]}")
    out.append(f"  record signed by {_d(sign.date) if sign else 'the next session'}"
               + (" (silence = agreement)" if pack.records.silence_means_agreement else ""))
    dated = [
        ("if rearranged, by", duties.rearrange_by(pack, SESSION, cal)),
        ("if off sick and back on Tue 07 Apr 2026, rebooked by",
         duties.rebook_after_sickness_by(pack, D(2026, 4, 7), cal)),
        ("supervisor absent from that day: escalate on",
         duties.absence_escalates_on(pack, SESSION, cal)),
        ("if it had been due that day and not held: escalate on",
         duties.overdue_escalates_on(pack, SESSION, cal)),
        ("agreement signed that day: renew by", duties.agreement_due(pack, SESSION, None)),
        ("  ... or with a new supervisor on Mon 01 Jun 2026 by",
         duties.agreement_due(pack, SESSION, D(2026, 6, 1))),
    ]
    for text, deadline in dated:
        out.append(f"  {text} {_d(deadline.date)}{flag[deadline.assumed]}")
    out.append(f"  book sessions up to {_d(duties.planning_horizon_end(pack, SESSION))}")
    start = datetime(2026, 4, 7, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    reminders = duties.session_reminder_instants(pack, start, "Europe/London", cal)
    out.append("  reminders for Tue 07 Apr 2026 10:00 London: "
               + ", ".join(r.strftime("%a %d %b %H:%M UTC") for r in reminders))
    limit = pack.ratio.max_supervisees
    out.append(f"  supervisees allowed per supervisor: {limit if limit else 'no limit'}")
    for c in pack.case_supervision:
        due_case = duties.case_review_due(pack, c.id, D(2026, 12, 31))
        out.append(f"  case '{c.rating or c.id}' last discussed Thu 31 Dec 2026: next by "
                   f"{_d(due_case.date)}")
    for p in pack.periodic:
        out.append(f"  {p.id}: {p.every.label}, after Thu 31 Dec 2026 next by "
                   f"{_d(p.every.after(D(2026, 12, 31)))}")
    for m in pack.minimums:
        out.append(f"  at least {m.count} {m.what} a year")
    return "\n".join(out) + "\n"


def snapshot_path(name: str) -> Path:
    return SNAPSHOTS / f"{name}.txt"


def main(argv: list[str]) -> int:
    if argv != ["--update"]:
        print("usage: python -m tests.policy.snapshot --update", file=sys.stderr)
        return 2
    SNAPSHOTS.mkdir(exist_ok=True)
    for name in available_packs():
        snapshot_path(name).write_text(render(load_pack(name)), "utf-8")
        print(f"wrote {snapshot_path(name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
