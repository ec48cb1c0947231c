"""Keeping API keys out of everything Huayu writes or shows.

Keys come from the environment or `.streamlit/secrets.toml` into a backend's config as pydantic
`SecretStr` fields (which print as `**********`). Text that may have passed through a client
library (an error message, a model's output) is masked with `redact` before it is logged or shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, SecretBytes, SecretStr

MASK = "***"
# Shorter values would mask ordinary words; real keys are far longer.
_MIN_SECRET_LENGTH = 6


def secret_values(config: BaseModel) -> frozenset[str]:
    """The plain values of every `SecretStr`/`SecretBytes` field in `config`, nested ones too."""
    found: set[str] = set()
    for name in type(config).model_fields:
        _collect(getattr(config, name), found)
    return frozenset(value for value in found if len(value) >= _MIN_SECRET_LENGTH)


def _collect(value: object, found: set[str]) -> None:
    if isinstance(value, SecretStr):
        found.add(value.get_secret_value())
    elif isinstance(value, SecretBytes):
        found.add(value.get_secret_value().decode("utf-8", "replace"))
    elif isinstance(value, BaseModel):
        found.update(secret_values(value))
    elif isinstance(value, (list, tuple, frozenset, set)):
        for item in value:
            _collect(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value replaced by `***` (longest first, so none leaks in part)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text
