"""Payload in: a Teams activity (as JSON) becomes a platform-free `Inbound`.

Only translation happens here: who sent it (Teams id, AAD object id, name),
where to answer later (the conversation reference), and what they said or
pressed. No database, no SDK objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.render_teams import Submission, read_submission

_MENTION = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Inbound:
    """One activity from a person, reduced to what the bot needs."""

    kind: str  # "message" | "action" | "install" | "uninstall"
    event_key: str
    teams_id: str
    aad_object_id: str | None
    name: str
    conversation_id: str
    personal: bool
    reference: dict[str, Any]
    text: str = ""
    submission: Submission | None = None


def clean_text(text: str | None) -> str:
    """Message text without @mentions of the bot, HTML tags or extra spaces."""
    if not text:
        return ""
    text = _TAGS.sub(" ", _MENTION.sub(" ", text)).replace("&nbsp;", " ")
    return " ".join(text.split())


def conversation_reference(activity: Mapping[str, Any]) -> dict[str, Any]:
    """What a proactive message needs later: service URL, conversation, bot and user."""
    conv = activity.get("conversation") or {}
    user = activity.get("from") or {}
    bot = activity.get("recipient") or {}
    tenant = ((activity.get("channelData") or {}).get("tenant") or {}).get("id") or conv.get(
        "tenantId"
    )
    return {
        "serviceUrl": activity.get("serviceUrl", ""),
        "channelId": activity.get("channelId", "msteams"),
        "conversation": {
            "id": conv.get("id", ""),
            "conversationType": conv.get("conversationType", "personal"),
            "tenantId": tenant,
        },
        "bot": {"id": bot.get("id", ""), "name": bot.get("name")},
        "user": {"id": user.get("id", ""), "aadObjectId": user.get("aadObjectId")},
        "tenantId": tenant,
    }


def _card_data(activity: Mapping[str, Any]) -> Any:
    value = activity.get("value")
    if activity.get("type") == "invoke" and isinstance(value, Mapping):
        action = value.get("action")
        if isinstance(action, Mapping):  # adaptiveCard/action: {"action": {"data": {...}}}
            return action.get("data")
    return value


def parse(activity: Mapping[str, Any]) -> Inbound | None:
    """The `Inbound` for a message, card action, install or uninstall; None for anything else."""
    kind = _kind(activity)
    user = activity.get("from") or {}
    conv = activity.get("conversation") or {}
    if kind is None or not user.get("id") or not conv.get("id"):
        return None
    submission = read_submission(_card_data(activity)) if kind == "action" else None
    if kind == "action" and submission is None:
        return None
    activity_id = activity.get("id") or activity.get("replyToId") or ""
    # Installing sends both conversationUpdate and installationUpdate: welcome once.
    event_key = f"{conv['id']}|{activity_id}"
    if kind == "install":
        event_key = f"{conv['id']}|install"
    return Inbound(
        kind=kind,
        event_key=event_key,
        teams_id=str(user["id"]),
        aad_object_id=user.get("aadObjectId"),
        name=str(user.get("name") or ""),
        conversation_id=str(conv["id"]),
        personal=conv.get("conversationType", "personal") == "personal",
        reference=conversation_reference(activity),
        text=clean_text(activity.get("text")),
        submission=submission,
    )


def _kind(activity: Mapping[str, Any]) -> str | None:
    kind = activity.get("type")
    if kind == "message":
        return "action" if isinstance(activity.get("value"), Mapping) else "message"
    if kind == "invoke" and activity.get("name") == "adaptiveCard/action":
        return "action"
    if kind == "installationUpdate" and activity.get("action") in ("add", "add-upgrade"):
        return "install"
    if kind == "installationUpdate" and activity.get("action") in ("remove", "remove-upgrade"):
        return "uninstall"
    if kind == "conversationUpdate":
        bot_id = (activity.get("recipient") or {}).get("id")
        added = activity.get("membersAdded") or []
        if any(isinstance(m, Mapping) and m.get("id") == bot_id for m in added):
            return "install"
    return None
