"""The real Teams endpoint, fed real-shaped activities, answering through a fake Bot Connector."""

from __future__ import annotations

from datetime import UTC

from sqlmodel import select

from storage.db import session_scope
from storage.models import AdminNotice, ConversationRef, Person, SupervisionSession
from tests.teams.conftest import Endpoint
from tests.teams.fakes import activity


def _link(endpoint: Endpoint, person_id: str, teams_id: str) -> None:
    with session_scope(endpoint.server.bot.turns.engine) as s:
        person = s.get(Person, person_id)
        assert person is not None
        person.teams_user_id = teams_id
        s.add(person)


def _card(posted: dict) -> dict:
    attachment = posted["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def _texts(card: dict) -> str:
    return " ".join(e.get("text", "") for e in card["body"])


def test_healthz_answers(dev_endpoint: Endpoint) -> None:
    assert dev_endpoint.get("/healthz") == (200, {"status": "ok"})


def test_question_is_answered_with_a_card_in_the_same_conversation(dev_endpoint: Endpoint) -> None:
    _link(dev_endpoint, "sw1", "aad-alex")
    fake = dev_endpoint.connector
    body = activity(
        "message",
        service_url=fake.url,
        aad="aad-alex",
        user_id="29:alex",
        user_name="Alex Jones",
        text="when is my next supervision due?",
    )
    status, _ = dev_endpoint.post(body)
    assert status == 200
    [reply] = fake.to("a:personal-1")
    card = _card(reply)
    assert card["version"] == "1.5"
    assert "next supervision is due" in _texts(card)
    facts = {
        f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]
    }
    assert "Next due" in facts and "Cadence" in facts


def test_mention_in_a_channel_is_answered_privately_not_in_the_channel(
    dev_endpoint: Endpoint,
) -> None:
    """The opposite of what this test used to check: a team's overdue list is personal,
    so it goes to the asker's own chat with the bot and the channel sees one neutral line."""
    _link(dev_endpoint, "tm1", "aad-sam")
    fake = dev_endpoint.connector
    hello = activity(
        "message", service_url=fake.url, aad="aad-sam", user_id="29:sam",
        conversation_id="a:sam", text="help",
    )  # fmt: skip
    assert dev_endpoint.post(hello)[0] == 200
    body = activity(
        "message",
        service_url=fake.url,
        aad="aad-sam",
        user_id="29:sam",
        conversation_id="19:channel@thread.tacv2",
        conversation_type="channel",
        text="<at>Supervision</at> who is overdue in my team?",
    )
    assert dev_endpoint.post(body)[0] == 200
    [in_channel] = fake.to("19:channel@thread.tacv2")
    assert in_channel["text"] == "I've sent you a private message."
    assert "attachments" not in in_channel and "Jo Brown" not in str(in_channel)
    private = fake.to("a:sam")[-1]
    assert "Jo Brown" in str(private) and "Sorry, I didn't understand" not in str(private)
    with session_scope(dev_endpoint.server.bot.turns.engine) as s:
        # A channel is not a place for personal reminders: the stored reference stays personal.
        ref = s.get(ConversationRef, ("tm1", "teams"))
        assert ref is not None and '"id": "a:sam"' in ref.reference


def test_first_message_stores_the_conversation_reference(dev_endpoint: Endpoint) -> None:
    _link(dev_endpoint, "sw1", "aad-alex")
    fake = dev_endpoint.connector
    body = activity("message", service_url=fake.url, aad="aad-alex", user_id="29:alex", text="help")
    assert dev_endpoint.post(body)[0] == 200
    with session_scope(dev_endpoint.server.bot.turns.engine) as s:
        ref = s.get(ConversationRef, ("sw1", "teams"))
        assert ref is not None
    assert '"serviceUrl": "' + fake.url in ref.reference
    assert '"id": "a:personal-1"' in ref.reference


def test_unknown_id_is_matched_by_email_and_remembered(dev_endpoint: Endpoint) -> None:
    fake = dev_endpoint.connector
    fake.members["29:jo"] = {
        "id": "29:jo",
        "name": "Jo Brown",
        "aadObjectId": "aad-jo",
        "email": "Jo@Example.org",
        "userPrincipalName": "jo@example.org",
    }
    body = activity(
        "message",
        service_url=fake.url,
        aad="aad-jo",
        user_id="29:jo",
        user_name="Jo Brown",
        text="who is my supervisor?",
    )
    assert dev_endpoint.post(body)[0] == 200
    [reply] = fake.to("a:personal-1")
    assert "Sam Taylor" in str(reply)
    with session_scope(dev_endpoint.server.bot.turns.engine) as s:
        jo = s.get(Person, "sw2")
        assert jo is not None and jo.teams_user_id == "aad-jo"


