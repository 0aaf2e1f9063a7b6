"""The Teams bot on Microsoft's Teams SDK for Python: POST /api/messages, GET /healthz.

The SDK serves the endpoint (FastAPI + uvicorn), validates the inbound JWT
(Bot Connector tokens, signing keys from the OpenID metadata) and sends replies
through the Bot Connector REST API at the activity's `serviceUrl`. Answers
meant for one person (`Outcome.private`, from a channel or group chat) are
sent to that person's personal chat through the same proactive path the
transport uses; the channel only gets the outcome's neutral line. It is
async; the rest of supervision-bot is sync. The async stays in this module:
each turn's database and handler work runs in a worker thread
(`asyncio.to_thread`), and only sending happens on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from microsoft_teams.api import ApiClient
from microsoft_teams.api.activities import ActivityTypeAdapter
from microsoft_teams.api.activities.message import MessageActivityInput
from microsoft_teams.api.auth.cloud_environment import PUBLIC, CloudEnvironment, with_overrides
from microsoft_teams.api.auth.cloud_environment import from_name as cloud_from_name
from microsoft_teams.apps import ActivityContext, App, FastAPIAdapter
from pydantic import ValidationError

from bot.render_teams import CARD_CONTENT_TYPE, render_messages, render_single_card
from bot.settings import MissingConfiguration, Settings
from bot.teams.inbound import Inbound, parse
from bot.teams.turns import MESSAGE_ME_DIRECTLY, Outcome, Turns
from handlers.replies import Reply

log = logging.getLogger(__name__)

MESSAGING_ENDPOINT = "/api/messages"
AUTH_SETTINGS = ("teams_app_id", "teams_app_password", "teams_tenant_id")
AUTH_HINT = (
    "Register the bot in the Teams Developer Portal (Tools > Bot management) or Azure "
    "(Azure Bot, single tenant) and copy its app id, a client secret and your tenant id. "
    "For local development only, run with --insecure-dev instead."
)
_DEV_LINES = (
    "TEAMS LOCAL-DEVELOPMENT MODE: inbound requests are NOT authenticated.",
    "Anyone who can reach this port can act as any Teams user. Never expose it.",
    "Set TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID for real use.",
)
DEV_MODE_BANNER = "\n".join(["", "!" * 80, *(f"!! {line:<74} !!" for line in _DEV_LINES), "!" * 80])

TokenFunc = Callable[[str | list[str], str | None], str | Awaitable[str]]


@dataclass(frozen=True)
class TeamsConfig:
    """How the SDK app is set up: authenticated or explicit local development."""

    dev_mode: bool
    app_id: str | None
    app_password: str | None
    tenant_id: str | None
    service_url: str | None
    cloud: CloudEnvironment

    @classmethod
    def from_settings(cls, settings: Settings, *, insecure_dev: bool = False) -> TeamsConfig:
        """Authenticated when app id, secret and tenant are set; dev mode only when asked for."""
        configured = [n for n in AUTH_SETTINGS if getattr(settings, n)]
        dev = insecure_dev or settings.teams_insecure_dev
        if configured and len(configured) < len(AUTH_SETTINGS):
            settings.require(*AUTH_SETTINGS, hint=AUTH_HINT)
        if not configured and not dev:
            raise MissingConfiguration(
                "Missing configuration: set TEAMS_APP_ID, TEAMS_APP_PASSWORD and "
                f"TEAMS_TENANT_ID. {AUTH_HINT}"
            )
        cloud = cloud_from_name(settings.teams_cloud) if settings.teams_cloud else PUBLIC
        cloud = with_overrides(cloud, openid_metadata_url=settings.teams_openid_metadata_url)
        return cls(
            dev_mode=not configured,
            app_id=settings.teams_app_id,
            app_password=settings.teams_app_password,
            tenant_id=settings.teams_tenant_id,
            service_url=settings.teams_service_url,
            cloud=cloud,
        )


def build_sdk_app(
    config: TeamsConfig,
    *,
    token: TokenFunc | None = None,
    adapter: FastAPIAdapter | None = None,
) -> App:
    """An SDK `App` for `config`. `token` replaces the client secret (tests, managed identity)."""
    options: dict[str, Any] = {
        "http_server_adapter": adapter or FastAPIAdapter(),
        "messaging_endpoint": MESSAGING_ENDPOINT,
        "cloud": config.cloud,
        "state": False,
        "telemetry": {"agent365": False},
    }
    if config.service_url:
        options["service_url"] = config.service_url
    if config.dev_mode:
        options["dangerously_allow_unauthenticated_requests"] = True
    else:
        options["client_id"] = config.app_id
        options["tenant_id"] = config.tenant_id
        options["dangerously_allow_unauthenticated_requests"] = False
        if token is not None:
            options["token"] = token
        else:
            options["client_secret"] = config.app_password
    return App(**options)


def add_http_guards(api: FastAPI) -> None:
    """/healthz, and a clear 400 for bodies that are not a JSON activity (instead of a 500)."""

    @api.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @api.middleware("http")
    async def reject_non_activities(request: Request, call_next: Any) -> Response:
        if request.method == "POST" and request.url.path == MESSAGING_ENDPOINT:
            problem = activity_problem(await request.body())
            if problem is not None:
                return JSONResponse({"error": problem}, status_code=400)
        response: Response = await call_next(request)
        return response


def activity_problem(raw: bytes) -> str | None:
    """Why `raw` is not an activity the SDK can process, or None when it is."""
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return "The request body must be a Bot Framework activity (JSON object)."
    try:
        ActivityTypeAdapter.validate_python(body)
    except ValidationError as exc:
        fields = sorted(
            {".".join(str(p) for p in e["loc"][1:]) or "activity" for e in exc.errors()}
        )
        return f"The activity is incomplete or malformed: {', '.join(fields[:5])}."
    return None


def _message(fragment: dict[str, Any]) -> MessageActivityInput:
    return MessageActivityInput.model_validate(fragment)


def _invoke_message(text: str) -> dict[str, Any]:
    """An adaptiveCard/action response that shows `text` to the presser only."""
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}


async def send_reply(api: ApiClient, reference: dict[str, Any], reply: Reply) -> None:
    """Send `reply` to a stored conversation reference (proactive)."""
    scoped = api.clone(service_url=reference["serviceUrl"])
    conversation_id = reference["conversation"]["id"]
    for fragment in render_messages(reply):
        await scoped.conversations.create_activity(conversation_id, _message(fragment))


class TeamsBot:
    """Routes the SDK's activities to `Turns` (in a thread) and sends what comes back."""

    def __init__(self, app: App, turns: Turns) -> None:
        self.app = app
        self.turns = turns
        app.on_message(self.on_message)
        app.on_card_action(self.on_card_action)
        app.on_conversation_update(self.on_conversation_update)
        app.on_install_add(self.on_install)
        app.on_install_remove(self.on_install)

    async def on_message(self, ctx: ActivityContext[Any]) -> None:
        await self._turn(ctx)

    async def on_conversation_update(self, ctx: ActivityContext[Any]) -> None:
        await self._turn(ctx)

    async def on_install(self, ctx: ActivityContext[Any]) -> None:
        await self._turn(ctx)

    async def on_card_action(self, ctx: ActivityContext[Any]) -> Any:
        outcome = await self._handle(ctx)
        if outcome is None or not outcome.replies:
            text = "That was already done." if outcome and outcome.duplicate else "Done."
            return _invoke_message(text)
        if not outcome.personal:
            # Replacing a card in a channel would show the answer to everyone there; a
            # message response is shown to the person who pressed only.
            replies = await self._send_private(outcome)
            await self._notify_admins(outcome)
            return _invoke_message(" ".join(r.text for r in replies))
        first, *rest = outcome.replies
        for reply in rest:
            await self._send(ctx, reply)
        await self._notify_admins(outcome)
        return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": render_single_card(first)}

    async def _turn(self, ctx: ActivityContext[Any]) -> None:
        outcome = await self._handle(ctx)
        if outcome is None:
            return
        for reply in await self._send_private(outcome):
            await self._send(ctx, reply)
        await self._notify_admins(outcome)

    async def _send_private(self, outcome: Outcome) -> list[Reply]:
        """Send `outcome.private` to the person's own chat; what to say where they asked."""
        if not outcome.private:
            return outcome.replies
        if outcome.private_to is None:
            return [Reply(text=MESSAGE_ME_DIRECTLY)]
        try:
            for reply in outcome.private:
                await send_reply(self.app.api, outcome.private_to, reply)
        except Exception as exc:  # e.g. they removed the app: never fall back to the channel
            log.warning("Could not answer %s privately on Teams: %s", outcome.person_id, exc)
            return [Reply(text=MESSAGE_ME_DIRECTLY)]
        return outcome.replies

    async def _handle(self, ctx: ActivityContext[Any]) -> Outcome | None:
        inbound = parse(ctx.activity.model_dump(by_alias=True, exclude_none=True, mode="json"))
        if inbound is None:
            return None
        emails: list[str | None] = []
        if not await asyncio.to_thread(self.turns.is_known, inbound):
            emails = await self._member_emails(ctx, inbound)
        return await asyncio.to_thread(self.turns.handle, inbound, emails)

    async def _member_emails(self, ctx: ActivityContext[Any], inbound: Inbound) -> list[str | None]:
        """The sender's email and UPN from the Bot Connector (messages do not carry them)."""
        try:
            member = await ctx.api.conversations.get_member_by_id(
                inbound.conversation_id, inbound.teams_id
            )
        except Exception as exc:  # the lookup is a best effort: unknown users are still answered
            log.warning("Teams member lookup failed for %s: %s", inbound.teams_id, exc)
            return []
        return [getattr(member, "email", None), getattr(member, "user_principal_name", None)]

    async def _send(self, ctx: ActivityContext[Any], reply: Reply) -> None:
        for fragment in render_messages(reply):
            await ctx.send(_message(fragment))

    async def _notify_admins(self, outcome: Outcome) -> None:
        for reference, reply in outcome.admin_messages:
            try:
                await send_reply(self.app.api, reference, reply)
            except Exception as exc:
                log.warning("Could not tell an admin on Teams: %s", exc)
