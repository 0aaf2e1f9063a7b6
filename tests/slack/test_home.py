"""App Home through Bolt for a manager of managers and for an admin: what each one sees."""

from __future__ import annotations

import json
from typing import Any

from tests.slack.conftest import Harness


def _open_home(slack: Harness, user: str, event_id: str) -> dict[str, Any]:
    event = {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home"}
    assert slack.event(event, event_id).status == 200
    [published] = slack.fake.wait("views.publish")
    assert published.args["user_id"] == user
    view = published.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def _texts(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"])


def test_line_manager_home_shows_direct_reports_and_the_wider_service(slack: Harness) -> None:
    # Dana manages Sam and Priya, who supervise Alex, Jo and Chris; Dana is linked by email.
    view = _open_home(slack, "UDANA", "Ev400")
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = _texts(view)
    assert "Hello Dana" in text
    assert text.index("People you supervise") < text.index("Priya Shah") < text.index("Sam Taylor")
    service = text[text.index("Your service") :]
    # overdue first: Chris and Jo (overdue) before Alex (booked)
    assert service.index("Chris Green") < service.index("Alex Jones")
    assert service.index("Jo Brown") < service.index("Alex Jones")
    actions = [
        e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert "book_open" in actions


def test_admin_home_shows_only_their_own_supervision(slack: Harness) -> None:
    # Ada is an admin and a line manager with nobody under her: being an admin shows no one else.
    view = _open_home(slack, "UADA", "Ev401")
    text = _texts(view)
    assert "Hello Ada" in text
    for name in ("Alex Jones", "Jo Brown", "Chris Green", "Sam Taylor", "Priya Shah"):
        assert name not in text
    assert "People you supervise" not in text and "Your service" not in text


def test_home_for_someone_unknown_says_so(slack: Harness) -> None:
    view = _open_home(slack, "UNOBODY", "Ev402")
    assert "don't know you yet" in _texts(view)


def test_a_press_on_the_home_refreshes_it(slack: Harness) -> None:
    view = _open_home(slack, "UDANA", "Ev403")
    assert view["type"] == "home"
    slack.interact(
        {
            "type": "block_actions",
            "team": {"id": "T0001"},
            "user": {"id": "UDANA"},
            "api_app_id": "A0001",
            "trigger_id": "trig-home",
            "container": {"type": "view", "view_id": "VHOME"},
            "view": {"id": "VHOME", "type": "home"},
            "actions": [
                {"type": "button", "action_id": "book_open", "value": "", "action_ts": "4.1"}
            ],
        }
    )
    [modal] = slack.fake.wait("views.open")
    assert modal.args["trigger_id"] == "trig-home"
    slack.fake.wait("views.publish", 2)
