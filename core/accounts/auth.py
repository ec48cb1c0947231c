"""Who may use the app: users with a role, argon2 password hashes, lockout and session expiry.

With no users at all the app runs in local mode (one computer, no logins), which is only safe
while it listens on the loopback address; `exposure_problem` says when it is not.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db.models import User
from db.users import add_user as store_user
from db.users import count_failed_login, count_users, delete_user, get_user
from db.users import list_users as stored_users

ROLES = ("staff", "manager")
"""Lowest first: a role may do everything the roles before it may."""
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MAX_NAME_LENGTH = 64

# Verified against when the name is unknown, so a wrong name costs as long as a wrong password
# and response times do not tell which names exist. (argon2id of a random, discarded password.)
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$EseU/jivKDVDq+cAzWJo8g$"
    "muaziLNYp6QfeLUb2WmbPQeg+tnqfAu2M9OVIMen228"
)


class AuthError(Exception):
    """A login or account problem to show the user; the message says what to do."""


class LoginFailed(AuthError):
    """Wrong name or password (never saying which)."""


class AccountLocked(AuthError):
    """Too many wrong passwords in a row; logins are refused until `until`."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        super().__init__(
            f"Too many wrong passwords: this account is locked until {until:%H:%M} UTC. "
            "Wait, or ask a manager to reset the password (`python -m core users passwd NAME`)."
        )


SESSION_END_REASONS = ("idle", "expired", "removed", "password_changed", "logged_out")


class SessionEnded(AuthError):
    """A logged-in session is over; `reason` is one of `SESSION_END_REASONS`."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Your session ended ({reason}); log in again.")


@dataclass(frozen=True)
class AuthSettings:
    """Lockout and session limits, from the environment (see `auth_settings`)."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    idle_timeout: timedelta = timedelta(hours=1)
    max_session: timedelta = timedelta(hours=8)


def auth_settings() -> AuthSettings:
    """`HUAYU_LOGIN_MAX_FAILURES`, `HUAYU_LOGIN_LOCKOUT_MINUTES`, `HUAYU_SESSION_IDLE_MINUTES`
    and `HUAYU_SESSION_MAX_HOURS`, with the defaults above."""
    default = AuthSettings()
    return AuthSettings(
        max_failures=int(_positive("HUAYU_LOGIN_MAX_FAILURES", default.max_failures)),
        lockout=timedelta(minutes=_positive("HUAYU_LOGIN_LOCKOUT_MINUTES", 15)),
        idle_timeout=timedelta(minutes=_positive("HUAYU_SESSION_IDLE_MINUTES", 60)),
        max_session=timedelta(hours=_positive("HUAYU_SESSION_MAX_HOURS", 8)),
    )


def _positive(variable: str, default: float) -> float:
    raw = os.environ.get(variable)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{variable} must be a number, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{variable} must be above 0, not {raw!r}")
    return value


@dataclass(frozen=True)
class Identity:
    """Who is using this browser session. `name` is None in local mode (no users configured)."""

    name: str | None
    role: str
    logged_in_at: datetime

    @property
    def is_local(self) -> bool:
        return self.name is None

    def has_role(self, role: str) -> bool:
        """Whether this identity may do what `role` may (managers may do what staff may)."""
        return ROLES.index(self.role) >= ROLES.index(role)


def local_identity() -> Identity:
    """The identity of local mode: one trusted computer, everything allowed."""
    return Identity(name=None, role="manager", logged_in_at=utcnow())


@dataclass(frozen=True)
class UserInfo:
    """A user as listed: never the password hash."""

    name: str
    role: str
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime; SQLite hands back naive ones (stored in UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def password_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile: 64 MiB, 3 passes)."""
    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of `password`, after checking it is long enough."""
    check_password(password)
    return str(password_hasher().hash(password))


