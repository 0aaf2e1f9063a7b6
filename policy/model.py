"""The policy pack: one council's supervision rules as data (validated by pydantic)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import Field, field_validator, model_validator

from policy.calendar import WorkingCalendar
from policy.nations import DEFAULT_NATION, calendar_for, known_nations
from policy.rules import (
    Absence,
    Agreement,
    CaseSupervision,
    Citation,
    Deadline,
    Escalation,
    Minimum,
    Overrides,
    Periodic,
    Planning,
    Ratio,
    Rearranging,
    Records,
    Reminders,
    Role,
    Rule,
    Strict,
)

REQUIRED_ROLES = ("social_worker", "nqsw", "team_manager")
_SINGLE_RULES = (
    "records", "rearranging", "absence", "ratio", "planning", "agreement", "escalation",
    "reminders",
)


class Source(Strict):
    """The document a pack encodes."""

    title: str = Field(min_length=1)
    short: str = Field(min_length=1, description="name used in citations")
    organisation: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    file: str | None = None


@dataclass(frozen=True)
class RuleRef:
    """One rule of a pack, addressable by id, with a one-line summary for people."""

    rule_id: str
    summary: str
    rule: Rule

    @property
    def citation(self) -> Citation:
        return self.rule.citation

    @property
    def assumed(self) -> bool:
        return self.rule.assumed

    @property
    def assumed_why(self) -> str | None:
        return self.rule.assumed_why


def _fill_document(node: Any, document: str) -> Any:
    """Citations may omit `document`; it defaults to the pack's source document."""
    if isinstance(node, dict):
        out = {k: _fill_document(v, document) for k, v in node.items()}
        for key in ("citation",):
            if isinstance(out.get(key), dict) and "document" not in out[key]:
                out[key] = {"document": document, **out[key]}
        if isinstance(out.get("see_also"), list):
            out["see_also"] = [
                {"document": document, **c} if isinstance(c, dict) and "document" not in c else c
                for c in out["see_also"]
            ]
        return out
    if isinstance(node, list):
        return [_fill_document(v, document) for v in node]
    return node


class PolicyPack(Strict):
    """A council's supervision policy: roles, cadences and timed duties, each cited."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    version: str = Field(min_length=1)
    nation: str = DEFAULT_NATION
    source: Source
    roles: dict[str, Role]
    records: Records
    rearranging: Rearranging
    absence: Absence
    ratio: Ratio
    planning: Planning
    agreement: Agreement
    escalation: Escalation
    reminders: Reminders
    minimums: list[Minimum] = Field(default_factory=list)
    periodic: list[Periodic] = Field(default_factory=list)
    case_supervision: list[CaseSupervision] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    overrides: Overrides | None = None

    @model_validator(mode="before")
    @classmethod
    def _citation_documents(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("source"), dict):
            short = data["source"].get("short")
            if isinstance(short, str):
                return _fill_document(data, short)
        return data

    @field_validator("nation")
    @classmethod
    def _known_nation(cls, v: str) -> str:
        if v not in known_nations():
            raise ValueError(f"expected one of: {', '.join(known_nations())}")
        return v

    @field_validator("roles")
    @classmethod
    def _role_ids(cls, roles: dict[str, Role]) -> dict[str, Role]:
        missing = [r for r in REQUIRED_ROLES if r not in roles]
        if missing:
            raise ValueError(f"every pack must define the roles: {', '.join(missing)}")
        for role_id, role in roles.items():
            if not role_id.replace("_", "a").isalnum() or not role_id[:1].isalpha():
                raise ValueError(f"@{role_id}: role ids use lower-case letters, digits and _")
            for sup in role.supervised_by:
                if sup not in roles:
                    raise ValueError(
                        f"@{role_id}.supervised_by: {sup!r} is not a role in this pack"
                    )
        for r in REQUIRED_ROLES:
            if not roles[r].supervised:
                raise ValueError(f"@{r}.phases: this role needs a supervision cadence")
        return roles

    @model_validator(mode="after")
    def _references(self) -> PolicyPack:
        ids: set[str] = set()
        entries: list[tuple[str, int, str, list[str] | None]] = [
            *(("minimums", i, m.id, m.applies_to) for i, m in enumerate(self.minimums)),
            *(("periodic", i, p.id, p.applies_to) for i, p in enumerate(self.periodic)),
            *(
                ("case_supervision", i, c.id, c.applies_to)
                for i, c in enumerate(self.case_supervision)
            ),
            *(("deadlines", i, d.id, None) for i, d in enumerate(self.deadlines)),
        ]
        for group, i, item_id, applies_to in entries:
            if item_id in ids:
                raise ValueError(f"@{group}[{i}].id: {item_id!r} is used twice")
            ids.add(item_id)
            for role in applies_to or []:
                if role not in self.roles:
                    raise ValueError(
                        f"@{group}[{i}].applies_to: {role!r} is not a role in this pack"
                    )
        return self

    def calendar(self) -> WorkingCalendar:
        """Working days for this pack's nation."""
        return calendar_for(self.nation)

    @cached_property
    def _rule_index(self) -> dict[str, RuleRef]:
        from policy.describe import all_rules

        return {ref.rule_id: ref for ref in all_rules(self)}

    def rules(self) -> list[RuleRef]:
        """Every rule of the pack, in reading order, each with a stable id."""
        return list(self._rule_index.values())

    def rule(self, rule_id: str) -> RuleRef:
        """The rule with this id (e.g. 'roles.nqsw.phases[0]', 'records'); KeyError if none."""
        return self._rule_index[rule_id]

    def why(self, topic: str) -> list[RuleRef]:
        """Rules that answer "why ...?" about a topic: a rule id, role, or words."""
        from policy.describe import search

        return search(self, topic)
