"""Alembic environment: runs on the connection `db.session.upgrade` hands over, or on
`HUAYU_DATABASE_URL` when called as `alembic upgrade head` from the repository root."""

from __future__ import annotations

from alembic import context

from db.models import Base, built_on
from db.session import get_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with get_engine().begin() as connection:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    # render_as_batch: SQLite cannot ALTER most things, so Alembic copies the table instead.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=lambda item, name, kind, reflected, compare_to: built_on(item, connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Huayu's migrations run online only: `python -m core db upgrade`.")
run_migrations_online()
