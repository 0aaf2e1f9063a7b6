"""Recording a signed supervision agreement from chat (the agreement reminder's button)."""

from __future__ import annotations

from typing import Any

from handlers.chat.common import fmt_day
from handlers.chat.request import ChatContext
from handlers.replies import Reply
from storage import chat_queries as q
from storage.agreements import record_agreement


def agreement_signed(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    """The supervisee `value` and their supervisor signed their supervision agreement today:
    either of them (or an admin) records it, and the agreement reminders stop."""
    person = q.get_person(ctx.session, value)
    if person is None or not person.active:
        return Reply(text="That person is no longer on record.", ephemeral=True)
    supervisor = q.get_person(ctx.session, person.supervisor_id or "")
    if supervisor is None:
        return Reply(
            text=f"{person.name} has no supervisor on record, so there is no agreement to record.",
            ephemeral=True,
        )
    if ctx.asker.id not in (person.id, supervisor.id) and not ctx.is_admin:
        return Reply(
            text=f"Only {person.name} or {supervisor.name} can record their supervision "
            "agreement.",
            ephemeral=True,
        )
    day = ctx.today_of(person)
    other = supervisor if ctx.asker.id == person.id else person
    if not record_agreement(ctx.session, person.id, supervisor.id, day, ctx.now):
        return Reply(
            text=f"The agreement with {other.name} signed on {fmt_day(day)} is already on record.",
            ephemeral=True,
        )
    months = ctx.pack.agreement.renew_months
    return Reply(
        text=f"Recorded: your supervision agreement with {other.name}, signed {fmt_day(day)}. "
        f"The reminders stop; it is due for renewal in {months} months."
        if ctx.asker.id in (person.id, supervisor.id)
        else f"Recorded: the supervision agreement between {person.name} and "
        f"{supervisor.name}, signed {fmt_day(day)}.",
    )
