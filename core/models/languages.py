"""Which reply languages a model can write, so staff are told before a garbage draft is made.

Known model families are listed by the name their files and ids carry (GGUF `general.basename`,
the file name, a Hub id). A model of no known family may write anything: it is never blocked.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.models.backends import BackendConfig, LoadedModel

# family name pattern -> languages (of the two Huayu drafts in) that it writes well.
FAMILIES: tuple[tuple[str, frozenset[str]], ...] = (
    (r"smollm", frozenset({"en"})),
    (r"qwen", frozenset({"en", "zh"})),
    (r"chatglm|glm-?4", frozenset({"en", "zh"})),
    (r"deepseek", frozenset({"en", "zh"})),
    (r"internlm", frozenset({"en", "zh"})),
    (r"baichuan", frozenset({"en", "zh"})),
    (r"\byi-|\byi\b", frozenset({"en", "zh"})),
    (r"minicpm", frozenset({"en", "zh"})),
    (r"phi-?[1-4]", frozenset({"en"})),
    (r"tinyllama", frozenset({"en"})),
)


def known_languages(name: str) -> frozenset[str] | None:
    """The languages of the family `name` belongs to, or None when it is not one we know."""
    lowered = name.lower()
    for pattern, languages in FAMILIES:
        if re.search(pattern, lowered):
            return languages
    return None


def writes_language(model: LoadedModel, language: str) -> bool | None:
    """Whether `model` writes `language`: True, False, or None when nobody knows."""
    languages = model.languages
    if languages is None:
        languages = known_languages(model.model_id)
    return None if languages is None else language in languages


# Backends that run the embedded model when their config names none.
_EMBEDDED_BY_DEFAULT = ("gguf", "hf")


def configured_model_name(backend_id: str, config: BackendConfig) -> str:
    """The model a backend config names (a file's name or a model id), without loading it."""
    name = getattr(config, "model_path", None) or getattr(config, "model", None)
    if not name and backend_id in _EMBEDDED_BY_DEFAULT:
        from core.models.backends.gguf import embedded_model_path

        return embedded_model_path().stem
    return Path(str(name)).stem if name and backend_id in _EMBEDDED_BY_DEFAULT else str(name or "")


def config_languages(backend_id: str, config: BackendConfig) -> frozenset[str] | None:
    """The languages of the model a backend config names, known without loading it."""
    name = configured_model_name(backend_id, config)
    return known_languages(name) if name else None


def unsupported_language(backend_id: str, config: BackendConfig, language: str) -> bool:
    """True only when the configured model is known not to write `language`."""
    languages = config_languages(backend_id, config)
    return languages is not None and language not in languages
