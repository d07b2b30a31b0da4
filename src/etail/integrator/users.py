"""Users: argon2 passwords, sign-in with lockout, expiring sessions, invitations, grants.

Rules follow integrator.io (celigo-jet.md §1.2): users join only by invitation (the first owner
comes from ``etail users create-owner`` or the first-run page); passwords of at least 10
characters with upper, lower case and a digit; 10 failed sign-ins lock the account for 7 minutes;
a session ends after the idle limit (``ETAIL_SESSION_HOURS``, default 1 h) or 12 h at most.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from etail.errors import ConfigError, SettingsError
from etail.integrator.roles import check_grant, check_role
from etail.storage.audit import Actor, AuditLog
from etail.storage.models import (
    Integration,
    IntegrationGrant,
    Invitation,
    User,
    WebSession,
    utcnow,
)

MAX_FAILED_SIGNINS = 10
LOCKOUT = timedelta(minutes=7)
SESSION_MAX = timedelta(hours=12)
INVITATION_TTL = timedelta(days=7)
SLIDE_EVERY = timedelta(minutes=1)

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
# Verifying against this keeps the timing of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("not-a-real-password-0A")


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Swap the password hasher (tests use cheap parameters); returns the previous one.

    Hashes made with other parameters still verify and are re-hashed at the next sign-in.
    """
    global _hasher, _DUMMY_HASH
    previous, _hasher = _hasher, hasher
    _DUMMY_HASH = hasher.hash("not-a-real-password-0A")
    return previous


class SignInError(ConfigError):
    """Wrong e-mail or password, a locked or disabled account. Never says which secret was wrong."""

    exit_code = 4


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_policy(password: str) -> None:
    problems = []
    if len(password) < 10:
        problems.append("at least 10 characters")
    if not any(c.islower() for c in password):
        problems.append("a lower-case letter")
    if not any(c.isupper() for c in password):
        problems.append("an upper-case letter")
    if not any(c.isdigit() for c in password):
        problems.append("a digit")
    if problems:
        raise SettingsError(
            "the password is too weak", field="password", hint="use " + ", ".join(problems)
        )


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 254:
        raise SettingsError(f"{email!r} is not an e-mail address", field="email")
    return email


@dataclass(frozen=True)
class NewSession:
    token: str  # the raw token: goes to the cookie or the API client, never stored
    csrf: str
    expires_at: datetime

    def __repr__(self) -> str:
        return f"NewSession(token=******, expires_at={self.expires_at.isoformat()})"