def test_unknown_person_is_told_to_ask_and_admins_are_told_once(dev_endpoint: Endpoint) -> None:
    fake = dev_endpoint.connector
    _link(dev_endpoint, "adm", "aad-ada")
    # The admin has talked to the bot before, so Teams can reach them.
    hello = activity(
        "message",
        service_url=fake.url,
        aad="aad-ada",
        user_id="29:ada",
        conversation_id="a:ada",
        text="help",
    )
    assert dev_endpoint.post(hello)[0] == 200
    for n in range(2):
        body = activity(
            "message",
            service_url=fake.url,
            aad="aad-stranger",
            user_id="29:x",
            user_name="Pat Stranger",
            conversation_id="a:stranger",
            text=f"hi {n}",
        )
        assert dev_endpoint.post(body)[0] == 200
    told = fake.to("a:stranger")
    assert len(told) == 2 and all("ask your supervision-bot admin" in t["text"] for t in told)
    to_admin = [a for a in fake.to("a:ada") if "Pat Stranger" in str(a)]
    assert len(to_admin) == 1
    with session_scope(dev_endpoint.server.bot.turns.engine) as s:
        notices = s.exec(select(AdminNotice).where(AdminNotice.key == "teams-unknown:aad-stranger"))
        assert len(notices.all()) == 1


def test_retried_activity_is_answered_once(dev_endpoint: Endpoint) -> None:
    _link(dev_endpoint, "sw1", "aad-alex")
    fake = dev_endpoint.connector
    body = activity(
        "message",
        service_url=fake.url,
        aad="aad-alex",
        user_id="29:alex",
        text="am I overdue?",
        activity_id="retry-1",
    )
    assert dev_endpoint.post(body)[0] == 200
    assert dev_endpoint.post(body)[0] == 200
    assert len(fake.to("a:personal-1")) == 1


def test_install_stores_reference_and_welcomes(dev_endpoint: Endpoint) -> None:
    _link(dev_endpoint, "sw3", "aad-chris")
    fake = dev_endpoint.connector
    update = activity(
        "conversationUpdate",
        service_url=fake.url,
        aad="aad-chris",
        user_id="29:chris",
        user_name="Chris Green",
        membersAdded=[{"id": "28:bot-id"}],
    )
    install = activity(
        "installationUpdate",
        service_url=fake.url,
        aad="aad-chris",
        user_id="29:chris",
        user_name="Chris Green",
        action="add",
    )
    assert dev_endpoint.post(update)[0] == 200
    assert dev_endpoint.post(install)[0] == 200
    posted = fake.to("a:personal-1")
    assert len(posted) == 2  # welcome + help, once although Teams sent two install activities
    assert "Hello Chris" in posted[0]["text"]
    with session_scope(dev_endpoint.server.bot.turns.engine) as s:
        assert s.get(ConversationRef, ("sw3", "teams")) is not None


def test_submit_button_runs_the_action(dev_endpoint: Endpoint) -> None:
    """Action.Submit in a personal chat arrives as a message whose `value` is the button data."""
    _link(dev_endpoint, "tm1", "aad-sam")
    fake = dev_endpoint.connector
    body = activity(
        "message",
        service_url=fake.url,
        aad="aad-sam",
        user_id="29:sam",
        value={"action": "session_held", "value": "4"},
    )
    assert dev_endpoint.post(body)[0] == 200
    [reply] = fake.to("a:personal-1")
    assert "held" in str(reply).lower()
    again = activity(
        "message",
        service_url=fake.url,
        aad="aad-sam",
        user_id="29:sam",
        value={"action": "session_held", "value": "4"},
    )
    assert dev_endpoint.post(again)[0] == 200
    assert "already" in str(fake.to("a:personal-1")[1]).lower()


def test_card_action_invoke_answers_with_a_card(dev_endpoint: Endpoint) -> None:
    """Action.Execute arrives as an adaptiveCard/action invoke; the reply replaces the card."""
    _link(dev_endpoint, "sw1", "aad-alex")
    fake = dev_endpoint.connector
    body = activity(
        "invoke",
        service_url=fake.url,
        aad="aad-alex",
        user_id="29:alex",
        name="adaptiveCard/action",
        value={
            "action": {
                "type": "Action.Execute",
                "verb": "record_sign",
                "data": {"action": "record_sign", "value": "1"},
            },
            "trigger": "manual",
        },
    )
    status, response = dev_endpoint.post(body)
    assert status == 200
    assert response["statusCode"] == 200
    assert response["type"] == "application/vnd.microsoft.card.adaptive"
    assert "you signed the record of session #1" in _texts(response["value"])


