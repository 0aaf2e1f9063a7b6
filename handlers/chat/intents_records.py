"""The intents about session outcomes and records: sign, owed, held, share.

Their place in the matching order is set by the registry in handlers.chat.intents.
"""

from __future__ import annotations

from handlers.chat import records
from handlers.chat.intent import QUESTION as _Q
from handlers.chat.intent import Intent

TO_SIGN = Intent(
    "to_sign",
    "What you need to sign",
    "to-sign",
    ("what do I need to sign?", "any records waiting for my signature?"),
    (
        _Q + r".*\b(?:sign|signature|signing)\b",
        r"\b(?:need|waiting|outstanding|left) .*\bsign",
        r"\bunsigned\b",
        _Q + r".*\bagree\b.*\brecords?\b",
        r"\bneed to agree\b",
        r"\bhave i signed\b",
        r"\bsigned (?:everything|it all|all)\b",
    ),
    records.to_sign,
    keywords=("sign", "signature"),
)

RECORDS_OWED = Intent(
    "records_owed",
    "Which records you owe (supervisors)",
    "owed",
    ("which records do I owe?", "what write-ups are outstanding?"),
    (
        r"\bowe\b",
        r"\b(?:records?|write-?ups?|notes)\b.*\b(?:outstanding|overdue|to write|to share|"
        r"not shared|unshared|pending|missing)\b",
        _Q + r".*\brecords?\b.*\bshare\b",
        r"\b(?:records?|notes|write-?ups?)\b.*\b(?:still|yet|not)\b.*"
        r"\b(?:write|written|send|sent|share|shared)\b",
        r"\b(?:records?|notes|write-?ups?)\b.*\b(?:write|written|send|share)\b.*\b(?:still|yet)\b",
        r"\bhaven't (?:i )?(?:written|sent|shared)\b",
        r"\b(?:outstanding|overdue|unshared|pending|missing) (?:records?|write-?ups?|notes)\b",
    ),
    records.records_owed,
    keywords=("owe", "write-up", "writeup", "records"),
)

MARK_HELD = Intent(
    "mark_held",
    "Mark a session held (supervisors)",
    "held",
    ("mark my session with Sam as held", "we had our supervision today"),
    (
        r"\b(?:held|happened|took place|went ahead)\b",
        r"\bmark\b.*\b(?:done|complete|completed)\b",
        r"\bwe (?:had|did|met)\b",
    ),
    records.mark_held,
)

SIGN_RECORD = Intent(
    "sign_record",
    "Sign a record shared with you",
    "sign",
    ("sign my last record", "I agree with the record"),
    (
        r"\bsign\b",
        r"\bagree (?:with|to) (?:the|my)\b.*\brecord",
        r"\bcountersign\b",
        r"\bapprove (?:the|my) record\b",
    ),
    records.sign_record,
)

SHARE_RECORD = Intent(
    "share_record",
    "Record that you shared a session record (supervisors)",
    "share",
    ("I've shared the record for Sam", "share the record of my session with Sam"),
    (
        r"\bshar(?:e|ed|ing)\b",
        r"\b(?:sent|send|emailed|uploaded) .*\b(?:record|notes|write-?up)\b",
        r"\b(?:record|notes|write-?up) (?:is|are) (?:done|written|ready)\b",
    ),
    records.share_record,
)