class UserService:
    def __init__(self, session: Session, *, idle: timedelta = timedelta(hours=1)) -> None:
        self.session = session
        self.idle = idle
        self.audit = AuditLog(session)

    # -- users ---------------------------------------------------------------------------
    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(User)) or 0)

    def by_email(self, email: str) -> User | None:
        return self.session.scalars(select(User).where(User.email == email.strip().lower())).first()

    def get(self, user_id: str) -> User:
        user = self.session.get(User, user_id)
        if user is None:
            raise SettingsError(f"no user with id {user_id!r}", field="user_id")
        return user

    def all(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.email)))

    def create_owner(self, email: str, password: str, name: str = "", *, actor: Actor) -> User:
        """The account owner; only while the account has no owner yet."""
        if self.session.scalars(select(User).where(User.role == "owner")).first():
            raise SettingsError(
                "the account already has an owner", field="email", hint="invite other users"
            )
        return self._create(email, password, name, "owner", actor)

    def _create(self, email: str, password: str, name: str, role: str, actor: Actor) -> User:
        email = normalise_email(email)
        check_password_policy(password)
        if self.by_email(email):
            raise SettingsError(f"a user {email} already exists", field="email")
        user = User(email=email, name=name.strip()[:100], role=role)
        user.password_hash = _hasher.hash(password)
        self.session.add(user)
        self.session.flush()
        self.audit.changes(actor, "create", "user", user.id, email, {}, {"role": role})
        return user

    def _check_grants(self, grants: Mapping[str, str] | None) -> None:
        for integration_id, level in (grants or {}).items():
            check_grant(level)
            if self.session.get(Integration, integration_id) is None:
                raise SettingsError(
                    f"no integration with id {integration_id!r}",
                    field="grants",
                    hint="list integrations with the API (GET /api/v1/integrations)",
                )

    def set_role(
        self, user: User, role: str, grants: Mapping[str, str] | None, *, actor: Actor
    ) -> None:
        check_role(role)
        if user.role == "owner" or role == "owner":
            raise SettingsError(
                "the owner's role cannot be changed here",
                field="role",
                hint="ownership transfer is not supported",
            )
        self._check_grants(grants)
        before = {
            "role": user.role,
            "grants": {g.integration_id: g.access_level for g in user.grants},
        }
        user.role = role
        if grants is not None:
            user.grants = [
                IntegrationGrant(integration_id=i, access_level=check_grant(lvl))
                for i, lvl in grants.items()
            ]
        after = {
            "role": user.role,
            "grants": {g.integration_id: g.access_level for g in user.grants},
        }
        self.audit.changes(actor, "update", "user", user.id, user.email, before, after)
        self.session.flush()

    def set_disabled(self, user: User, disabled: bool, *, actor: Actor) -> None:
        if user.role == "owner" and disabled:
            raise SettingsError("the owner cannot be disabled", field="disabled")
        if user.disabled != disabled:
            self.audit.changes(
                actor,
                "update",
                "user",
                user.id,
                user.email,
                {"disabled": user.disabled},
                {"disabled": disabled},
            )
            user.disabled = disabled
        if disabled:
            self.session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        self.session.flush()

    def remove(self, user: User, *, actor: Actor) -> None:
        if user.role == "owner":
            raise SettingsError("the owner cannot be removed", field="user_id")
        self.audit.event(actor, "delete", "user", user.id, user.email)
        self.session.delete(user)
        self.session.flush()

    def change_password(self, user: User, current: str, new: str, *, actor: Actor) -> None:
        if not self._verify(user, current):
            raise SignInError("the current password is wrong", hint="re-enter it")
        check_password_policy(new)
        user.password_hash = _hasher.hash(new)
        self.audit.changes(
            actor,
            "update",
            "user",
            user.id,
            user.email,
            {"password": 1},
            {"password": 2},
            secret_fields=("password",),
        )
        self.session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        self.session.flush()

    # -- sign-in -------------------------------------------------------------------------
    def authenticate(self, email: str, password: str, *, source: str) -> User:
        """The user, or SignInError. Counts failures and locks after MAX_FAILED_SIGNINS."""
        user = self.by_email(email)
        now = utcnow()
        if user is None:
            self._verify_hash(_DUMMY_HASH, password)
            raise SignInError("wrong e-mail or password", hint="check both and try again")
        if user.locked_until and user.locked_until > now:
            minutes = int((user.locked_until - now).total_seconds() // 60) + 1
            raise SignInError(
                "this account is locked after repeated failed sign-ins",
                hint=f"try again in {minutes} minute(s)",
            )
        if not self._verify(user, password):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_SIGNINS:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
            self.audit.event(
                Actor(user.id, user.email, source), "sign in failed", "user", user.id, user.email
            )
            self.session.flush()
            raise SignInError("wrong e-mail or password", hint="check both and try again")
        if user.disabled:
            raise SignInError("this user is disabled", hint="ask an administrator")
        user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
        if user.password_hash and _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        self.audit.event(Actor(user.id, user.email, source), "sign in", "user", user.id, user.email)
        self.session.flush()
        return user

    def _verify(self, user: User, password: str) -> bool:
        return bool(user.password_hash) and self._verify_hash(user.password_hash or "", password)

    @staticmethod
    def _verify_hash(hashed: str, password: str) -> bool:
        try:
            return _hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False

    # -- sessions ------------------------------------------------------------------------
    def open_session(self, user: User, kind: str = "browser") -> NewSession:
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), utcnow()
        expires = now + min(self.idle, SESSION_MAX)
        self.session.add(
            WebSession(
                token_hash=token_hash(token),
                user_id=user.id,
                kind=kind,
                csrf=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=expires,
            )
        )
        self.session.flush()
        return NewSession(token, csrf, expires)

    def resolve_session(self, token: str) -> tuple[User, WebSession] | None:
        """The signed-in user for ``token``, sliding the idle expiry; None when expired."""
        row = self.session.get(WebSession, token_hash(token))
        now = utcnow()
        if row is None or row.expires_at <= now:
            if row is not None:
                self.session.delete(row)
            return None
        user = self.session.get(User, row.user_id)
        if user is None or user.disabled:
            return None
        # Slide the idle expiry at most once a minute: a write per request would serialise
        # every page view on SQLite.
        if now - row.last_seen_at >= SLIDE_EVERY:
            row.last_seen_at = now
            row.expires_at = min(now + self.idle, row.created_at + SESSION_MAX)
        return user, row

    def close_session(self, token: str) -> None:
        self.session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))

    # -- invitations ---------------------------------------------------------------------
    def invite(
        self, email: str, role: str, grants: Mapping[str, str] | None = None, *, actor: Actor
    ) -> str:
        """Create an invitation; returns the one-time token for the accept link."""
        email = normalise_email(email)
        check_role(role)
        if role == "owner":
            raise SettingsError("nobody can be invited as owner", field="role")
        self._check_grants(grants)
        if self.by_email(email):
            raise SettingsError(f"a user {email} already exists", field="email")
        token = secrets.token_urlsafe(24)
        inv = Invitation(
            email=email,
            role=role,
            grants=dict(grants or {}),
            token_hash=token_hash(token),
            invited_by=actor.user_id,
            expires_at=utcnow() + INVITATION_TTL,
        )
        self.session.add(inv)
        self.session.flush()
        self.audit.changes(actor, "create", "invitation", inv.id, email, {}, {"role": role})
        return token

    def invitation(self, token: str) -> Invitation:
        inv = self.session.scalars(
            select(Invitation).where(Invitation.token_hash == token_hash(token))
        ).first()
        if inv is None or inv.accepted_at is not None or inv.expires_at <= utcnow():
            raise SettingsError(
                "this invitation is unknown, used or expired",
                field="token",
                hint="ask an administrator for a new invitation",
            )
        return inv

    def pending_invitations(self) -> list[Invitation]:
        return list(
            self.session.scalars(
                select(Invitation)
                .where(Invitation.accepted_at.is_(None))
                .order_by(Invitation.email)
            )
        )

    def cancel_invitation(self, invitation_id: str, *, actor: Actor) -> None:
        inv = self.session.get(Invitation, invitation_id)
        if inv is None or inv.accepted_at is not None:
            raise SettingsError(
                f"no pending invitation with id {invitation_id!r}", field="invitation_id"
            )
        self.audit.event(actor, "delete", "invitation", inv.id, inv.email)
        self.session.delete(inv)
        self.session.flush()

    def accept(self, token: str, name: str, password: str, *, source: str) -> User:
        inv = self.invitation(token)
        actor = Actor(None, inv.email, source)
        user = self._create(inv.email, password, name, inv.role, actor)
        user.grants = [
            IntegrationGrant(integration_id=i, access_level=lvl) for i, lvl in inv.grants.items()
        ]
        inv.accepted_at = utcnow()
        self.session.flush()
        return user


def same_token(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
