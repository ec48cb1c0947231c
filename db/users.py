"""Reads and writes of the users who may log in. Like `db.repository`, each function takes the
caller's `Session` and the caller owns the transaction."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import User


def get_user(session: Session, name: str) -> User | None:
    """The user called `name` (exact, case-sensitive), if any."""
    return session.scalars(select(User).where(User.name == name)).one_or_none()


def list_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.scalars(select(User).order_by(User.name)))


def count_users(session: Session, role: str | None = None) -> int:
    """How many users there are (with `role`, when given)."""
    query = select(func.count(User.id))
    if role is not None:
        query = query.where(User.role == role)
    return session.scalar(query) or 0


def add_user(session: Session, name: str, role: str, password_hash: str) -> User:
    """Store a new user; a taken name fails the transaction with `IntegrityError`."""
    user = User(name=name, role=role, password_hash=password_hash, failed_attempts=0)
    session.add(user)
    session.flush()
    return user


def delete_user(session: Session, name: str) -> bool:
    """Remove the user called `name`; False if there was none."""
    user = get_user(session, name)
    if user is None:
        return False
    session.delete(user)
    return True


def count_failed_login(session: Session, user_id: int) -> int:
    """Add one to the user's failed attempts in one statement (two wrong tries at the same
    moment both count) and return the new total."""
    session.execute(
        update(User).where(User.id == user_id).values(failed_attempts=User.failed_attempts + 1)
    )
    return session.scalar(select(User.failed_attempts).where(User.id == user_id)) or 0
