"""Writing CSV files for import tests."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

PEOPLE_HEADER = ("id", "name", "email", "role", "supervisor_id", "start_date")


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])
    return path


def people_csv(path: Path, rows: Sequence[Sequence[object]], extra: Sequence[str] = ()) -> Path:
    return write_csv(path, (*PEOPLE_HEADER, *extra), rows)


# A small service: head of service, two team managers, four social workers (any order).
ORG = [
    ("sw1", "Lucy Barker", "lucy@example.org", "social_worker", "tm1", "2023-05-01"),
    ("tm1", "Priya Sharma", "priya@example.org", "team_manager", "sdm", "2021-01-04"),
    ("sw2", "Kwame Mensah", "", "social_worker", "tm1", "2024-09-02"),
    ("sdm", "Imran Qureshi", "imran@example.org", "service_delivery_manager", "", "2020-06-01"),
    ("nq1", "Sophie Tran", "sophie@example.org", "nqsw", "tm2", "2026-02-02"),
    ("tm2", "Tom Whitaker", "tom@example.org", "team_manager", "sdm", "2022-03-07"),
    ("sw3", "Amara Eze", "amara@example.org", "social_worker", "tm2", "2019-11-11"),
]
