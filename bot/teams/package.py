"""The Teams app package: manifest (schema v1.22) and icons, zipped ready to upload.

`build_manifest` is the one source of the manifest; `teams/manifest.json` in
the repository is its rendering with `${{TEAMS_MANIFEST_ID}}`,
`${{TEAMS_APP_ID}}` and `${{TEAMS_WEBSITE_URL}}` placeholders (a test keeps
them equal). The manifest `id` is the Teams app's own id; it defaults to the
bot's Microsoft app id (`botId`) but may differ (TEAMS_MANIFEST_ID). The
command list comes from the chat intent registry and is offered in every
scope the bot is in (answers outside personal chats are sent privately).

Version 1.22 is the current one Microsoft's manifest reference names (1.18
was never published). The command limits kept here (three lists, ten
commands a list, titles of 32 and descriptions of 128 characters) are the
long-standing ones; later schemas only raise them. Icons are drawn here with
a tiny PNG writer: color 192x192, outline 32x32 (white on transparent, as
Teams requires).
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot import __version__
from bot.teams.core import Command

MANIFEST_VERSION = "1.22"
MANIFEST_SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/"
    f"v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
)
BOT_SCOPES = ("personal", "team", "groupChat")
APP_ID_PLACEHOLDER = "${{TEAMS_APP_ID}}"
MANIFEST_ID_PLACEHOLDER = "${{TEAMS_MANIFEST_ID}}"
WEBSITE_PLACEHOLDER = "${{TEAMS_WEBSITE_URL}}"
ACCENT = (0x2E, 0x5C, 0x8A)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
Pixel = tuple[int, int, int, int]


class PackageError(ValueError):
    """The package cannot be built; the message says what to fix."""


def build_manifest(
    app_id: str,
    commands: Sequence[Command],
    *,
    website_url: str,
    developer: str = "supervision-bot",
    privacy_url: str | None = None,
    terms_url: str | None = None,
    manifest_id: str | None = None,
) -> dict[str, Any]:
    """The Teams app manifest for bot `app_id` with `commands` in each scope.

    `manifest_id` is the Teams app's id; by default the bot's app id.
    """
    listed = [{"title": c.title, "description": c.description} for c in commands]
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": __version__,
        "id": manifest_id or app_id,
        "developer": {
            "name": developer,
            "websiteUrl": website_url,
            "privacyUrl": privacy_url or website_url,
            "termsOfUseUrl": terms_url or website_url,
        },
        "name": {"short": "Supervision", "full": "Supervision assistant"},
        "description": {
            "short": "Professional supervision reminders, records and answers.",
            "full": (
                "Answers questions about professional supervision in social care (when it is "
                "due, who supervises whom, what needs signing), books and rearranges sessions, "
                "and sends reminders, reflective prompts and escalations from your council's "
                "supervision policy."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": list(BOT_SCOPES),
                "supportsFiles": False,
                "isNotificationOnly": False,
                # One list per scope, as the schema asks; the same commands everywhere.
                "commandLists": [{"scopes": [scope], "commands": listed} for scope in BOT_SCOPES],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def manifest_template(commands: Sequence[Command]) -> dict[str, Any]:
    """The manifest with placeholders, as committed in `teams/manifest.json`."""
    return build_manifest(
        APP_ID_PLACEHOLDER,
        commands,
        website_url=WEBSITE_PLACEHOLDER,
        manifest_id=MANIFEST_ID_PLACEHOLDER,
    )


def write_package(
    out: Path,
    app_id: str | None,
    commands: Sequence[Command],
    *,
    website_url: str,
    developer: str = "supervision-bot",
    privacy_url: str | None = None,
    terms_url: str | None = None,
    manifest_id: str | None = None,
) -> Path:
    """Write the upload zip (manifest.json, color.png, outline.png) to `out`."""
    if not app_id or not _GUID.match(app_id):
        raise PackageError(
            "Set TEAMS_APP_ID to the bot's Microsoft app id (a GUID such as "
            "00000000-0000-0000-0000-000000000000) before building the Teams package."
        )
    if manifest_id is not None and not _GUID.match(manifest_id):
        raise PackageError(
            f"The Teams app id {manifest_id!r} (--app-id / TEAMS_MANIFEST_ID) must be a GUID "
            "such as 00000000-0000-0000-0000-000000000000; leave it unset to use the bot's id."
        )
    for url in (website_url, privacy_url, terms_url):
        if url is not None and not url.startswith("https://"):
            raise PackageError(f"Teams needs https links in the manifest, not {url!r}.")
    manifest = build_manifest(
        app_id,
        commands,
        developer=developer,
        website_url=website_url,
        privacy_url=privacy_url,
        terms_url=terms_url,
        manifest_id=manifest_id,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=2) + "\n")
        zf.writestr("color.png", color_icon())
        zf.writestr("outline.png", outline_icon())
    return out


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG of `width` x `height` whose pixels come from `pixel(x, y)`."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = io.BytesIO()
    for y in range(height):
        raw.write(b"\x00")  # filter: none
        for x in range(width):
            raw.write(bytes(pixel(x, y)))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.getvalue(), 9))
        + chunk(b"IEND", b"")
    )


def _in_ring(x: float, y: float, size: int) -> bool:
    """A speech bubble: a ring with a small tail, scaled to `size`."""
    c, r = size / 2, size * 0.30
    d = ((x - c) ** 2 + (y - c) ** 2) ** 0.5
    ring = r - size * 0.08 <= d <= r
    tail = c - r * 0.9 <= x <= c - r * 0.3 and c + r * 0.6 <= y <= c + r * 1.15 and x - y > -size
    return ring or (tail and (x - (c - r)) < (y - (c + r * 0.5)))


def color_icon(size: int = 192) -> bytes:
    """The full-colour icon: a white speech bubble on the accent colour."""
    white, accent = (255, 255, 255, 255), (*ACCENT, 255)
    return png(size, size, lambda x, y: white if _in_ring(x + 0.5, y + 0.5, size) else accent)


def outline_icon(size: int = 32) -> bytes:
    """The outline icon: the same bubble in white on transparent."""
    white, clear = (255, 255, 255, 255), (0, 0, 0, 0)
    return png(size, size, lambda x, y: white if _in_ring(x + 0.5, y + 0.5, size) else clear)


def write_template(directory: Path) -> None:
    """Regenerate the committed `teams/` files (run `python -m bot.teams.package`)."""
    from bot.teams.handlers_core import registry_commands

    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest_template(registry_commands()), indent=2) + "\n"
    (directory / "manifest.json").write_text(text, encoding="utf-8")
    (directory / "color.png").write_bytes(color_icon())
    (directory / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    write_template(Path(__file__).resolve().parents[2] / "teams")
