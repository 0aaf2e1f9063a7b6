"""The Teams app package: manifest in step with the intent registry, icons Teams accepts."""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot import cli_teams
from bot.teams.handlers_core import MAX_MANIFEST_COMMANDS, registry_commands
from bot.teams.package import (
    APP_ID_PLACEHOLDER,
    MANIFEST_ID_PLACEHOLDER,
    MANIFEST_VERSION,
    PackageError,
    build_manifest,
    color_icon,
    manifest_template,
    outline_icon,
    write_package,
)
from handlers.chat import intents
from tests.teams.conftest import APP_ID

REPO = Path(__file__).resolve().parents[2]
SITE = "https://council.example.org/supervision"


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and RGBA pixels of a non-interlaced 8-bit RGBA PNG with filter 0 rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", header[:10])
    assert (depth, color) == (8, 6)
    raw = zlib.decompress(idat)
    stride = width * 4 + 1
    pixels = []
    for y in range(height):
        row = raw[y * stride : (y + 1) * stride]
        assert row[0] == 0
        pixels += [tuple(row[1 + 4 * x : 5 + 4 * x]) for x in range(width)]
    return width, height, pixels


def test_committed_manifest_is_the_generated_template() -> None:
    committed = json.loads((REPO / "teams" / "manifest.json").read_text())
    expected = manifest_template(registry_commands())
    assert committed == expected, "teams/ is stale: run python -m bot.teams.package"


def test_commands_follow_the_intent_registry() -> None:
    commands = registry_commands()
    subcommands = [i.subcommand for i in intents.INTENTS]
    assert commands[0].title == "help"
    assert len(commands) == min(MAX_MANIFEST_COMMANDS, len(subcommands))
    by_subcommand = {i.subcommand: i.help for i in intents.INTENTS}
    for c in commands:
        assert by_subcommand[c.title] == c.description
        assert len(c.title) <= 32 and len(c.description) <= 128


def test_manifest_fields_meet_teams_limits() -> None:
    """Hand checks of the v1.22 schema's limits (the schema itself is not vendored here).

    The command limits are those of every published schema version up to 1.22: at most
    three command lists, one scope each, ten commands a list, titles of 32 characters
    and descriptions of 128.
    """
    m = build_manifest(APP_ID, registry_commands(), website_url=SITE)
    assert m["manifestVersion"] == MANIFEST_VERSION == "1.22"
    assert m["$schema"] == (
        "https://developer.microsoft.com/en-us/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"
    )
    assert m["id"] == APP_ID and m["bots"][0]["botId"] == APP_ID
    assert re.fullmatch(r"\d+\.\d+\.\d+", m["version"])
    assert len(m["developer"]["name"]) <= 32
    assert len(m["name"]["short"]) <= 30 and len(m["name"]["full"]) <= 100
    assert len(m["description"]["short"]) <= 80 and len(m["description"]["full"]) <= 4000
    assert re.fullmatch(r"#[0-9A-F]{6}", m["accentColor"])
    assert all(m["developer"][k].startswith("https://") for k in ("websiteUrl", "privacyUrl"))
    [bot] = m["bots"]
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    lists = bot["commandLists"]
    assert len(lists) <= 3
    scopes = [scope for entry in lists for scope in entry["scopes"]]
    assert sorted(scopes) == sorted(bot["scopes"])  # every scope once, one list each
    for entry in lists:
        assert len(entry["scopes"]) == 1
        assert 1 <= len(entry["commands"]) <= MAX_MANIFEST_COMMANDS == 10
        assert entry["commands"] == lists[0]["commands"]
        for c in entry["commands"]:
            assert set(c) == {"title", "description"}
            assert len(c["title"]) <= 32 and len(c["description"]) <= 128


def test_teams_app_id_may_differ_from_the_bot_id() -> None:
    other = "1a2b3c4d-0000-4000-8000-00000000abcd"
    m = build_manifest(APP_ID, registry_commands(), website_url=SITE, manifest_id=other)
    assert m["id"] == other and m["bots"][0]["botId"] == APP_ID
    template = manifest_template(registry_commands())
    assert template["id"] == MANIFEST_ID_PLACEHOLDER
    assert template["bots"][0]["botId"] == APP_ID_PLACEHOLDER


