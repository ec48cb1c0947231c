"""Wiring shared by the app, the CLI and the benchmarks: the database and backend configs."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.backends import BackendConfig, get_backend
from db.session import database_url

__all__ = ["backend_config", "database_url", "sessions"]


def sessions(url: str | None = None) -> sessionmaker[Session]:
    """A session factory on the upgraded database (`HUAYU_DATABASE_URL` unless `url` is given)."""
    from db.session import session_factory, upgrade

    upgrade(url)
    return session_factory(url)


def backend_config(backend_id: str, *, model: str | None = None, **options: object) -> BackendConfig:
    """The config for `backend_id`, with `model` as its path or id when given."""
    config_type = get_backend(backend_id).config_type
    fields: dict[str, object] = {k: v for k, v in options.items() if v is not None}
    if model:
        field = "model_path" if "model_path" in config_type.model_fields else "model"
        fields[field] = model
    return config_type(**fields)
