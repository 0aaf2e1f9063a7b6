"""CSV import of HR exports: people, sessions, absences and supervision agreements (one
transaction per file).

See storage/importer_people.py, importer_sessions.py, importer_absences.py and
importer_agreements.py for each file's columns and defaults, and storage/importer_csv.py
for dates, row numbers and how problems are reported.
"""

from __future__ import annotations

from storage.importer_absences import import_absences
from storage.importer_agreements import import_agreements
from storage.importer_csv import ImportFailed, Problem
from storage.importer_people import ImportResult, import_people
from storage.importer_sessions import import_sessions

__all__ = [
    "ImportFailed",
    "ImportResult",
    "Problem",
    "import_absences",
    "import_agreements",
    "import_people",
    "import_sessions",
]
