"""One engine per process, SQLite tuned for many writers, and Alembic upgrades on start."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'data' / 'huayu.db'}"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x48554159  # "HUAY": any constant that other apps on the server don't use


def database_url() -> str:
    """The configured database: `HUAYU_DATABASE_URL`, else `data/huayu.db` beside the app."""
    return os.environ.get("HUAYU_DATABASE_URL") or DEFAULT_URL


def _tune_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets readers run beside the one writer; busy_timeout makes writers queue instead of
    # failing with "database is locked" when several staff save at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # The commit that crosses the WAL size limit copies the WAL into the database and syncs it.
    # A log write adds about 15 pages; at SQLite's default of 1000 pages that checkpoint makes
    # one write in ~67 take 5-12 ms. At 250 pages the checkpoints come 4x as often but stay
    # under 5 ms (measured by `python -m core bench`, row 5), and the WAL file stays near 1 MB.
    cursor.execute("PRAGMA wal_autocheckpoint=250")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """The process's engine for `url` (default: `database_url()`); created once, then reused."""
    return _engine(url or database_url())


@functools.cache  # keyed by the URL itself, never by None: the default is read on every call
def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    """A `sessionmaker`; callers own the transaction with `with factory.begin() as session:`."""
    return sessionmaker(get_engine(url), expire_on_commit=False)


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database schema to the newest migration (safe to call on every start), or to
    `revision` (tests start from an old schema)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = get_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # Batch migrations copy a table, drop the original and rename the copy. With foreign
            # keys on, dropping `generations` would cascade-delete every rating; the pragma only
            # takes effect outside a transaction, so it comes before our explicit BEGIN, which
            # makes the whole upgrade one transaction (pysqlite would run DDL in autocommit).
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            # App instances of a shop chain starting together would all create the same tables;
            # they queue on this lock (held to the end of the transaction) and the later ones
            # find the schema current. (BEGIN IMMEDIATE does the same for SQLite.)
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, revision)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration left rows with broken references: {broken[:5]}")
        except BaseException:
            connection.rollback()
            raise
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
