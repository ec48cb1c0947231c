"""Users, roles, argon2 hashes, lockout and session expiry (core/auth.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.accounts import auth
from core.accounts.auth import AccountLocked, AuthError, AuthSettings, LoginFailed, SessionEnded
from db.models import User

pytestmark = pytest.mark.storage

SETTINGS = AuthSettings()  # 5 failures, 15 minutes, 1 hour idle, 8 hours in all


@pytest.fixture
def users(sessions, fast_hashing):
    auth.add_user(sessions, "mei", "manager", "peonies-2026")
    auth.add_user(sessions, "li", "staff", "tulips-2026")
    return sessions


def stored(sessions, name) -> User:
    with sessions() as session:
        return session.scalars(select(User).where(User.name == name)).one()


def test_passwords_are_stored_as_argon2id_with_the_default_costs(sessions):
    auth.add_user(sessions, "mei", "manager", "peonies-2026")
    password_hash = stored(sessions, "mei").password_hash
    assert password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert "peonies" not in password_hash
    assert auth.authenticate(sessions, "mei", "peonies-2026", settings=SETTINGS).role == "manager"


def test_a_weaker_hash_is_upgraded_at_the_next_login(sessions, fast_hashing, monkeypatch):
    auth.add_user(sessions, "mei", "manager", "peonies-2026")
    assert "m=1024,t=1" in stored(sessions, "mei").password_hash
    monkeypatch.undo()  # back to the real default costs
    auth.authenticate(sessions, "mei", "peonies-2026", settings=SETTINGS)
    assert "m=65536,t=3" in stored(sessions, "mei").password_hash


def test_users_are_added_listed_and_removed(users):
    assert [(u.name, u.role) for u in auth.list_users(users)] == [("li", "staff"), ("mei", "manager")]
    assert auth.users_exist(users)
    auth.remove_user(users, "li")
    assert [u.name for u in auth.list_users(users)] == ["mei"]
    auth.remove_user(users, "mei")  # the last user may go: back to local mode
    assert not auth.users_exist(users)


@pytest.mark.parametrize(
    "name, role, password, message",
    [
        ("mei", "staff", "long-enough", "already a user"),
        ("new", "owner", "long-enough", "Unknown role"),
        ("new", "staff", "short", "too short"),
        ("new", "staff", "x" * 1025, "too long"),
        ("two words", "staff", "long-enough", "spaces"),
        ("bell\x07", "staff", "long-enough", "control"),
        ("", "staff", "long-enough", "1 to 64"),
        ("n" * 65, "staff", "long-enough", "1 to 64"),
    ],
)
def test_unfit_users_are_refused_with_a_reason(users, name, role, password, message):
    with pytest.raises(AuthError, match=message):
        auth.add_user(users, name, role, password)


def test_names_may_be_chinese(users):
    auth.add_user(users, "小王", "staff", "玫瑰花真的很漂亮呀")
    assert auth.authenticate(users, "小王", "玫瑰花真的很漂亮呀", settings=SETTINGS).name == "小王"


def test_login_succeeds_only_with_the_right_password(users):
    identity = auth.authenticate(users, "li", "tulips-2026", settings=SETTINGS)
    assert (identity.name, identity.role, identity.is_local) == ("li", "staff", False)
    assert stored(users, "li").last_login_at is not None
    for name, password in [("li", "tulips-2025"), ("li", ""), ("nobody", "tulips-2026"), ("LI", "tulips-2026")]:
        with pytest.raises(LoginFailed, match="Wrong name or password"):
            auth.authenticate(users, name, password, settings=SETTINGS)


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(users):
    now = auth.utcnow()
    for _ in range(4):
        with pytest.raises(LoginFailed):
            auth.authenticate(users, "li", "guess", now=now, settings=SETTINGS)
    assert stored(users, "li").failed_attempts == 4
    with pytest.raises(AccountLocked) as locked:
        auth.authenticate(users, "li", "guess", now=now, settings=SETTINGS)
    assert locked.value.until == now + timedelta(minutes=15)
    # while locked, even the right password is refused (and not even checked)
    with pytest.raises(AccountLocked, match="locked until"):
        auth.authenticate(users, "li", "tulips-2026", now=now + timedelta(minutes=14), settings=SETTINGS)
    # other users are not affected
    auth.authenticate(users, "mei", "peonies-2026", now=now, settings=SETTINGS)
    later = now + timedelta(minutes=16)
    assert auth.authenticate(users, "li", "tulips-2026", now=later, settings=SETTINGS).name == "li"
    assert stored(users, "li").failed_attempts == 0


def test_a_success_resets_the_count_of_wrong_passwords(users):
    for _ in range(4):
        with pytest.raises(LoginFailed):
            auth.authenticate(users, "li", "guess", settings=SETTINGS)
    auth.authenticate(users, "li", "tulips-2026", settings=SETTINGS)
    for _ in range(4):
        with pytest.raises(LoginFailed):  # four more tries, not one
            auth.authenticate(users, "li", "guess", settings=SETTINGS)


def test_a_new_password_or_unlock_lifts_a_lockout(users):
    for _ in range(5):
        with pytest.raises(AuthError):
            auth.authenticate(users, "li", "guess", settings=SETTINGS)
    auth.unlock(users, "li")
    auth.authenticate(users, "li", "tulips-2026", settings=SETTINGS)
    for _ in range(5):
        with pytest.raises(AuthError):
            auth.authenticate(users, "li", "guess", settings=SETTINGS)
    auth.set_password(users, "li", "new-tulips-1")
    assert auth.authenticate(users, "li", "new-tulips-1", settings=SETTINGS).name == "li"
    with pytest.raises(LoginFailed):
        auth.authenticate(users, "li", "tulips-2026", settings=SETTINGS)


def test_sessions_end_when_idle_too_long_or_open_too_long(users):
    now = auth.utcnow()
    identity = auth.authenticate(users, "li", "tulips-2026", now=now, settings=SETTINGS)
    later = now + timedelta(minutes=59)
    assert auth.refresh_session(users, identity, now, now=later, settings=SETTINGS) == identity
    with pytest.raises(SessionEnded) as ended:
        auth.refresh_session(users, identity, now, now=now + timedelta(minutes=61), settings=SETTINGS)
    assert ended.value.reason == "idle"
    # busy all day: never idle, but the session still ends after 8 hours
    with pytest.raises(SessionEnded) as ended:
        auth.refresh_session(
            users, identity, now + timedelta(hours=8), now=now + timedelta(hours=8, minutes=1),
            settings=SETTINGS,
        )
    assert ended.value.reason == "expired"


def test_sessions_end_when_the_user_is_removed_or_gets_a_new_password(users):
    li = auth.authenticate(users, "li", "tulips-2026", settings=SETTINGS)
    auth.set_password(users, "li", "new-tulips-1")
    with pytest.raises(SessionEnded) as ended:
        auth.refresh_session(users, li, auth.utcnow(), settings=SETTINGS)
    assert ended.value.reason == "password_changed"
    li = auth.authenticate(users, "li", "new-tulips-1", settings=SETTINGS)
    auth.remove_user(users, "li")
    with pytest.raises(SessionEnded) as ended:
        auth.refresh_session(users, li, auth.utcnow(), settings=SETTINGS)
    assert ended.value.reason == "removed"


def test_a_role_change_applies_to_an_open_session(users):
    li = auth.authenticate(users, "li", "tulips-2026", settings=SETTINGS)
    assert not li.has_role("manager") and li.has_role("staff")
    auth.set_role(users, "li", "manager")
    refreshed = auth.refresh_session(users, li, auth.utcnow(), settings=SETTINGS)
    assert refreshed.has_role("manager")


def test_the_only_manager_cannot_be_removed_or_demoted_while_staff_remain(users):
    with pytest.raises(AuthError, match="only manager"):
        auth.remove_user(users, "mei")
    with pytest.raises(AuthError, match="only manager"):
        auth.set_role(users, "mei", "staff")
    auth.set_role(users, "li", "manager")
    auth.remove_user(users, "mei")
    assert [u.name for u in auth.list_users(users)] == ["li"]


def test_unknown_users_get_a_clear_message(users):
    for action in (
        lambda: auth.set_password(users, "ghost", "whatever-123"),
        lambda: auth.remove_user(users, "ghost"),
        lambda: auth.unlock(users, "ghost"),
        lambda: auth.set_role(users, "ghost", "staff"),
    ):
        with pytest.raises(AuthError, match="no user called 'ghost'"):
            action()


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HUAYU_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("HUAYU_LOGIN_LOCKOUT_MINUTES", "30")
    monkeypatch.setenv("HUAYU_SESSION_IDLE_MINUTES", "10")
    monkeypatch.setenv("HUAYU_SESSION_MAX_HOURS", "12")
    assert auth.auth_settings() == AuthSettings(
        max_failures=3, lockout=timedelta(minutes=30), idle_timeout=timedelta(minutes=10),
        max_session=timedelta(hours=12),
    )
    monkeypatch.setenv("HUAYU_SESSION_IDLE_MINUTES", "soon")
    with pytest.raises(ValueError, match="HUAYU_SESSION_IDLE_MINUTES must be a number"):
        auth.auth_settings()


@pytest.mark.parametrize(
    "address, local",
    [
        ("127.0.0.1", True), ("127.0.1.1", True), ("localhost", True), ("::1", True),
        ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
        ("shop-pc.local", False), ("", False), (None, False),
    ],
)
def test_only_loopback_addresses_count_as_local(address, local):
    assert auth.is_loopback(address) is local