def check_password(password: str) -> None:
    """`AuthError` unless `password` has 8 to 1024 characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AuthError(f"The password is too long: use at most {MAX_PASSWORD_LENGTH} characters.")


def check_name(name: str) -> str:
    """`name` if it is usable as a login name (1–64 printable characters, no spaces)."""
    if not name or len(name) > MAX_NAME_LENGTH:
        raise AuthError(f"A user name has 1 to {MAX_NAME_LENGTH} characters.")
    if any(not character.isprintable() or character.isspace() for character in name):
        raise AuthError("A user name cannot contain spaces or control characters.")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AuthError(f"Unknown role {role!r}: choose {' or '.join(ROLES)}.")
    return role


def users_exist(sessions: sessionmaker[Session]) -> bool:
    """Whether anyone is set up to log in (otherwise the app runs in local mode)."""
    with sessions() as session:
        return count_users(session) > 0


def add_user(sessions: sessionmaker[Session], name: str, role: str, password: str) -> None:
    """Create a user; `AuthError` if the name is taken or the name, role or password is unfit."""
    check_name(name)
    check_role(role)
    password_hash = hash_password(password)
    try:
        with sessions.begin() as session:
            if get_user(session, name) is not None:
                raise AuthError(f"There is already a user called {name!r}.")
            store_user(session, name, role, password_hash)
    except IntegrityError:
        # Someone added the same name between our check and our insert.
        raise AuthError(f"There is already a user called {name!r}.") from None


def list_users(sessions: sessionmaker[Session]) -> list[UserInfo]:
    """Every user, by name, without password hashes."""
    with sessions() as session:
        return [
            UserInfo(
                name=user.name,
                role=user.role,
                failed_attempts=user.failed_attempts,
                locked_until=as_utc(user.locked_until) if user.locked_until else None,
                created_at=as_utc(user.created_at),
                last_login_at=as_utc(user.last_login_at) if user.last_login_at else None,
            )
            for user in stored_users(session)
        ]


def set_password(sessions: sessionmaker[Session], name: str, password: str) -> None:
    """Give `name` a new password; this also unlocks the account and ends its open sessions."""
    password_hash = hash_password(password)
    with sessions.begin() as session:
        user = _existing(session, name)
        user.password_hash = password_hash
        user.failed_attempts = 0
        user.locked_until = None
        user.password_changed_at = utcnow()


def set_role(sessions: sessionmaker[Session], name: str, role: str) -> None:
    """Make `name` staff or manager, keeping at least one manager while there are users."""
    check_role(role)
    with sessions.begin() as session:
        user = _existing(session, name)
        if user.role == "manager" and role != "manager" and count_users(session, "manager") == 1:
            raise AuthError(f"{name!r} is the only manager: make someone else a manager first.")
        user.role = role


def unlock(sessions: sessionmaker[Session], name: str) -> None:
    """Lift a lockout early (a manager vouches for the user)."""
    with sessions.begin() as session:
        user = _existing(session, name)
        user.failed_attempts = 0
        user.locked_until = None


def remove_user(sessions: sessionmaker[Session], name: str) -> None:
    """Delete `name`. The last manager can only go when nobody else is left, so the shop is
    never stuck with staff and no one to manage them. Their generations keep their name."""
    with sessions.begin() as session:
        user = _existing(session, name)
        if (
            user.role == "manager"
            and count_users(session, "manager") == 1
            and count_users(session) > 1
        ):
            raise AuthError(
                f"{name!r} is the only manager: make someone else a manager first "
                "(`python -m core users role NAME --role manager`)."
            )
        delete_user(session, name)


def _existing(session: Session, name: str) -> User:
    user = get_user(session, name)
    if user is None:
        raise AuthError(f"There is no user called {name!r} (`python -m core users list`).")
    return user


def authenticate(
    sessions: sessionmaker[Session],
    name: str,
    password: str,
    *,
    now: datetime | None = None,
    settings: AuthSettings | None = None,
) -> Identity:
    """The identity for a correct name and password; `LoginFailed` or `AccountLocked` otherwise.

    The slow hash check runs outside any transaction, so a login never holds up others' saves.
    """
    now = now or utcnow()
    settings = settings or auth_settings()
    hasher = password_hasher()
    with sessions() as session:
        user = get_user(session, name)
        found = (user.id, user.password_hash, user.locked_until) if user is not None else None
    if found is None:
        try:
            hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        raise LoginFailed("Wrong name or password.")
    user_id, password_hash, locked_until = found
    if locked_until is not None and as_utc(locked_until) > now:
        raise AccountLocked(as_utc(locked_until))
    try:
        hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        with sessions.begin() as session:
            failures = count_failed_login(session, user_id)
            if failures >= settings.max_failures:
                user = session.get(User, user_id)
                assert user is not None
                user.failed_attempts = 0
                user.locked_until = now + settings.lockout
                locked = user.locked_until
            else:
                locked = None
        if locked is not None:
            raise AccountLocked(locked) from None
        raise LoginFailed("Wrong name or password.") from None
    with sessions.begin() as session:
        user = session.get(User, user_id)
        if user is None:  # removed while we were checking the password
            raise LoginFailed("Wrong name or password.")
        user.failed_attempts = 0
        user.locked_until = None
        user.last_login_at = now
        if hasher.check_needs_rehash(password_hash):
            user.password_hash = hasher.hash(password)
        return Identity(name=user.name, role=user.role, logged_in_at=now)


def refresh_session(
    sessions: sessionmaker[Session],
    identity: Identity,
    last_seen: datetime,
    *,
    now: datetime | None = None,
    settings: AuthSettings | None = None,
) -> Identity:
    """The identity, with its current role, if its session may go on; `SessionEnded` if it was
    idle or open too long, or its user was removed or got a new password since logging in."""
    now = now or utcnow()
    settings = settings or auth_settings()
    if identity.name is None:
        raise SessionEnded("removed")  # local mode ended: users were added
    if now - last_seen > settings.idle_timeout:
        raise SessionEnded("idle")
    if now - identity.logged_in_at > settings.max_session:
        raise SessionEnded("expired")
    with sessions() as session:
        user = get_user(session, identity.name)
        if user is None:
            raise SessionEnded("removed")
        if as_utc(user.password_changed_at) > identity.logged_in_at:
            raise SessionEnded("password_changed")
        return replace(identity, role=user.role)


def is_loopback(address: str | None) -> bool:
    """Whether a server listening on `address` is reachable from this computer only.

    Streamlit's default (no address) listens on every network interface.
    """
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to a public interface
