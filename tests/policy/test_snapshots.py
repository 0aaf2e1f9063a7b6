"""Each pack's computed schedule for the reference organisation matches its snapshot."""

from __future__ import annotations

import pytest

from policy.engine import available_packs, load_pack
from tests.policy.snapshot import render, snapshot_path


@pytest.mark.parametrize("name", available_packs())
def test_schedule_matches_snapshot(name: str) -> None:
    path = snapshot_path(name)
    assert path.exists(), f"no snapshot for {name}: run python -m tests.policy.snapshot --update"
    expected = path.read_text("utf-8")
    assert render(load_pack(name)) == expected, (
        f"{name}'s schedule changed; if intended, run "
        "`.venv/bin/python -m tests.policy.snapshot --update` and review the diff"
    )


def test_snapshots_exist_only_for_packs() -> None:
    assert sorted(p.stem for p in snapshot_path("x").parent.glob("*.txt")) == available_packs()
