"""Every message kind: when it is due, to whom, what it says, which buttons it carries."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine

from bot.clock import FixedClock
from bot.dispatch import dispatch_due
from bot.transport import RecordingTransport
from handlers.reminders import candidate as k
from policy.engine import PolicyPack
from storage.db import session_scope
from storage.models import SupervisionSession
from tests.engine.conftest import pick, plan, sim
from tests.engine.org import Org, local


def test_session_reminders_go_to_both_and_the_early_one_carries_the_prep_prompt(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.action(w1, w1, "Read the SGO guidance", date(2026, 6, 30), local(date(2026, 5, 6), 11))
    sid = org.session(w1, local(date(2026, 6, 10), 14), booked=local(date(2026, 5, 6), 12))
    found = [
        c
        for c in plan(engine, leeds, local(date(2026, 6, 1), 9), [w1])
        if c.kind == k.SESSION_REMINDER
    ]
    due = sorted((c.due_at, c.recipient_id) for c in found)
    # Two working days before at 09:00 BST (08:00Z), and one hour before the session.
    assert due == [
        (datetime(2026, 6, 8, 8, 0, tzinfo=UTC), "mia"),
        (datetime(2026, 6, 8, 8, 0, tzinfo=UTC), w1),
        (datetime(2026, 6, 10, 12, 0, tzinfo=UTC), "mia"),
        (datetime(2026, 6, 10, 12, 0, tzinfo=UTC), w1),
    ]
    early = next(c for c in found if c.recipient_id == w1 and c.due_at.day == 8)
    assert [(b.action, b.value) for b in early.reply.buttons] == [(k.ACTION_OPEN_PREP, str(sid))]
    assert any("Read the SGO guidance" in f.value for f in early.reply.facts)
    assert all(not c.reply.buttons for c in found if c is not early)
    assert all(c.useful_until == local(date(2026, 6, 10), 14) for c in found)


def test_outcome_check_after_the_session_with_held_and_cancel_buttons(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    sid = org.session(w1, local(date(2026, 6, 10), 14), minutes=90)
    msgs = sim(engine, leeds, date(2026, 6, 10), date(2026, 6, 10))
    checks = pick(msgs, k.SESSION_OUTCOME_CHECK)
    assert [(m.at, m.recipient_id) for m in checks] == [(local(date(2026, 6, 10), 16), "mia")]
    (c,) = [
        c
        for c in plan(engine, leeds, local(date(2026, 6, 10), 9), [w1])
        if c.kind == k.SESSION_OUTCOME_CHECK
    ]
    assert [(b.action, b.value) for b in c.reply.buttons] == [
        (k.ACTION_SESSION_HELD, str(sid)),
        (k.ACTION_SESSION_CANCEL, str(sid)),
    ]
    # Once the outcome is known, nothing is asked.
    with session_scope(engine) as s:
        row = s.get(SupervisionSession, sid)
        assert row is not None
        row.held_at = local(date(2026, 6, 10), 15, 45)
    assert not pick(
        sim(engine, leeds, date(2026, 6, 10), date(2026, 6, 10)), k.SESSION_OUTCOME_CHECK
    )


def test_record_due_reminders_before_and_on_the_deadline(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    sid = org.session(w1, local(date(2026, 6, 1), 10), held=local(date(2026, 6, 1), 11))
    msgs = pick(sim(engine, leeds, date(2026, 6, 1), date(2026, 6, 30)), k.RECORD_DUE_REMINDER)
    # Leeds 4.13: shared within 10 working days of Mon 1 Jun -> Mon 15 Jun; reminder 2 before.
    assert [(m.at, m.recipient_id) for m in msgs] == [
        (local(date(2026, 6, 11), 9), "mia"),
        (local(date(2026, 6, 15), 9), "mia"),
    ]
    assert "today" in msgs[1].text
    (c, _) = [
        c
        for c in plan(engine, leeds, local(date(2026, 6, 2), 9), [w1])
        if c.kind == k.RECORD_DUE_REMINDER
    ]
    assert [(b.action, b.value) for b in c.reply.buttons] == [(k.ACTION_RECORD_SHARE, str(sid))]


def test_signing_reminder_then_deemed_agreed_where_silence_means_agreement(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    sid = org.session(
        w1,
        local(date(2026, 6, 1), 10),
        held=local(date(2026, 6, 1), 11),
        shared=local(date(2026, 6, 3), 16),
    )
    msgs = sim(engine, leeds, date(2026, 6, 1), date(2026, 6, 30))
    # Signed within 5 working days of Wed 3 Jun -> Wed 10 Jun; reminder one working day before.
    assert [(m.at, m.recipient_id) for m in pick(msgs, k.SIGNING_REMINDER)] == [
        (local(date(2026, 6, 9), 9), w1)
    ]
    deemed = pick(msgs, k.RECORD_DEEMED_AGREED)
    assert sorted((m.at, m.recipient_id) for m in deemed) == [
        (local(date(2026, 6, 11), 9), "mia"),
        (local(date(2026, 6, 11), 9), w1),
    ]
    assert "taken as an accurate record" in deemed[0].text
    # The live loop marks the record deemed agreed at the deadline.
    transport = RecordingTransport()
    for day in (4, 9, 11):
        dispatch_due(engine, leeds, FixedClock(local(date(2026, 6, day), 9)), transport, "t")
    with session_scope(engine) as s:
        row = s.get(SupervisionSession, sid)
        assert row is not None and row.record_deemed_agreed_at == local(date(2026, 6, 11), 9)
    sign = [m for _, m in transport.sent if m.kind == k.SIGNING_REMINDER]
    assert [(b.action, b.value) for b in sign[0].reply.buttons] == [
        (k.ACTION_RECORD_SIGN, str(sid))
    ]


def test_signed_record_gets_no_reminder(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    (w1,) = org.team()
    org.session(
        w1,
        local(date(2026, 6, 1), 10),
        held=local(date(2026, 6, 1), 11),
        shared=local(date(2026, 6, 3), 16),
        signed=local(date(2026, 6, 5), 10),
    )
    msgs = sim(engine, leeds, date(2026, 6, 1), date(2026, 6, 30))
    assert not pick(msgs, k.SIGNING_REMINDER) and not pick(msgs, k.RECORD_DEEMED_AGREED)
    assert not pick(msgs, k.RECORD_DUE_REMINDER)


def test_booking_nudge_when_nothing_is_booked_before_next_due(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.held(w1, local(date(2026, 5, 4), 10))  # monthly: next due Thu 4 Jun
    msgs = pick(sim(engine, leeds, date(2026, 5, 5), date(2026, 6, 4)), k.BOOKING_NUDGE)
    due = [m for m in msgs if "no supervision booked" in m.text]
    # 10 working days before Thu 4 Jun (Spring bank holiday Mon 25 May skipped): Wed 20 May.
    assert [(m.at, m.recipient_id, m.about_id) for m in due] == [
        (local(date(2026, 5, 20), 9), "mia", w1)
    ]
    horizon = [m for m in msgs if "planned 3 months ahead" in m.text]
    assert [m.at for m in horizon if m.about_id == w1] == [local(date(2026, 6, 1), 9)]


def test_no_booking_nudge_when_a_session_is_booked(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.held(w1, local(date(2026, 5, 4), 10))
    org.session(w1, local(date(2026, 6, 3), 10), booked=local(date(2026, 5, 4), 12))
    msgs = pick(sim(engine, leeds, date(2026, 5, 5), date(2026, 6, 2)), k.BOOKING_NUDGE)
    assert not [m for m in msgs if "no supervision booked" in m.text]


def test_overdue_notice_to_supervisee_and_supervisor(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.held(w1, local(date(2026, 5, 4), 10))
    msgs = pick(sim(engine, leeds, date(2026, 5, 5), date(2026, 6, 10)), k.OVERDUE_NOTICE)
    mine = sorted((m.at, m.recipient_id) for m in msgs if m.about_id == w1)
    assert mine == [(local(date(2026, 6, 5), 9), "mia"), (local(date(2026, 6, 5), 9), w1)]


def test_agreement_missing_expired_and_predating_a_new_supervisor(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    w1, w2, w3 = org.team(size=3)
    org.person("max", role="team_manager", supervisor="hana")
    org.agreement(w2, "mia", date(2025, 6, 15))  # renew annually -> Mon 15 Jun 2026
    org.agreement(w3, "mia", date(2026, 1, 12))
    org.change(w3, "max", date(2026, 6, 8))  # a new supervisor needs a new agreement
    msgs = pick(sim(engine, leeds, date(2026, 6, 2), date(2026, 6, 20)), k.AGREEMENT_REMINDER)
    by = {(m.recipient_id, m.about_id): m for m in msgs}
    assert by[("mia", w1)].at == local(date(2026, 6, 2), 9)  # missing: from the epoch
    assert "no signed supervision agreement" in by[("mia", w1)].text
    assert by[("mia", w2)].at == local(date(2026, 6, 15), 9)
    assert "due for renewal" in by[("mia", w2)].text
    assert by[("max", w3)].at == local(date(2026, 6, 8), 9)
    assert "predates the change of supervisor" in by[("max", w3)].text
    assert (w3, w3) in by and ("mia", w3) not in by


def test_action_reminder_to_its_owner(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    (w1,) = org.team()
    aid = org.action(
        w1,
        "mia",
        "Book the family group conference",
        date(2026, 6, 12),
        local(date(2026, 6, 1), 11),
    )
    msgs = pick(sim(engine, leeds, date(2026, 6, 1), date(2026, 6, 30)), k.ACTION_REMINDER)
    assert [(m.at, m.recipient_id, m.about_id) for m in msgs] == [
        (local(date(2026, 6, 10), 9), "mia", w1)
    ]
    (c,) = [
        c
        for c in plan(engine, leeds, local(date(2026, 6, 2), 9), [w1])
        if c.kind == k.ACTION_REMINDER
    ]
    assert [(b.action, b.value) for b in c.reply.buttons] == [(k.ACTION_ACTION_DONE, str(aid))]


def test_every_kind_and_reason_is_registered() -> None:
    assert len(set(k.KINDS)) == len(k.KINDS) == 11
    assert set(k.REASONS) == {"missed_session", "overdue", "supervisor_absent", "ratio"}
    assert k.ACTION_OPEN_PREP in k.BUTTON_ACTIONS and len(set(k.BUTTON_ACTIONS)) == 8


def test_every_button_the_engine_sends_is_an_action_the_chat_layer_handles() -> None:
    from handlers.chat.buttons import BY_ID

    assert set(k.BUTTON_ACTIONS) <= set(BY_ID)


def test_the_agreement_reminder_records_the_agreement_from_its_button(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    found = [
        c
        for c in plan(engine, leeds, local(date(2026, 6, 1), 9), [w1])
        if c.kind == k.AGREEMENT_REMINDER
    ]
    assert {c.recipient_id for c in found} == {"mia", w1}
    for c in found:
        assert [(b.label, b.action, b.value) for b in c.reply.buttons] == [
            ("Signed today", k.ACTION_AGREEMENT_SIGNED, w1)
        ]
