"""Jet-shaped errors: every failure answers ``{"errors": ["..."]}`` (celigo-jet.md §3.1).

A 400 message starts with the path of the bad field (``order_items[0].order_item_id: ...``) so a
person, or a client that parses the prefix, knows what to fix.
"""

from __future__ import annotations


class JetProblem(Exception):
    """An error the API answers with ``status`` and Jet's ``{"errors": [...]}`` body."""

    def __init__(self, status: int, *messages: str, headers: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(messages))
        self.status = status
        self.messages = list(messages)
        self.headers = headers or {}

    def body(self) -> dict[str, list[str]]:
        return {"errors": self.messages}


def bad_field(field: str, message: str) -> JetProblem:
    """400 naming ``field``: the message reads ``<field>: <what is wrong and the fix>``."""
    return JetProblem(400, f"{field}: {message}")


def not_found(what: str, ident: str) -> JetProblem:
    return JetProblem(404, f"{what} '{ident}' was not found for this merchant")


def unauthorized(message: str) -> JetProblem:
    return JetProblem(401, message, headers={"WWW-Authenticate": "Bearer"})


def conflict_state(field: str, message: str) -> JetProblem:
    """An illegal state transition: Jet answered these with 400 and a message."""
    return JetProblem(400, f"{field}: {message}")