def test_package_refuses_a_teams_app_id_that_is_not_a_guid(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="--app-id / TEAMS_MANIFEST_ID"):
        write_package(
            tmp_path / "a.zip", APP_ID, registry_commands(), website_url=SITE, manifest_id="x"
        )
    assert not (tmp_path / "a.zip").exists()


def test_icons_have_the_sizes_and_colours_teams_requires() -> None:
    w, h, pixels = decode_png(color_icon())
    assert (w, h) == (192, 192) and all(p[3] == 255 for p in pixels)
    w, h, pixels = decode_png(outline_icon())
    assert (w, h) == (32, 32)
    assert set(pixels) <= {(255, 255, 255, 255), (0, 0, 0, 0)}
    assert (255, 255, 255, 255) in pixels and (0, 0, 0, 0) in pixels
    assert (REPO / "teams" / "color.png").read_bytes() == color_icon()
    assert (REPO / "teams" / "outline.png").read_bytes() == outline_icon()


def test_package_zip_is_ready_to_upload(tmp_path: Path) -> None:
    out = write_package(tmp_path / "app.zip", APP_ID, registry_commands(), website_url=SITE)
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        assert decode_png(zf.read("color.png"))[:2] == (192, 192)
    assert manifest["bots"][0]["botId"] == APP_ID
    assert APP_ID_PLACEHOLDER not in json.dumps(manifest)


@pytest.mark.parametrize("app_id", [None, "", "not-a-guid", "${{TEAMS_APP_ID}}"])
def test_package_needs_the_bot_app_id(tmp_path: Path, app_id: str | None) -> None:
    with pytest.raises(PackageError, match="Set TEAMS_APP_ID"):
        write_package(tmp_path / "app.zip", app_id, registry_commands(), website_url=SITE)
    assert not (tmp_path / "app.zip").exists()


def test_package_needs_https_links(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="https"):
        write_package(tmp_path / "a.zip", APP_ID, [], website_url="http://council.example.org")


def test_teams_package_command(tmp_path: Path) -> None:
    app = typer.Typer()
    cli_teams.register(app)
    runner = CliRunner()
    out = tmp_path / "pkg.zip"
    args = ["teams-package", "--website-url", SITE, "--out", str(out)]
    ok = runner.invoke(app, args, env={"TEAMS_APP_ID": APP_ID})
    assert ok.exit_code == 0, ok.output
    # rich wraps long lines at the terminal width (narrower under xdist): compare words.
    assert out.exists() and "Upload it in Teams" in " ".join(ok.output.split())
    missing = runner.invoke(app, [*args[:-1], str(tmp_path / "x.zip")], env={"TEAMS_APP_ID": ""})
    assert missing.exit_code == 1 and "Set TEAMS_APP_ID" in missing.output


def test_teams_package_command_takes_a_separate_teams_app_id(tmp_path: Path) -> None:
    app = typer.Typer()
    cli_teams.register(app)
    runner = CliRunner()
    other = "1a2b3c4d-0000-4000-8000-00000000abcd"
    base = ["teams-package", "--website-url", SITE, "--out"]

    def manifest_of(out: Path) -> dict:
        with zipfile.ZipFile(out) as zf:
            return dict(json.loads(zf.read("manifest.json")))

    env = {"TEAMS_APP_ID": APP_ID, "TEAMS_MANIFEST_ID": ""}
    flag = runner.invoke(app, [*base, str(tmp_path / "a.zip"), "--app-id", other], env=env)
    assert flag.exit_code == 0, flag.output
    assert manifest_of(tmp_path / "a.zip")["id"] == other
    by_env = runner.invoke(
        app, [*base, str(tmp_path / "b.zip")], env={**env, "TEAMS_MANIFEST_ID": other}
    )
    assert by_env.exit_code == 0, by_env.output
    built = manifest_of(tmp_path / "b.zip")
    assert built["id"] == other and built["bots"][0]["botId"] == APP_ID
    default = runner.invoke(app, [*base, str(tmp_path / "c.zip")], env=env)
    assert default.exit_code == 0 and manifest_of(tmp_path / "c.zip")["id"] == APP_ID
    bad = runner.invoke(app, [*base, str(tmp_path / "d.zip"), "--app-id", "nope"], env=env)
    assert bad.exit_code == 1 and "must be a GUID" in " ".join(bad.output.split())
