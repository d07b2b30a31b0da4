"""NetSuite account IDs: the realm spelling versus the host spelling.

One account has two spellings and mixing them is the most common cause of ``INVALID_LOGIN``
(netsuite-tba.md §1.1, §6.2 item 2):

* the **realm** (``Authorization: OAuth realm="…"`` and the SOAP ``<account>``) is the account ID
  upper-case with an underscore: ``1234567_SB1``;
* the **host prefix** is the same ID lower-case with a hyphen:
  ``1234567-sb1.suitetalk.api.netsuite.com``.

Production IDs are digits (``1234567``), sandboxes add ``_SB1``, ``_SB2``… (NS:section_4609939018),
Release Preview adds ``_RP`` and test-drive accounts look like ``TSTDRV1234567`` (user reports,
netsuite-tba.md §1.1).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from etail.errors import SettingsError

# Letters first (TSTDRV, other prefixes NetSuite gives to development accounts), then digits,
# then an optional environment suffix. Upper case and underscore only: the realm spelling.
_REALM = re.compile(r"^(?P<base>[A-Z]*\d+)(?:_(?P<suffix>SB\d+|RP))?$")
_HOST_SUFFIXES = (
    ".suitetalk.api.netsuite.com",
    ".restlets.api.netsuite.com",
    ".app.netsuite.com",
    ".extforms.netsuite.com",
)

_WHERE_TO_FIND = (
    "NetSuite shows it at Setup > Company > Company Information (Account ID); "
    "a sandbox looks like 1234567_SB1"
)


class Environment(enum.Enum):
    """The kind of NetSuite account (the integrator's Environment field)."""

    PRODUCTION = "production"
    SANDBOX = "sandbox"
    RELEASE_PREVIEW = "release_preview"

    @classmethod
    def parse(cls, raw: str) -> Environment:
        """Accept ``production``, ``Sandbox``, ``release-preview``, ``Release Preview``…"""
        key = raw.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(key)
        except ValueError:
            allowed = ", ".join(e.value for e in cls)
            raise SettingsError(
                f"environment {raw!r} is not one of {allowed}", field="environment"
            ) from None


def _environment_of(suffix: str | None) -> Environment:
    if suffix is None:
        return Environment.PRODUCTION
    return Environment.RELEASE_PREVIEW if suffix == "RP" else Environment.SANDBOX


def suggest_spelling(raw: str) -> str | None:
    """The realm spelling a person most likely meant, or ``None`` when nothing fits.

    ``1234567-sb1``, ``1234567_sb1`` and ``https://1234567-sb1.app.netsuite.com`` all give
    ``1234567_SB1``.
    """
    text = raw.strip()
    text = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", text).split("/", 1)[0]
    for host_suffix in _HOST_SUFFIXES:
        if text.lower().endswith(host_suffix):
            text = text[: -len(host_suffix)]
    candidate = text.upper().replace("-", "_")
    return candidate if _REALM.match(candidate) else None


@dataclass(frozen=True, slots=True)
class AccountId:
    """A validated NetSuite account ID; build it with :meth:`parse`.

    ``realm`` is the canonical spelling (``1234567_SB1``); every other form is derived from it.
    """

    realm: str
    environment: Environment

    def __post_init__(self) -> None:
        # Direct construction gets the same checks as parse(): no unchecked realm can exist.
        match = _REALM.match(self.realm)
        if match is None:
            raise _malformed(self.realm)
        found = _environment_of(match.group("suffix"))
        if self.environment is not found:
            raise _environment_mismatch(self.realm, self.environment, found)

    @classmethod
    def parse(cls, raw: str, environment: Environment | None = None) -> AccountId:
        """Validate ``raw`` as written in the realm spelling and derive the environment.

        Args:
            raw: the account ID exactly as NetSuite spells it (``1234567``, ``1234567_SB1``,
                ``1234567_RP``, ``TSTDRV1234567``). Surrounding whitespace is ignored.
            environment: when given, it must agree with the ID's suffix (a sandbox ID carries
                ``_SB<n>``, a Release Preview ID ``_RP``).

        Raises:
            SettingsError: ``field="account_id"``; the message shows the right spelling when it
                can be guessed (``1234567-sb1`` → ``1234567_SB1``).
        """
        text = raw.strip()
        match = _REALM.match(text)
        if match is None:
            raise _malformed(raw)
        return cls(realm=text, environment=environment or _environment_of(match.group("suffix")))

    @property
    def host_prefix(self) -> str:
        """``1234567-sb1``: lower case, hyphen (the DNS label of every account host)."""
        return self.realm.lower().replace("_", "-")

    @property
    def rest_base_url(self) -> str:
        """REST web services and SuiteQL host (NS:section_1546938065)."""
        return f"https://{self.host_prefix}.suitetalk.api.netsuite.com"

    @property
    def restlet_base_url(self) -> str:
        """RESTlet and token-endpoint host (NS:section_4618456734, NS:chapter_157017286140)."""
        return f"https://{self.host_prefix}.restlets.api.netsuite.com"

    @property
    def ui_base_url(self) -> str:
        """The NetSuite UI host, where the Login Audit Trail lives."""
        return f"https://{self.host_prefix}.app.netsuite.com"

    def __str__(self) -> str:
        return self.realm


def _malformed(raw: str) -> SettingsError:
    guess = suggest_spelling(raw)
    if not raw.strip():
        return SettingsError(
            "account_id is empty",
            field="account_id",
            hint=f"enter the account ID; {_WHERE_TO_FIND}",
        )
    if guess is not None:
        return SettingsError(
            f"account_id {raw.strip()!r} is not spelled the way NetSuite expects: write {guess!r}"
            " (upper case, underscore; hosts use the lower-case hyphen form by themselves)",
            field="account_id",
        )
    return SettingsError(
        f"account_id {raw.strip()!r} is not a NetSuite account ID",
        field="account_id",
        hint=_WHERE_TO_FIND,
    )


def _environment_mismatch(text: str, wanted: Environment, found: Environment) -> SettingsError:
    shapes = {
        Environment.PRODUCTION: "a production ID has no suffix (1234567)",
        Environment.SANDBOX: "a sandbox ID ends in _SB1, _SB2… (1234567_SB1)",
        Environment.RELEASE_PREVIEW: "a Release Preview ID ends in _RP (1234567_RP)",
    }
    return SettingsError(
        f"account_id {text!r} is a {found.value} account but environment is {wanted.value}",
        field="account_id",
        hint=f"{shapes[wanted]}; fix either the account ID or the environment",
    )


__all__ = ["AccountId", "Environment", "suggest_spelling"]
