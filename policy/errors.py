"""The one error policy code raises: a message written for people."""

from __future__ import annotations


class PolicyError(Exception):
    """A policy problem; str(e) is for people, `.problems` lists each problem with its path."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems if problems is not None else [message]

    def __str__(self) -> str:
        return self.message
