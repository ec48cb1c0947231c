import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from db.models import Base, built_on
from db.session import MIGRATIONS, get_engine, upgrade

pytestmark = pytest.mark.storage


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def test_upgrade_from_empty_creates_the_schema(isolated_database):
    upgrade(isolated_database)
    engine = get_engine(isolated_database)
    tables = set(inspect(engine).get_table_names())
    assert {"generations", "ratings", "alembic_version"} <= tables
    columns = {c["name"] for c in inspect(engine).get_columns("generations")}
    assert {"template_version", "messages", "ttft_ms", "prompt_tokens", "status", "error"} <= columns


def test_migrations_match_the_models(isolated_database):
    upgrade(isolated_database)
    with get_engine(isolated_database).connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_object": lambda item, *_: built_on(item, connection.dialect.name),
            },
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless_and_sqlite_runs_in_wal_mode(isolated_database):
    upgrade(isolated_database)
    upgrade(isolated_database)
    with get_engine(isolated_database).connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert list(versions) == [ScriptDirectory.from_config(alembic_config()).get_current_head()]
    if get_engine(isolated_database).dialect.name != "sqlite":
        return  # WAL and busy_timeout are SQLite's; PostgreSQL needs neither
    with get_engine(isolated_database).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 250
