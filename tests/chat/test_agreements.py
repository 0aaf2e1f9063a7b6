"""The agreement reminder's "Signed today" button records the supervision agreement."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from handlers.chat.dispatch import ChatService
from storage.models import Agreement, Outbox


def _agreements(engine: Engine) -> list[tuple[str, str, date]]:
    with Session(engine) as s:
        return [(a.supervisee_id, a.supervisor_id, a.signed_on)
                for a in s.exec(select(Agreement)).all()]  # fmt: skip


def test_either_party_records_it_once(engine: Engine, chat: ChatService) -> None:
    before = _agreements(engine)
    r = chat.action("tm1", "agreement_signed", "sw1")
    assert r.text == (
        "Recorded: your supervision agreement with Alex Jones, signed Wed 8 Apr 2026. "
        "The reminders stop; it is due for renewal in 12 months."
    )
    assert _agreements(engine) == [*before, ("sw1", "tm1", date(2026, 4, 8))]
    again = chat.action("sw1", "agreement_signed", "sw1")
    assert again.text == (
        "The agreement with Sam Taylor signed on Wed 8 Apr 2026 is already on record."
    )
    assert len(_agreements(engine)) == len(before) + 1
    # The engine is asked to plan them again (their reminders may no longer apply).
    with Session(engine) as s:
        assert s.exec(select(Outbox).where(Outbox.kind == "_replan",
                                           Outbox.recipient_id == "sw1")).first() is not None


def test_only_the_two_of_them_or_an_admin(engine: Engine, chat: ChatService) -> None:
    before = _agreements(engine)
    assert chat.action("sw3", "agreement_signed", "sw1").text == (
        "Only Alex Jones or Sam Taylor can record their supervision agreement."
    )
    assert chat.action("tm2", "agreement_signed", "sw1").text.startswith("Only Alex Jones")
    assert chat.action("sw1", "agreement_signed", "ghost").text == (
        "That person is no longer on record."
    )
    assert chat.action("adm", "agreement_signed", "sdm").text == (
        "Dana Director has no supervisor on record, so there is no agreement to record."
    )
    assert _agreements(engine) == before
    assert chat.action("adm", "agreement_signed", "sw3").text == (
        "Recorded: the supervision agreement between Chris Green and Priya Shah, signed "
        "Wed 8 Apr 2026."
    )
