"""Bank files for tests."""

from __future__ import annotations

from policy.reflection.schema import FUNCTIONS, STAGES, STAKEHOLDERS


def full_bank_yaml(extra: str = "") -> str:
    """A valid replacement bank: four questions in every cell, one per function."""
    lines = [
        "version: 1",
        'title: "Our bank"',
        "documents:",
        "  ours: {title: Our guidance}",
        extra,
        "questions:",
    ]
    for stage in STAGES:
        for who in STAKEHOLDERS:
            for fn in FUNCTIONS:
                lines += [
                    f"  - id: {stage}.{who}.{fn}",
                    f"    stage: {stage}",
                    f"    stakeholder: {who}",
                    f"    functions: [{fn}]",
                    f'    text: "What about {stage} for {who} under {fn}?"',
                    "    source: {document: ours, section: '2', use: adapted}",
                ]
    return "\n".join(lines) + "\n"