def test_form_submission_books_a_session(dev_endpoint: Endpoint) -> None:
    _link(dev_endpoint, "tm1", "aad-sam")
    fake = dev_endpoint.connector
    body = activity(
        "message",
        service_url=fake.url,
        aad="aad-sam",
        user_id="29:sam",
        value={
            "action": "book_submit",
            "value": "",
            "supervisee": "sw2",
            "date": "2026-04-21",
            "time": "14:00",
        },
    )
    assert dev_endpoint.post(body)[0] == 200
    [reply] = fake.to("a:personal-1")
    assert "Tue 21 Apr 2026" in str(reply)


def test_a_refused_form_is_shown_again_with_the_problem_beside_the_field(
    dev_endpoint: Endpoint,
) -> None:
    _link(dev_endpoint, "tm1", "aad-sam")
    fake = dev_endpoint.connector
    sam = {"service_url": fake.url, "aad": "aad-sam", "user_id": "29:sam"}
    opened = activity("message", value={"action": "book_open", "value": "sw2"}, **sam)
    assert dev_endpoint.post(opened)[0] == 200
    [form_card] = [_card(p) for p in fake.to("a:personal-1")]
    submit = form_card["actions"][0]
    assert submit["type"] == "Action.Submit" and submit["data"]["action"] == "book_submit"
    # The person fills in the card and presses Book: Teams posts the inputs with the data.
    filled = {**submit["data"], "supervisee": "sw2", "date": "2026-04-21", "time": "22:00"}
    assert dev_endpoint.post(activity("message", value=filled, **sam))[0] == 200
    again = _card(fake.to("a:personal-1")[1])
    body = again["body"]
    ids = [e.get("id") for e in body]
    problem = body[ids.index("time") + 1]
    assert problem["type"] == "TextBlock" and problem["color"] == "Attention"
    assert "22:00" in problem["text"]
    inputs = {e["id"]: e for e in body if e["type"].startswith("Input.")}
    assert (inputs["date"]["value"], inputs["time"]["value"]) == ("2026-04-21", "22:00")
    assert again["actions"][0]["data"]["action"] == "book_submit"  # it can be sent again
    with session_scope(dev_endpoint.server.bot.turns.engine) as s:
        booked = s.exec(select(SupervisionSession).where(SupervisionSession.supervisee_id == "sw2"))
        assert all(x.scheduled_at.astimezone(UTC).hour != 21 for x in booked)  # nothing booked
    # Corrected, it books.
    fixed = {**again["actions"][0]["data"], "supervisee": "sw2", "date": "2026-04-21",
             "time": "14:00"}  # fmt: skip
    assert dev_endpoint.post(activity("message", value=fixed, **sam))[0] == 200
    assert "Tue 21 Apr 2026" in str(fake.to("a:personal-1")[2])


def test_body_that_is_not_an_activity_gets_a_clear_400(dev_endpoint: Endpoint) -> None:
    status, body = dev_endpoint.post(None, raw=b"{not json")
    assert status == 400 and "activity" in body["error"]
    status, body = dev_endpoint.post([1, 2, 3])
    assert status == 400
    no_sender = activity("message", service_url=dev_endpoint.connector.url, text="hi")
    del no_sender["from"], no_sender["recipient"]
    status, body = dev_endpoint.post(no_sender)
    assert status == 400 and body["error"].endswith("from, recipient.")
    assert dev_endpoint.connector.posted == []


def test_retried_card_action_invoke_runs_once(dev_endpoint: Endpoint) -> None:
    _link(dev_endpoint, "tm1", "aad-sam")
    fake = dev_endpoint.connector
    value = {"action": {"type": "Action.Execute", "data": {"action": "session_held", "value": "4"}}}
    body = activity(
        "invoke", service_url=fake.url, aad="aad-sam", user_id="29:sam",
        name="adaptiveCard/action", value=value, activity_id="invoke-1",
    )  # fmt: skip
    first = dev_endpoint.post(body)[1]
    retry = dev_endpoint.post(body)[1]
    assert first["type"] == "application/vnd.microsoft.card.adaptive"
    assert "held" in _texts(first["value"]).lower()
    assert retry == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": "That was already done.",
    }


def test_uninstall_forgets_the_reference(dev_endpoint: Endpoint) -> None:
    _link(dev_endpoint, "sw3", "aad-chris")
    fake = dev_endpoint.connector
    common = {"service_url": fake.url, "aad": "aad-chris", "user_id": "29:chris"}
    assert dev_endpoint.post(activity("installationUpdate", action="add", **common))[0] == 200
    assert dev_endpoint.post(activity("installationUpdate", action="remove", **common))[0] == 200
    with session_scope(dev_endpoint.server.bot.turns.engine) as s:
        assert s.get(ConversationRef, ("sw3", "teams")) is None
    assert len(fake.to("a:personal-1")) == 2  # welcome and help; nothing on removal
