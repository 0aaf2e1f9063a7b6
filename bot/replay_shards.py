"""Splitting a replay by supervision tree, so separate processes can replay the trees.

What the engine plans about a person depends only on people linked to them by some fact:
their supervisor (now or in the change history), the supervisor of a session they had,
an action's owner, an agreement's signatory, and those people's own links. The people so
linked form a tree (strictly, a connected group). Replaying each tree on its own therefore
sends exactly the messages the whole organisation's replay sends about its people
(tests/engine/test_replay_shards.py checks it).

The organisation's fallback recipient and admins receive escalations from every tree
without being linked to it. Each shard copies their person rows as guests: reachable
recipients, never subjects. What a shard plans about a guest is dropped; the guest's own
tree plans it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Facts = dict[str, list[dict[str, Any]]]  # table name -> rows

# Each table's columns naming people: the first is the person the row belongs to.
LINKS: dict[str, tuple[str, ...]] = {
    "person": ("id", "supervisor_id"),
    "supervisor_change": ("person_id", "supervisor_id"),
    "supervision_session": ("supervisee_id", "supervisor_id"),
    "absence": ("person_id",),
    "agreement": ("supervisee_id", "supervisor_id"),
    "action_item": ("supervisee_id", "owner_id"),
    "role_change": ("person_id",),
}


@dataclass(frozen=True)
class Shard:
    """The people a shard replays (`home`) and the facts it replays them from."""

    home: frozenset[str]
    facts: Facts

    def owns(self, about_id: str | None, recipient_id: str) -> bool:
        """Whether a message this shard sent is its own to report (not about a guest)."""
        return (about_id or recipient_id) in self.home


class _Groups:
    """Union-find over person ids (path halving, union by size)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        if x not in parent:
            parent[x], self.size[x] = x, 1
            return x
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def trees(facts: Facts) -> list[set[str]]:
    """The groups of people linked by some fact, largest first (then by smallest id)."""
    groups = _Groups()
    for table, columns in LINKS.items():
        for row in facts.get(table, []):
            first = row[columns[0]]
            groups.find(first)
            for column in columns[1:]:
                if row[column]:
                    groups.join(first, row[column])
    found: dict[str, set[str]] = {}
    for person in list(groups.parent):
        found.setdefault(groups.find(person), set()).add(person)
    return sorted(found.values(), key=lambda g: (-len(g), min(g)))


def split(facts: Facts, parts: int, guests: Iterable[str]) -> list[Shard]:
    """At most `parts` shards of whole trees, balanced by the facts each replays."""
    weight: dict[str, int] = {}
    for table, columns in LINKS.items():
        for row in facts.get(table, []):
            weight[row[columns[0]]] = weight.get(row[columns[0]], 0) + 1
    groups = trees(facts)
    bins: list[set[str]] = [set() for _ in range(max(1, min(parts, len(groups))))]
    load = [0] * len(bins)
    for group in sorted(groups, key=lambda g: (-sum(weight.get(p, 0) for p in g), min(g))):
        lightest = load.index(min(load))
        bins[lightest] |= group
        load[lightest] += sum(weight.get(p, 0) for p in group)
    visitors = set(guests)
    return [_shard(facts, frozenset(home), visitors) for home in bins if home]


def _shard(facts: Facts, home: frozenset[str], guests: set[str]) -> Shard:
    out: Facts = {}
    for table, rows in facts.items():
        columns = LINKS.get(table)
        if columns is None:  # organisation settings: every shard has them
            out[table] = rows
        elif table == "person":
            out[table] = [r for r in rows if r["id"] in home or r["id"] in guests]
        else:
            out[table] = [r for r in rows if r[columns[0]] in home]
    return Shard(home, out)
