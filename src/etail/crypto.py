"""Secrets at rest: Fernet/MultiFernet with a key from settings or a generated 0600 key file.

Secrets are write-only everywhere: pages and APIs show ``MASK``; logs and stored error messages
go through ``redact``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from etail.errors import SettingsError

MASK = "******"


class SecretBox:
    """Encrypts and decrypts small secrets; the first key encrypts, every key decrypts."""

    def __init__(self, keys: Iterable[bytes | str]) -> None:
        fernets = [Fernet(k) for k in keys]
        if not fernets:
            raise SettingsError("no encryption key configured", field="ETAIL_SECRET_KEYS")
        self._box = MultiFernet(fernets)

    def __repr__(self) -> str:
        return "SecretBox(keys=******)"

    def encrypt(self, plaintext: str) -> str:
        return self._box.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._box.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SettingsError(
                "a stored secret cannot be decrypted with the configured keys",
                field="ETAIL_SECRET_KEYS",
                hint="restore the key file the data was written with, or re-enter the secret",
            ) from exc

    def rotate(self, token: str) -> str:
        return self._box.rotate(token.encode()).decode()

    @classmethod
    def from_key_file(cls, path: Path, extra_keys: Iterable[str] = ()) -> SecretBox:
        """Load the key file, creating it with mode 0600 on first use."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(Fernet.generate_key())
        return cls([*extra_keys, path.read_bytes().strip()])


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each (non-trivial) secret in ``text`` with the mask."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    return text
