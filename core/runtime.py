"""Wiring shared by the app, the CLI and the benchmarks: the database and backend configs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from core.models.backends import BackendConfig, ModelError, get_backend
from core.models.tuned import read_tuned
from db.session import database_url

__all__ = ["backend_config", "database_url", "sessions"]


def sessions(url: str | None = None) -> sessionmaker[Session]:
    """A session factory on the upgraded database (`HUAYU_DATABASE_URL` unless `url` is given)."""
    from db.session import session_factory, upgrade

    upgrade(url)
    return session_factory(url)


def backend_config(
    backend_id: str,
    *,
    model: str | None = None,
    base_url: str | None = None,
    secrets: Mapping[str, object] | None = None,
    **options: object,
) -> BackendConfig:
    """The config for `backend_id`: `model` as its path or id (or a tuned model's folder),
    `base_url` for remote backends.

    A backend that needs a key (`key_name`, e.g. OPENAI_API_KEY) gets it from `options`, else from
    `secrets` (the app passes st.secrets), else from the environment (the CLI's way).
    """
    config_type = get_backend(backend_id).config_type
    fields: dict[str, object] = {k: v for k, v in options.items() if v is not None}
    tuned = (
        read_tuned(Path(model).expanduser())
        if model and Path(model).expanduser().is_dir()
        else None
    )
    if tuned is not None:
        # The shop's own model: its base file with the adapter over it, on llama.cpp.
        if "lora_path" not in config_type.model_fields:
            raise ModelError(
                f"{tuned.name} is a LoRA adapter for llama.cpp: choose the GGUF backend to use it."
            )
        fields["model_path"] = str(tuned.base_path)
        fields["lora_path"] = str(tuned.adapter_path)
    elif model:
        field = "model_path" if "model_path" in config_type.model_fields else "model"
        fields[field] = model
    if base_url:
        if "base_url" not in config_type.model_fields:
            raise ModelError(
                f"The {backend_id} backend runs the model here and takes no base URL; "
                "use --backend openai or hub for a server."
            )
        fields["base_url"] = base_url
    key_name = getattr(config_type, "key_name", None)
    key_field = next((f for f in ("api_key", "token") if f in config_type.model_fields), None)
    if key_name and key_field and not fields.get(key_field):
        value = (secrets or {}).get(key_name) or os.environ.get(key_name)
        if value:
            fields[key_field] = SecretStr(str(value))
    return config_type(**fields)
