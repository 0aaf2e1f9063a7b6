"""The organisation's question bank and children's-details patterns, each file read once.

REFLECTION_BANK and CHILD_DETAIL_PATTERNS (Settings) name the files; unset means the
built-in ones. Chat (ChatService) and the command line both read them here, so a
question asked in Slack, Teams or a terminal comes from the same bank and every note
is checked against the same patterns. A file is read once per path: restart the bot
after editing it.
"""

from __future__ import annotations

from functools import lru_cache

from bot.settings import MissingConfiguration, Settings
from policy.reflection.bank import QuestionBank, load_bank
from policy.reflection.child_details import ChildDetailPatterns, load_child_patterns
from policy.reflection.yamlpath import FileProblem


class UnusableSettingFile(MissingConfiguration):
    """A file named by a setting that cannot be used; the message lists its problems."""


@lru_cache(maxsize=8)
def question_bank(path: str | None = None) -> QuestionBank:
    """The bank in the file at `path` (the built-in bank when None); raises BankError."""
    return load_bank(path)


@lru_cache(maxsize=8)
def child_patterns(path: str | None = None) -> ChildDetailPatterns:
    """The patterns in the file at `path` (the built-in ones when None)."""
    return load_child_patterns(path)


def configured_bank() -> QuestionBank:
    """The bank REFLECTION_BANK names (built-in if unset); a broken file stops start-up."""
    path = Settings().reflection_bank
    try:
        return question_bank(path)
    except FileProblem as exc:
        raise UnusableSettingFile(
            f"REFLECTION_BANK names a question bank that can't be used:\n{exc}"
        ) from None


def configured_patterns() -> ChildDetailPatterns:
    """The patterns CHILD_DETAIL_PATTERNS names (built-in if unset); a broken file stops
    start-up."""
    path = Settings().child_detail_patterns
    try:
        return child_patterns(path)
    except FileProblem as exc:
        raise UnusableSettingFile(
            f"CHILD_DETAIL_PATTERNS names a patterns file that can't be used:\n{exc}"
        ) from None
