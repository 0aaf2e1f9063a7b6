"""The reflective-supervision intents (handlers.reflect via handlers.chat.reflection).

Their place in the matching order is set by the registry in handlers.chat.intents.
"""

from __future__ import annotations

from handlers.chat import agreed_actions, private_notes, reflection
from handlers.chat.intent import Intent

_KIND = r"(?:(?:prep|preparation|private|reflective|reflection) )?"
_NOTE = rf"(?:my |the |a |one of my )?{_KIND}notes?"

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
    agreed_actions.action_form,
)

MY_ACTIONS = Intent(
    "my_actions",
    "Actions agreed in supervision (yours; overdue ones for supervisors)",
    "actions",
    ("what actions do I have?", "which agreed actions are overdue?"),
    (r"\bactions?\b(?! .*\bsession\b)", r"\bto-?dos?\b", r"\bagreed to do\b"),
    agreed_actions.my_actions,
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
    private_notes.my_notes,
)

EDIT_NOTE = Intent(
    "edit_note",
    "Change one of your private notes",
    "edit-note",
    ("edit note 2", "change my note 2"),
    (
        rf"\b(?:edit|change|update|amend|correct|fix|rewrite|reword) {_NOTE} "
        r"(?:no |number |#)?\d+\b",
        rf"^(?:can i |could i |i want to |i'd like to |let me |please )?"
        rf"(?:edit|change|amend|rewrite|reword) (?:my|one of my) {_KIND}notes?\b",
    ),
    private_notes.edit_note,
    first=True,
)

DELETE_NOTES = Intent(
    "delete_notes",
    "Delete your private notes: one, or all of a session's (you confirm first)",
    "delete-notes",
    ("delete note 2", "delete my notes for session 4"),
    (rf"\b(?:delete|remove|erase|wipe|bin|get rid of|clear) (?:all )?(?:of )?{_NOTE}\b",),
    private_notes.delete_notes,
    first=True,
)
