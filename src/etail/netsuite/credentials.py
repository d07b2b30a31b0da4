"""The four TBA credentials, kept out of every repr, log line and error message."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from etail.errors import SettingsError

_MASK = "******"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

# Where a person finds each value again (netsuite-tba.md §1.7, §4): the consumer pair is shown
# once when the integration record is saved, the token pair once when the access token is saved.
_ORIGIN = {
    "consumer_key": "the Consumer Key shown when the integration record was saved",
    "consumer_secret": "the Consumer Secret shown when the integration record was saved",
    "token_id": "the Token ID shown when the access token was saved",
    "token_secret": "the Token Secret shown when the access token was saved",
}


@dataclass(frozen=True, slots=True, repr=False)
class TBACredentials:
    """Consumer key/secret (integration record) and token ID/secret (access token).

    ``repr`` and ``str`` never show a secret: the key and token ID show their first four
    characters (enough to tell two tokens apart), the secrets show ``******``.
    """

    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str

    def __post_init__(self) -> None:
        for f in fields(self):
            if not getattr(self, f.name):
                raise SettingsError(
                    f"{f.name} is empty", field=f.name, hint=f"paste {_ORIGIN[f.name]}"
                )

    def __repr__(self) -> str:
        return (
            f"TBACredentials(consumer_key={_hint(self.consumer_key)}, consumer_secret={_MASK}, "
            f"token_id={_hint(self.token_id)}, token_secret={_MASK})"
        )

    __str__ = __repr__

    def check_formats(self) -> list[str]:
        """Warnings about values that do not look like what NetSuite issues; never fails.

        Every Oracle example shows 64 lower-case hex characters (netsuite-tba.md §1.7), but Oracle
        never states the format, so this is advice, not validation. Messages name the field and
        its length, never the value.
        """
        warnings: list[str] = []
        for f in fields(self):
            value: str = getattr(self, f.name)
            problem = _format_problem(value)
            if problem:
                warnings.append(
                    f"{f.name} {problem}; expected {_ORIGIN[f.name]} (64 hex characters)"
                )
        if self.consumer_key == self.token_id:
            warnings.append("consumer_key and token_id are the same value; one was pasted twice")
        return warnings


def _hint(value: str) -> str:
    return f"{value[:4]}…" if len(value) > 8 else _MASK


def _format_problem(value: str) -> str | None:
    if value != value.strip():
        return "has leading or trailing whitespace (a copy-and-paste slip)"
    if _HEX64.match(value):
        return None
    if _HEX64.match(value.lower()):
        return "is upper-case hex (NetSuite issues lower-case and compares exactly)"
    if len(value) != 64:
        return f"is {len(value)} characters long"
    return "contains characters other than 0-9 and a-f"


__all__ = ["TBACredentials"]
