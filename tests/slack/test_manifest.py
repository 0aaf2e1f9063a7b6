"""app_manifest.yaml declares exactly what the code uses: events, command, actions, scopes."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.slack import registry
from bot.slack.server import EVENTS_PATH
from handlers.chat import buttons

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((ROOT / "app_manifest.yaml").read_text(encoding="utf-8"))


def _source(*globs: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for g in globs for p in sorted(ROOT.glob(g)))


def test_events_match() -> None:
    assert sorted(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == sorted(
        registry.EVENTS
    )


def test_the_slash_command_is_declared() -> None:
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == registry.COMMAND
    assert command["usage_hint"] == registry.COMMAND_HINT


def test_scopes_are_exactly_those_needed() -> None:
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == registry.bot_scopes()


def test_every_web_api_method_called_is_registered() -> None:
    code = _source("bot/slack/*.py")
    called = {m.replace("_", ".", 1) for m in re.findall(r"client\.(\w+?_\w+)\(", code)}
    assert called, "no Web API calls found"
    assert called <= set(registry.API_METHODS), called - set(registry.API_METHODS)
    # ...and nothing is registered that the code (or Bolt: auth.test) never calls.
    assert set(registry.API_METHODS) - called <= {"auth.test"}


def test_interactivity_home_and_socket_mode() -> None:
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    home = MANIFEST["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]
    assert "socket_mode_enabled" in MANIFEST["settings"]
    assert MANIFEST["features"]["bot_user"]["display_name"]


def test_every_button_in_the_code_is_a_registered_action() -> None:
    code = _source("handlers/**/*.py")
    used = set(re.findall(r"Button\(\s*[^,]+,\s*\"(\w+)\"", code))
    used |= set(re.findall(r"Form\(\s*[^,]+,\s*\"(\w+)\"", code))
    used |= set(re.findall(r"\"(\w+_submit)\"", code))
    from handlers.reflect.common import ACTIONS as REFLECT_ACTIONS

    used |= set(REFLECT_ACTIONS)  # the reflective handlers name their ids as constants
    assert used, "no buttons found"
    assert used <= set(buttons.BY_ID), used - set(buttons.BY_ID)
    assert set(buttons.ENGINE_ACTIONS) <= set(registry.BUTTON_ACTIONS)
    assert set(registry.BUTTON_ACTIONS) | set(registry.VIEW_CALLBACKS) == set(buttons.BY_ID)


def _request_urls() -> list[str]:
    settings = MANIFEST["settings"]
    return [c["url"] for c in MANIFEST["features"]["slash_commands"]] + [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]


def test_every_request_url_points_at_the_events_path() -> None:
    """Bolt serves the command, events and interactivity on one path (bot.slack.server)."""
    urls = _request_urls()
    assert len(urls) == 3
    for url in urls:
        assert url.startswith("https://") and url.endswith(EVENTS_PATH), url


def test_the_header_comment_agrees_with_the_settings() -> None:
    text = (ROOT / "app_manifest.yaml").read_text(encoding="utf-8")
    header = " ".join(
        line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")
    )
    socket_mode = MANIFEST["settings"]["socket_mode_enabled"]
    assert socket_mode is False  # HTTP is what the URLs below are for
    assert "the default here, socket_mode_enabled: false" in header
    assert "set socket_mode_enabled: true" in header  # how to switch
    assert f"replace the {['one', 'two', 'three'][len(_request_urls()) - 1]}" in header
    assert "serve --http" in header and "SLACK_SIGNING_SECRET" in header
    assert "serve --socket" in header and "SLACK_APP_TOKEN" in header
