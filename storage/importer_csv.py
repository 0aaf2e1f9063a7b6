"""Reading HR CSV exports: headers, rows with their numbers, and values parsed with
messages that name the file, row, column and what was expected.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first
person is row 2. Cells are separated by commas, or by semicolons as spreadsheets in some
locales save them. Dates are ISO (2026-03-31) or UK day-first (31/03/2026), from 1900 to 2100;
date-times add a time (2026-03-31 14:00, 2026-03-31T14:00 or 31/03/2026 14:00)
and are local time of the organisation unless they carry an offset.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import FIRST_YEAR, LAST_YEAR, plausible_year
from storage.people import OrgError

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
MAX_PROBLEMS = 50
# Control characters other than tab, newline and carriage return never belong in an export;
# PostgreSQL refuses NUL outright, so refuse them all here with the cell that has them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or row, or the whole file)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class ImportFailed(OrgError):
    """The file was refused; nothing was written. str() lists every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more problems")
        shown.append("Nothing was imported.")
        super().__init__("\n".join(shown))


@dataclass
class Row:
    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


@dataclass
class CsvFile:
    """The rows of one CSV file and the problems found reading them."""

    name: str
    columns: list[str]
    rows: list[Row]
    problems: list[Problem] = field(default_factory=list)

    def problem(self, row: Row | int | None, column: str | None, message: str) -> None:
        number = row.number if isinstance(row, Row) else row
        self.problems.append(Problem(self.name, number, column, message))

    def raise_if_problems(self) -> None:
        if self.problems:
            raise ImportFailed(self.problems)

    def has(self, column: str) -> bool:
        return column in self.columns

    def required(self, row: Row, column: str, what: str) -> str | None:
        value = row.get(column)
        if not value:
            self.problem(row, column, f"is empty; expected {what}")
            return None
        return value

    def date(self, row: Row, column: str, *, required: bool = False) -> date | None:
        value = row.get(column)
        if not value:
            if required:
                self.problem(row, column, "is empty; expected a date like 2026-03-31")
            return None
        for fmt in DATE_FORMATS:
            try:
                day = datetime.strptime(value, fmt).date()
            except ValueError:
                continue
            return day if self._in_range(row, column, value, day.year) else None
        self.problem(
            row, column, f"'{value}' is not a date; expected YYYY-MM-DD or DD/MM/YYYY, "
            "e.g. 2026-03-31"
        )
        return None

    def local_datetime(self, row: Row, column: str, tz: str) -> datetime | None:
        """A date-time: local time in `tz` unless an offset is given; always aware."""
        value = row.get(column)
        if not value:
            self.problem(row, column, "is empty; expected a date and time like 2026-03-31 14:00")
            return None
        parsed: datetime | None = None
        for fmt in DATETIME_FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                self.problem(
                    row, column, f"'{value}' is not a date and time; expected e.g. "
                    "2026-03-31 14:00 (local time) or 2026-03-31T14:00+01:00"
                )
                return None
        if not self._in_range(row, column, value, parsed.year):
            return None
        if parsed.tzinfo is None:
            wall, parsed = parsed, parsed.replace(tzinfo=ZoneInfo(tz))
            # A wall time in the spring-forward gap changes on a round trip through UTC:
            # it never happened, so it cannot be guessed. An ambiguous autumn time (the
            # hour that happens twice) keeps fold=0: its first occurrence, summer time.
            if parsed.astimezone(UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None) != wall:
                self.problem(
                    row, column, f"'{value}' does not exist in {tz}: the clocks go forward "
                    "that night and skip that time; give the time the session really "
                    "started (e.g. an hour later), or add the UTC offset "
                    "(e.g. 2026-03-29T02:30+01:00)"
                )
                return None
        return parsed

    def _in_range(self, row: Row, column: str, value: str, year: int) -> bool:
        if plausible_year(year):
            return True
        self.problem(
            row, column, f"'{value}' is not a plausible date: expected a year from "
            f"{FIRST_YEAR} to {LAST_YEAR} (leave the cell empty where there is no date)"
        )
        return False

    def timezone(self, row: Row, column: str, default: str) -> str:
        value = row.get(column)
        if not value:
            return default
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(
                row, column, f"'{value}' is not a time zone; expected an IANA name such as "
                "Europe/London"
            )
            return default
        return value

    def max_length(self, row: Row, column: str, limit: int | None) -> None:
        value = row.get(column)
        if limit is not None and len(value) > limit:
            self.problem(row, column, f"is {len(value)} characters long; at most {limit} allowed")


def read_csv(
    path: Path, required: Sequence[str], optional: Sequence[str] = ()
) -> CsvFile:
    """Read `path`, checking the header names every required column and nothing unknown."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFailed([Problem(name, None, None, f"file not found: {path}")]) from None
    except UnicodeDecodeError:
        raise ImportFailed(
            [Problem(name, None, None, "is not UTF-8 text; save the export as CSV UTF-8")]
        ) from None
    except OSError as exc:
        raise ImportFailed([Problem(name, None, None, f"cannot be read: {exc.strerror}")]) from None
    # Spreadsheets set to a comma-decimal locale save "CSV" with semicolons between cells.
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise ImportFailed([Problem(name, 1, None, f"is not valid CSV: {exc}")]) from None
    columns = [h.strip().lower() for h in header]
    result = CsvFile(name, columns, [])
    expected = f"expected columns: {', '.join(required)}"
    if optional:
        expected += f" (optional: {', '.join(optional)})"
    if not any(columns):
        result.problem(1, None, f"has no header row; {expected}")
        result.raise_if_problems()
    for col in required:
        if col not in columns:
            result.problem(1, col, f"the required column is missing; {expected}")
    for col in columns:
        if col not in required and col not in optional:
            result.problem(1, col or "(blank)", f"unknown column; {expected}")
    seen: set[str] = set()
    for col in columns:
        if col in seen:
            result.problem(1, col, "appears twice in the header")
        seen.add(col)
    result.raise_if_problems()
    for number, cells in _numbered(reader, name):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns):
            result.problem(
                number, None, f"has {len(cells)} cells but the header has {len(columns)} columns"
            )
            continue
        row = Row(number, dict(zip(columns, cells, strict=False)))
        for col, cell in row.values.items():
            if _CONTROL.search(cell):
                result.problem(row, col, "contains a control character (such as a NUL byte); "
                               "re-export the file as plain CSV UTF-8")
        result.rows.append(row)
    result.raise_if_problems()
    if not result.rows:
        result.problem(None, None, "has a header but no rows")
        result.raise_if_problems()
    return result


def _numbered(reader: Iterator[list[str]], name: str) -> Iterator[tuple[int, list[str]]]:
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFailed([Problem(name, number, None, f"is not valid CSV: {exc}")]) from None
        yield number, cells
