"""Credential generation and look-up digests.

NetSuite's consumer keys/secrets and token IDs/secrets are 64 lower-case hex characters in every
Oracle example (netsuite-tba.md §1.7); the sandbox generates them that way from a CSPRNG.
Keys and token IDs are stored only as SHA-256 digests: enough to find the record, useless to a
reader of the database.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher

from etail.sandbox.netsuite.admin.errors import AdminError

HEX64 = re.compile(r"^[0-9a-f]{64}$")

# Page passwords: argon2id at OWASP's minimum profile (19 MiB, t=2, p=1) -- the sandbox creates
# many accounts in tests and demos, and this is still a memory-hard hash.
password_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def new_credential() -> str:
    """64 lower-case hex characters (256 bits)."""
    return secrets.token_hex(32)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def require_hex64(value: str, field: str) -> str:
    if not HEX64.match(value):
        raise AdminError(
            f"{field} must be 64 lower-case hex characters",
            field=field,
            hint="copy it exactly as the integrator's iClient shows it",
        )
    return value
