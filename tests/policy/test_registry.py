"""The pack registry, the pack files and the source documents agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy.engine import available_packs, load_pack
from policy.loader import PACKS_DIR
from policy.model import REQUIRED_ROLES

SOURCES = Path(__file__).resolve().parents[2] / "policy" / "sources"
MULTI_AGENCY = "Multi-agency Supervision Practice Guidance 2016"

EXPECTED_ROLES = {
    "leeds": {
        "social_worker", "nqsw", "team_manager", "student", "returner",
        "non_qualified_social_work_staff", "res_family_support",
        "supervising_fostering_social_worker", "senior_social_worker", "advanced_practitioner",
        "independent_reviewing_officer", "service_delivery_manager", "head_of_service",
        "chief_officer", "deputy_director", "practice_educator", "early_help_staff",
        "targeted_services_leader", "cluster_chair", "other_children_and_families_staff",
        "line_manager", "registered_manager", "deputy_home_manager", "senior_practitioner",
        "residential_practitioner", "casual_residential_practitioner",
    },
    "warwickshire": {
        "social_worker", "nqsw", "team_manager", "student", "social_care_worker",
        "principal_practitioner", "operations_manager", "service_manager", "head_of_service",
        "family_parenting_support",
    },
    "darlington": {
        "social_worker", "nqsw", "team_manager", "practice_supervisor", "practitioner",
        "service_manager", "non_qualified_worker", "residential_staff", "head_of_service",
    },
    "lancashire": {
        "social_worker", "nqsw", "team_manager", "student", "practice_educator",
        "non_qualified_staff", "practice_supervisor", "senior_manager",
    },
}


def _normalise(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # markdown links -> their text
    text = re.sub(r"<[^>]+>", " ", text)  # html cells
    text = text.replace("*", "").replace("\\", "")
    return " ".join(text.split())


def _documents() -> dict[str, str]:
    docs = {}
    for name in available_packs():
        pack = load_pack(name)
        assert pack.source.file is not None
        docs[pack.source.short] = _normalise((SOURCES / pack.source.file).read_text("utf-8"))
    docs[MULTI_AGENCY] = _normalise(
        (SOURCES / "multi-agency-supervision-practice-guidance-2016.md").read_text("utf-8")
    )
    return docs


def test_registry_lists_exactly_the_pack_files() -> None:
    files = sorted(p.stem for p in PACKS_DIR.glob("*.yaml"))
    assert available_packs() == files == ["darlington", "lancashire", "leeds", "warwickshire"]


@pytest.mark.parametrize("name", sorted(EXPECTED_ROLES))
def test_pack_name_matches_file_and_roles(name: str) -> None:
    pack = load_pack(name)
    assert pack.name == name
    assert set(pack.roles) == EXPECTED_ROLES[name]
    for role in REQUIRED_ROLES:
        assert pack.roles[role].supervised, role


@pytest.mark.parametrize("name", sorted(EXPECTED_ROLES))
def test_every_quote_is_copied_from_its_document(name: str) -> None:
    docs = _documents()
    pack = load_pack(name)
    missing = []
    for ref in pack.rules():
        for c in [ref.citation, *ref.rule.see_also]:
            assert c.document in docs, f"{ref.rule_id}: unknown document {c.document!r}"
            if _normalise(c.quote) not in docs[c.document]:
                missing.append(f"{ref.rule_id}: {c.quote!r}")
    assert missing == []


@pytest.mark.parametrize("name", sorted(EXPECTED_ROLES))
def test_every_rule_is_cited_and_assumptions_explained(name: str) -> None:
    pack = load_pack(name)
    ids = [r.rule_id for r in pack.rules()]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for ref in pack.rules():
        assert ref.citation.section and ref.citation.quote
        if ref.assumed:
            assert ref.assumed_why and len(ref.assumed_why) > 20, ref.rule_id
        assert pack.rule(ref.rule_id) == ref


def test_assumptions_follow_the_documents() -> None:
    """Values a document leaves open are assumed; values it sets are not."""
    leeds = load_pack("leeds")
    assert not leeds.rule("records").assumed
    assert not leeds.rule("absence").assumed and leeds.rule("absence").rule.reading
    assert not leeds.rule("roles.nqsw.phases[0]").assumed
    assert leeds.rule("roles.returner.phases[0]").assumed  # 'an agreed period'
    assert leeds.rule("roles.student.phases[0]").assumed  # 'a point agreed'
    assert not leeds.rule("roles.student.phases[1]").assumed
    assert leeds.rule("reminders").assumed
    warwick = load_pack("warwickshire")
    assert not warwick.rule("minimums.supervision_sessions").assumed
    assert warwick.rule("roles.student.phases[0]").assumed  # 'as agreed with student and HEI'
    assert warwick.rule("rearranging").assumed  # 'as soon as possible'
    lancs = load_pack("lancashire")
    cadences = [r for r in lancs.rules() if ".phases[" in r.rule_id]
    assert cadences and all(r.assumed for r in cadences)  # delegated to its procedure
    assert not lancs.rule("periodic.performance_engagement").assumed


def test_sources_are_the_shared_documents() -> None:
    shared = Path("/work/shared/policies")
    if not shared.is_dir():
        pytest.skip("shared policy folder not on this machine")
    for doc in shared.glob("*.md"):
        assert (SOURCES / doc.name).read_text("utf-8") == doc.read_text("utf-8")
