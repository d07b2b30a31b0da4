"""SOAP ``TokenPassport``: TBA for SuiteTalk SOAP (NS:section_4395630653, netsuite-tba.md §2).

The SOAP base string is simply ``account&consumerKey&token&nonce&timestamp`` (no method, no URL,
no sorting) and the key is ``consumerSecret&tokenSecret``. Like Oracle's PHP sample we
percent-encode each part (a no-op for alphanumeric nonces and hex keys). A passport is
single-use, "even with retry logic" (NS:section_1509544929): build a new one per call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from etail.netsuite.accounts import AccountId
from etail.netsuite.credentials import TBACredentials
from etail.netsuite.signing import new_nonce, new_timestamp

ALGORITHM = "HMAC-SHA256"
DEFAULT_SOAP_VERSION = "2025_2"


def _enc(part: str) -> str:
    return quote(part, safe="-._~")


@dataclass(frozen=True, slots=True)
class TokenPassport:
    """The six elements of a ``tokenPassport`` SOAP header; build it with :func:`token_passport`."""

    account: str
    consumer_key: str
    token: str
    nonce: str
    timestamp: str
    signature: str
    algorithm: str = ALGORITHM

    @property
    def base_string(self) -> str:
        return "&".join(
            _enc(p)
            for p in (self.account, self.consumer_key, self.token, self.nonce, self.timestamp)
        )

    def to_xml(self, version: str = DEFAULT_SOAP_VERSION) -> str:
        """The ``<tokenPassport>`` header element for the ``NetSuitePort_<version>`` endpoint.

        The element lives in the messages namespace and its children in the core namespace, as
        the ``TokenPassport`` type of the core XSD declares them.
        """
        core = f"urn:core_{version}.platform.webservices.netsuite.com"
        messages = f"urn:messages_{version}.platform.webservices.netsuite.com"
        children = [
            ("account", self.account),
            ("consumerKey", self.consumer_key),
            ("token", self.token),
            ("nonce", self.nonce),
            ("timestamp", self.timestamp),
        ]
        inner = "".join(f"<core:{name}>{escape(value)}</core:{name}>" for name, value in children)
        algorithm = quoteattr(self.algorithm)
        sig = f"<core:signature algorithm={algorithm}>{escape(self.signature)}</core:signature>"
        return (
            f'<msg:tokenPassport xmlns:msg="{messages}" xmlns:core="{core}">'
            f"{inner}{sig}</msg:tokenPassport>"
        )

    def connect_password(self) -> str:
        """SuiteAnalytics Connect password ``base&signature&algorithm`` (NS:article_163240164565)"""
        return f"{self.base_string}&{self.signature}&{self.algorithm}"


def token_passport(
    account: AccountId | str,
    credentials: TBACredentials,
    *,
    nonce: str | None = None,
    timestamp: str | int | None = None,
) -> TokenPassport:
    """Build and sign a SOAP TokenPassport.

    Args:
        account: the account in realm spelling (``1234567_SB1``); an ``AccountId`` or its realm.
        credentials: consumer and token pairs.
        nonce: fixed nonce for test vectors; otherwise 32 random alphanumerics (SOAP allows
            6-64 alphanumerics, NS:section_4395625838).
        timestamp: fixed Unix time for test vectors; otherwise now.
    """
    unsigned = TokenPassport(
        account=str(account),
        consumer_key=credentials.consumer_key,
        token=credentials.token_id,
        nonce=nonce or new_nonce(),
        timestamp=str(timestamp) if timestamp is not None else new_timestamp(),
        signature="",
    )
    key = f"{_enc(credentials.consumer_secret)}&{_enc(credentials.token_secret)}"
    digest = hmac.new(key.encode(), unsigned.base_string.encode(), hashlib.sha256).digest()
    return TokenPassport(
        account=unsigned.account,
        consumer_key=unsigned.consumer_key,
        token=unsigned.token,
        nonce=unsigned.nonce,
        timestamp=unsigned.timestamp,
        signature=base64.b64encode(digest).decode(),
    )


__all__ = ["ALGORITHM", "TokenPassport", "token_passport"]
