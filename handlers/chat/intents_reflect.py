"""The reflective-supervision intents (handlers.reflect via handlers.chat.reflection).

Their place in the matching order is set by the registry in handlers.chat.intents.
"""

from __future__ import annotations

from handlers.chat import reflection
from handlers.chat.intent import Intent

REFLECT = Intent(
    "reflect",
    "A reflective question (4x4x4), e.g. about support or from the family's view",
    "reflect",
    ("give me a reflective question", "a reflective question about support"),
    (r"\breflect", r"\bquestion to (?:think|reflect)\b"),
    reflection.reflect,
)

PREPARE = Intent(
    "prepare",
    "Prepare for your next session, privately",
    "prepare",
    ("help me prepare for my next session", "prepare for supervision"),
    (r"\bprepar(?:e|ing|ation)\b(?!.*\bnotes\b)", r"\bget ready for\b"),
    reflection.prepare,
)

ADD_ACTION = Intent(
    "add_action",
    "Record an action agreed in supervision",
    "add-action",
    ("add an action for Jo", "record an agreed action"),
    (r"\b(?:add|record|new|log|note)\b.*\bactions?\b",),
    reflection.action_form,
)

MY_ACTIONS = Intent(
    "my_actions",
    "Actions agreed in supervision (yours; overdue ones for supervisors)",
    "actions",
    ("what actions do I have?", "which agreed actions are overdue?"),
    (r"\bactions?\b(?! .*\bsession\b)", r"\bto-?dos?\b", r"\bagreed to do\b"),
    reflection.my_actions,
)

SHARED_NOTES = Intent(
    "shared_notes",
    "Read the preparation notes a supervisee shared with you (supervisors)",
    "prep-notes",
    ("show Jo's preparation notes", "what has Jo prepared?"),
    (
        r"\b(?!my\b)[a-z]+'s (?:\w+ )?(?:prep|preparation|reflections?|notes)\b",
        r"\bwhat (?:has|did|have) (?!i\b|you\b)[a-z]+(?: [a-z]+)? prepared\b",
        r"\bnotes? (?:shared with me|\w+ (?:has )?shared)\b",
    ),
    reflection.shared_notes,
)

MY_NOTES = Intent(
    "my_notes",
    "Your private preparation notes",
    "notes",
    ("show my notes", "my preparation notes"),
    (r"\bmy (?:\w+ )?notes\b", r"\b(?:prep|preparation|private|reflective) notes\b"),
    reflection.my_notes,
)
