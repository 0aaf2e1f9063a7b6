"""Proactive delivery: the engine's reminders reach people in Teams through stored references."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from bot.clock import FixedClock
from bot.dispatch import dispatch_due
from bot.teams.server import build_transport
from bot.teams.transport import CompositeTransport, TeamsTransport, unreachable_notice_key
from bot.transport import DeliveryFailed, OutgoingMessage
from handlers.replies import Button, Reply
from policy.engine import load_pack
from storage import teams_queries
from storage.db import session_scope
from storage.models import AdminNotice, Outbox, Person
from tests.chat.org import NOW
from tests.teams.conftest import Endpoint, settings
from tests.teams.fakes import FakeConnector, activity


@pytest.fixture
def transport(org: Engine) -> Iterator[TeamsTransport]:
    t = build_transport(settings(), org, FixedClock(NOW), insecure_dev=True)
    try:
        yield t
    finally:
        t.close()


def _talk(endpoint: Endpoint, person_id: str, conversation: str) -> None:
    """The person opens a chat with the bot (this stores their conversation reference)."""
    with session_scope(endpoint.server.bot.turns.engine) as s:
        person = s.get(Person, person_id)
        assert person is not None
        person.teams_user_id = f"aad-{person_id}"
    fake = endpoint.connector
    body = activity(
        "message",
        service_url=fake.url,
        aad=f"aad-{person_id}",
        user_id=f"29:{person_id}",
        conversation_id=conversation,
        text="help",
    )
    assert endpoint.post(body)[0] == 200


def _person(engine: Engine, person_id: str) -> Person:
    with session_scope(engine) as s:
        person = s.get(Person, person_id)
        assert person is not None
        return person


def _message(reply: Reply, key: str = "k1") -> OutgoingMessage:
    return OutgoingMessage(
        key=key,
        kind="session_reminder",
        recipient_id="sw1",
        about_id="sw1",
        session_id=2,
        session_at=None,
        reason=None,
        due_at=NOW,
        reply=reply,
    )


def test_engine_reminders_reach_people_with_a_stored_reference(
    dev_endpoint: Endpoint, transport: TeamsTransport
) -> None:
    engine = dev_endpoint.server.bot.turns.engine
    fake = dev_endpoint.connector
    _talk(dev_endpoint, "sw2", "a:jo")
    _talk(dev_endpoint, "tm1", "a:sam")
    fake.posted.clear()

    report = dispatch_due(
        engine, load_pack("leeds"), FixedClock(NOW), transport, "w1", settings=settings()
    )

    to_jo = fake.to("a:jo")
    sent_to_jo = [m for m in report.sent if m.recipient_id == "sw2"]
    assert sent_to_jo and len(to_jo) == len(sent_to_jo)
    overdue = next(a for a in to_jo if "overdue" in str(a))
    card = overdue["attachments"][0]["content"]
    assert card["version"] == "1.5"
    assert any(a["type"] == "Action.Submit" for a in card.get("actions", []))
    assert {m.recipient_id for m in report.sent} == {"sw2", "tm1"}
    assert len(fake.to("a:sam")) == len([m for m in report.sent if m.recipient_id == "tm1"])

    # Everyone else has no reference: not sent, marked failed, and admins have a notice.
    with session_scope(engine) as s:
        failed = s.exec(select(Outbox).where(Outbox.status == "failed")).all()
        assert {r.recipient_id for r in failed} >= {"sw3", "sdm", "tm2"}
        assert s.get(AdminNotice, unreachable_notice_key("sw3")) is not None
        assert s.get(AdminNotice, unreachable_notice_key("sw2")) is None

    # Nothing is sent twice: a second pass at the same instant sends nothing new.
    before = len(fake.posted)
    again = dispatch_due(
        engine,
        load_pack("leeds"),
        FixedClock(NOW + timedelta(minutes=5)),
        transport,
        "w1",
        settings=settings(),
    )
    assert again.sent == [] and len(fake.posted) == before


def test_person_without_reference_cannot_be_reached(org: Engine, transport: TeamsTransport) -> None:
    chris = _person(org, "sw3")
    assert not transport.reachable(chris)
    assert not transport.can_reach(chris)
    with pytest.raises(DeliveryFailed) as err:
        transport.send(chris, _message(Reply(text="Reminder")))
    assert err.value.permanent
    with session_scope(org) as s:
        notices = teams_queries.notices(s, "teams-unreachable:")
    assert [n.key for n in notices] == [unreachable_notice_key("sw3")]  # once, not per attempt
    assert "Chris Green" in notices[0].text


def test_admins_on_teams_are_told_once_who_cannot_be_reached(
    org: Engine, connector: FakeConnector, transport: TeamsTransport
) -> None:
    """As Slack DMs its admins: the first notice about a person also reaches admins in Teams."""
    _store_reference(org, connector, "adm", "a:ada")
    chris = _person(org, "sw3")
    assert not transport.can_reach(chris)
    with pytest.raises(DeliveryFailed):
        transport.send(chris, _message(Reply(text="Reminder")))
    assert not transport.can_reach(chris)
    [told] = connector.to("a:ada")
    assert "Chris Green (sw3)" in told["text"] and "no Teams chat" in told["text"]
    # Nobody else is messaged: Chris has no chat, and the notice is not repeated.
    assert [p.conversation_id for p in connector.posted] == ["a:ada"]


def test_admin_without_a_teams_chat_keeps_the_stored_notice_only(
    org: Engine, connector: FakeConnector, transport: TeamsTransport
) -> None:
    assert not transport.can_reach(_person(org, "sw3"))
    assert connector.posted == []
    with session_scope(org) as s:
        assert s.get(AdminNotice, unreachable_notice_key("sw3")) is not None


def test_refusal_by_teams_is_a_permanent_failure(
    org: Engine, connector: FakeConnector, transport: TeamsTransport
) -> None:
    _store_reference(org, connector, "sw1", "a:alex")
    connector.fail_status = 403
    with pytest.raises(DeliveryFailed) as err:
        transport.send(_person(org, "sw1"), _message(Reply(text="Reminder")))
    assert err.value.permanent and "403" in str(err.value)
    connector.fail_status = 503
    with pytest.raises(DeliveryFailed) as err:
        transport.send(_person(org, "sw1"), _message(Reply(text="Reminder")))
    assert not err.value.permanent


def test_buttons_arrive_as_submit_actions(
    org: Engine, connector: FakeConnector, transport: TeamsTransport
) -> None:
    _store_reference(org, connector, "sw1", "a:alex")
    reply = Reply(
        text="Did your session happen?",
        buttons=[
            Button("Held", "session_held", "2", "primary"),
            Button("Cancelled", "session_cancel", "2", "danger"),
        ],
    )
    transport.send(_person(org, "sw1"), _message(reply))
    [posted] = connector.to("a:alex")
    actions = posted["attachments"][0]["content"]["actions"]
    assert [(a["title"], a["data"], a.get("style")) for a in actions] == [
        ("Held", {"action": "session_held", "value": "2"}, "positive"),
        ("Cancelled", {"action": "session_cancel", "value": "2"}, "destructive"),
    ]


def _store_reference(engine: Engine, fake: FakeConnector, person_id: str, conv: str) -> None:
    ref = {
        "serviceUrl": fake.url,
        "conversation": {"id": conv, "conversationType": "personal"},
        "bot": {"id": "28:bot-id"},
        "user": {"id": f"29:{person_id}"},
    }
    with session_scope(engine) as s:
        teams_queries.save_reference(s, person_id, ref, NOW)


@dataclass
class SlackLike:
    """A second platform at the Transport seam: reaches people by Slack id, or tries by email."""

    name: str = "slack"
    sent: list[str] = field(default_factory=list)

    def can_reach(self, person: Person) -> bool:
        return bool(person.slack_user_id or person.email)

    def send(self, person: Person, message: OutgoingMessage) -> None:
        self.sent.append(person.id)


def test_composite_sends_once_on_the_platform_the_person_uses(
    org: Engine, connector: FakeConnector, transport: TeamsTransport
) -> None:
    _store_reference(org, connector, "sw1", "a:alex")  # Alex uses Teams
    with session_scope(org) as s:
        jo = s.get(Person, "sw2")
        assert jo is not None
        jo.slack_user_id = "U0JO"  # Jo uses Slack
    slack = SlackLike()
    both = CompositeTransport([slack, transport])  # Slack first in the configured order
    for pid in ("sw1", "sw2", "sw3"):  # Chris: neither confirmed; Slack tries by email
        both.send(_person(org, pid), _message(Reply(text="Reminder"), key=pid))
    assert slack.sent == ["sw2", "sw3"]
    assert len(connector.to("a:alex")) == 1
    with session_scope(org) as s:
        # Alex and Jo are reachable somewhere: no "cannot reach in Teams" notice for them.
        assert teams_queries.notices(s, "teams-unreachable:") == []


def test_composite_with_no_route_tells_admins(org: Engine, transport: TeamsTransport) -> None:
    with session_scope(org) as s:
        chris = s.get(Person, "sw3")
        assert chris is not None
        chris.email = None
    both = CompositeTransport([SlackLike(), transport])
    chris = _person(org, "sw3")
    assert not both.can_reach(chris)
    with pytest.raises(DeliveryFailed):
        both.send(chris, _message(Reply(text="Reminder")))
    with session_scope(org) as s:
        assert s.get(AdminNotice, unreachable_notice_key("sw3")) is not None


def test_unreachable_command_lists_people_without_a_reference(
    org: Engine, db_url: str, connector: FakeConnector
) -> None:
    import typer

    from bot import cli_teams

    _store_reference(org, connector, "sw1", "a:alex")
    with session_scope(org) as s:
        jo = s.get(Person, "sw2")
        assert jo is not None
        jo.slack_user_id = "U0JO"
    app = typer.Typer()
    cli_teams.register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["teams", "unreachable"], env={"DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    assert "6 people cannot be reached on Teams yet" in result.output
    assert "Chris Green" in result.output and "Alex Jones" not in result.output
    env = {"DATABASE_URL": db_url}
    nowhere = runner.invoke(app, ["teams", "unreachable", "--nowhere"], env=env)
    assert "5 people cannot be reached on Teams or Slack" in nowhere.output
    assert "Jo Brown" not in nowhere.output


def test_reminders_use_both_platforms_when_slack_is_configured(
    org: Engine, transport: TeamsTransport
) -> None:
    from bot.teams.server import delivery_transport

    assert delivery_transport(settings(), org, FixedClock(NOW), transport) is transport
    both = delivery_transport(
        settings(slack_bot_token="xoxb-test"), org, FixedClock(NOW), transport
    )
    assert isinstance(both, CompositeTransport)
    assert [t.name for t in both.transports] == ["teams", "slack"]


def test_a_slack_replica_reaches_teams_users_when_teams_is_registered(
    org: Engine, transport: TeamsTransport
) -> None:
    from bot.slack.cli import _delivery
    from bot.slack.client import make_client
    from bot.slack.transport import SlackTransport

    slack_settings = settings(slack_bot_token="xoxb-test")
    slack = SlackTransport(make_client(slack_settings), org, FixedClock(NOW), frozenset())
    alone = slack_settings.model_copy(update={"teams_app_id": None, "teams_app_password": None})
    assert _delivery(alone, org, FixedClock(NOW), slack) is slack
    both = _delivery(
        settings(slack_bot_token="xoxb-test", teams_app_id="00000000-0000-0000-0000-000000000001",
                 teams_app_password="secret", teams_tenant_id="contoso"),
        org, FixedClock(NOW), slack,
    )
    assert isinstance(both, CompositeTransport)
    assert [t.name for t in both.transports] == ["teams", "slack"]  # as `serve --teams` orders
