"""Everything the Slack adapter asks of Slack, as single lists (the manifest test reads them).

Each Web API method maps to the bot scope it needs (None: no scope needed);
each bot event to the scope that subscribes to it. The slash command needs
`commands`. The app requests exactly the union of these scopes.
"""

from __future__ import annotations

from handlers.chat.buttons import ACTIONS

COMMAND = "/supervision"
COMMAND_DESCRIPTION = "Ask about supervision: due dates, sessions, records, booking"
COMMAND_HINT = "[help | due | next | book Sam Tuesday 2pm | plan | ...]"

EVENTS: dict[str, str | None] = {
    "app_home_opened": None,
    "message.im": "im:history",
    "app_mention": "app_mentions:read",
}

API_METHODS: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "conversations.open": "im:write",
    "users.info": "users:read",
    "users.lookupByEmail": "users:read.email",
    "views.publish": None,
    "views.open": None,
}

BUTTON_ACTIONS: list[str] = [a.id for a in ACTIONS if not a.form_submit]
VIEW_CALLBACKS: list[str] = [a.id for a in ACTIONS if a.form_submit]


def bot_scopes() -> list[str]:
    """The minimal bot scopes: those the events, the command and the API methods need."""
    scopes = {s for s in EVENTS.values() if s} | {s for s in API_METHODS.values() if s}
    scopes.add("commands")
    # users.info only returns the email (for mapping people) with users:read.email too.
    return sorted(scopes)
