"""The backends the sidebar offers, by id. Adding one: a module here plus one line below.

Modules are imported on first use, so `import core` stays fast and a backend whose libraries are
missing only fails when someone picks it.
"""

from __future__ import annotations

import importlib

from core.models.backends.base import (
    Backend,
    BackendConfig,
    GenerationParams,
    LoadedModel,
    ModelError,
    ModelInfo,
)

# id -> "module:class"
REGISTRY: dict[str, str] = {
    "gguf": "core.models.backends.gguf:GgufBackend",
    "hf": "core.models.backends.hf:HfBackend",
    "hub": "core.models.backends.hub:HubBackend",
    "openai": "core.models.backends.openai_compatible:OpenAIBackend",
}

DEFAULT_BACKEND = "gguf"


def get_backend(backend_id: str) -> Backend:
    """The backend registered as `backend_id`; `ModelError` names the valid ids otherwise."""
    try:
        target = REGISTRY[backend_id]
    except KeyError:
        raise ModelError(
            f"Unknown backend {backend_id!r}; choose one of: {', '.join(REGISTRY)}."
        ) from None
    module_name, class_name = target.split(":")
    backend_class: type[Backend] = getattr(importlib.import_module(module_name), class_name)
    return backend_class()


__all__ = [
    "DEFAULT_BACKEND",
    "REGISTRY",
    "Backend",
    "BackendConfig",
    "GenerationParams",
    "LoadedModel",
    "ModelError",
    "ModelInfo",
    "get_backend",
]
