"""Bad bank files get one clear line per problem naming the file, line and place."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policy.reflection.bank import BankError, default_bank, load_bank
from tests.reflect.banks import full_bank_yaml


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(BankError) as exc:
        load_bank(path)
    return str(exc.value)


def test_a_complete_organisation_bank_replaces_the_default(tmp_path: Path) -> None:
    bank = load_bank(_write(tmp_path, full_bank_yaml()))
    assert len(bank.questions) == 64
    assert bank.get("experience.supervisee.support") is not None
    assert bank.get("exp.self.sup") is None


def test_include_default_adds_to_the_built_in_bank(tmp_path: Path) -> None:
    text = """version: 1
title: Extra
include_default: true
questions:
  - id: ours.extra
    stage: analysis
    stakeholder: organisation
    functions: [mediation]
    text: "What does our new practice model ask of you this month?"
    source: "written for supervision-bot in the spirit of our practice model"
"""
    bank = load_bank(_write(tmp_path, text))
    assert len(bank.questions) == len(default_bank().questions) + 1
    assert bank.get("ours.extra") is not None and bank.get("exp.self.sup") is not None


def test_wrong_function_names_the_line_the_question_and_the_choices(tmp_path: Path) -> None:
    text = full_bank_yaml().replace("functions: [support]", "functions: [suport]", 1)
    message = _error(_write(tmp_path, text))
    assert "bank.yaml: line" in message
    assert "(id 'experience.supervisee.support').functions[0]" in message
    assert "'management', 'development', 'support' or 'mediation'" in message
    line = int(message.split("line ")[1].split(":")[0])
    assert "suport" in _write(tmp_path, text).read_text().splitlines()[line - 1]


def test_bad_source_says_what_a_source_looks_like(tmp_path: Path) -> None:
    text = full_bank_yaml().replace(
        "source: {document: ours, section: '2', use: adapted}", 'source: "my head"', 1
    )
    message = _error(_write(tmp_path, text))
    assert "questions[0] (id 'experience.supervisee.management').source" in message
    assert "written for supervision-bot in the spirit of" in message
    assert message.count("\n") == 0  # one problem, one line


def test_unknown_document_duplicate_ids_and_thin_cells(tmp_path: Path) -> None:
    text = full_bank_yaml()
    text = text.replace("{document: ours,", "{document: theirs,", 1)
    text = text.replace("id: analysis.organisation.support", "id: analysis.organisation.mediation")
    text = text.replace(
        "stakeholder: child_and_family\n    functions: [management]",
        "stakeholder: supervisee\n    functions: [management]",
    )
    message = _error(_write(tmp_path, text))
    assert "'theirs' is not listed under `documents` (listed: ours)" in message
    assert "question ids used more than once: analysis.organisation.mediation" in message
    assert "too few in: experience x child_and_family (3)" in message


def test_misspelt_field_and_missing_text(tmp_path: Path) -> None:
    text = full_bank_yaml().replace("    stage: experience\n", "    stag: experience\n", 1)
    message = _error(_write(tmp_path, text))
    assert "questions[0] (id 'experience.supervisee.management').stag: is not a field" in message
    assert "questions[0] (id 'experience.supervisee.management').stage: Field required" in message


def test_not_yaml_and_not_a_mapping_and_missing_file(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, "version: 1\nquestions: [\n"))
    assert "not valid YAML" in message and "line" in message
    assert "is a mapping" in _error(_write(tmp_path, "- just a list\n"))
    assert "no such file" in _error(tmp_path / "absent.yaml")


def test_default_bank_file_itself_validates() -> None:
    data = yaml.safe_load(Path("policy/reflection/questions.yaml").read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert load_bank(None) is default_bank()
