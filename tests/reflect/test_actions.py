"""Actions agreed in supervision: record, list, overdue for the supervisor, done, access."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import col, select

from bot.clock import FixedClock
from handlers.reflect.actions import (
    add_action,
    mark_action_done,
    my_actions,
    overdue_actions,
    supervisee_actions,
)
from handlers.reflect.common import ACTION_DONE
from storage.db import session_scope
from storage.models import ActionItem
from tests.reflect.conftest import Org

MARCH_2 = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
APRIL_1 = FixedClock(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))


def _actions(org: Org) -> list[ActionItem]:
    with session_scope(org.engine) as db:
        return list(db.exec(select(ActionItem).order_by(col(ActionItem.id))).all())


def test_supervisor_or_supervisee_records_actions_with_owner_and_due_date(org: Org) -> None:
    with session_scope(org.engine) as db:
        r1 = add_action(
            db, "sup", "amy", "Book the  safeguarding refresher", "amy", date(2026, 3, 20), MARCH_2
        )
        r2 = add_action(
            db,
            "amy",
            "amy",
            "Send Sam the training dates",
            "sup",
            date(2026, 3, 9),
            MARCH_2,
            session_id=org.sessions[1],
        )
    assert r1.text.startswith("Recorded action") and "Amy Worker, by Fri 20 Mar 2026" in r1.text
    assert r1.citations[0].section == "4.13"
    assert "Sam Super, by Mon 9 Mar 2026" in r2.text
    first, second = _actions(org)
    assert first.text == "Book the safeguarding refresher"
    # No session given: the latest session that has started (6 Feb 2026 is sessions[1]).
    assert first.session_id == org.sessions[1]
    assert second.session_id == org.sessions[1]
    assert (first.owner_id, first.due_on, first.done_at) == ("amy", date(2026, 3, 20), None)


def test_bad_actions_are_refused_with_a_reason_and_change_nothing(org: Org) -> None:
    with session_scope(org.engine) as db:
        cases = [
            (("ben", "amy", "x", "amy", date(2026, 3, 20)), "Only Amy Worker and their supervisor"),
            (("lm", "amy", "x", "amy", date(2026, 3, 20)), "Only Amy Worker and their supervisor"),
            (("adm", "amy", "x", "amy", date(2026, 3, 20)), "Only Amy Worker and their supervisor"),
            (("sup", "amy", "   ", "amy", date(2026, 3, 20)), "Say what the action is"),
            (("sup", "amy", "x" * 2001, "amy", date(2026, 3, 20)), "keep it under 2000"),
            (("sup", "amy", "x", "amy", date(2026, 3, 1)), "has already passed"),
            (("sup", "amy", "x", "amy", date(9999, 12, 31)), "is too far ahead"),
            (("sup", "amy", "x", "ghost", date(2026, 3, 20)), "active member of staff"),
            (("sup", "nobody", "x", "amy", date(2026, 3, 20)), "don't know anyone"),
            # Ben has no part in Amy's supervision, so cannot own its actions.
            (("sup", "amy", "x", "ben", date(2026, 3, 20)),
             "owned by someone in it: Amy Worker or Sam Super, or the supervisor's line manager"),
            (("sup", "amy", "Chase school re DOB 01/02/2016", "amy", date(2026, 3, 20)),
             "Nothing is recorded yet: “DOB 01/02/2016” looks like"),
        ]
        for (actor, supervisee, text, owner, due), expected in cases:
            reply = add_action(db, actor, supervisee, text, owner, due, MARCH_2)
            assert expected in reply.text, (actor, reply.text)
        wrong = add_action(
            db, "sup", "amy", "x", "amy", date(2026, 3, 20), MARCH_2, session_id=org.ben_session
        )
        assert "is not one of Amy Worker's sessions" in wrong.text
    assert _actions(org) == []


def test_open_and_overdue_lists_and_marking_done(org: Org) -> None:
    with session_scope(org.engine) as db:
        add_action(db, "sup", "amy", "Refresher", "amy", date(2026, 3, 20), MARCH_2)
        add_action(db, "sup", "amy", "Reflective log", "amy", date(2026, 5, 1), MARCH_2)
        add_action(db, "sup", "ben", "Caseload review", "sup", date(2026, 3, 10), MARCH_2)
    refresher, log, review = (a.id for a in _actions(org))
    assert refresher and log and review
    with session_scope(org.engine) as db:
        mine = my_actions(db, "amy", APRIL_1)
        assert mine.text == "You have 2 open actions, 1 overdue."
        assert [r[4] for r in mine.tables[0].rows] == ["overdue (12 days)", "open"]
        assert [b.action for b in mine.buttons] == [ACTION_DONE, ACTION_DONE]
        # Sam owns Ben's action, so it shows in Sam's own list too.
        assert [r[1] for r in my_actions(db, "sup", APRIL_1).tables[0].rows] == ["Caseload review"]
        overdue = overdue_actions(db, "sup", APRIL_1)
        assert overdue.text.startswith("2 overdue actions")
        assert [(r[1], r[2]) for r in overdue.tables[0].rows] == [
            ("Ben Worker", "Caseload review"),
            ("Amy Worker", "Refresher"),
        ]
        assert "None of your supervisees" in overdue_actions(db, "lm", APRIL_1).text
        # Read-only for the supervisor's line manager; nothing for others.
        assert "Refresher" in str(supervisee_actions(db, "lm", "amy", APRIL_1).tables)
        assert "can't see" in supervisee_actions(db, "ben", "amy", APRIL_1).text
        assert "can't see" in supervisee_actions(db, "adm", "amy", APRIL_1).text
        assert (
            "only the people in that supervision"
            in mark_action_done(db, "lm", refresher, APRIL_1).text
        )
        assert "can't find action" in mark_action_done(db, "ben", refresher, APRIL_1).text
        assert mark_action_done(db, "amy", refresher, APRIL_1).text == "Done: “Refresher”."
        assert "already marked done" in mark_action_done(db, "sup", refresher, APRIL_1).text
    with session_scope(org.engine) as db:
        assert my_actions(db, "amy", APRIL_1).text == "You have 1 open action."
        assert [r[2] for r in overdue_actions(db, "sup", APRIL_1).tables[0].rows] == [
            "Caseload review"
        ]
        done = supervisee_actions(db, "sup", "amy", APRIL_1, include_done=True)
        assert {r[4] for r in done.tables[0].rows} == {"done", "open"}


def test_an_action_that_may_name_a_child_is_kept_only_when_confirmed(org: Org) -> None:
    from handlers.reflect.common import CONFIRM_FIELD
    from handlers.replies import Form, FormField

    form = Form("Agreed action", "action_submit", (FormField("text", "Action agreed"),))
    with session_scope(org.engine) as db:
        warned = add_action(db, "sup", "amy", "Call about case ref CP-12345", "amy",
                            date(2026, 3, 20), MARCH_2, form=form, values={})
        assert warned.form is not None and "Nothing is saved yet" in warned.text
        assert warned.form.fields[0].initial == "Call about case ref CP-12345"
        assert _actions(org) == []
        # The line manager may own an action from the supervision they oversee.
        kept = add_action(db, "sup", "amy", "Review allocation of CP-12345 with Lee", "lm",
                          date(2026, 3, 20), MARCH_2, values={CONFIRM_FIELD: "save"})
        assert kept.text.startswith("Recorded action")
