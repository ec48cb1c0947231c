"""The interface's words in 中文 and English, from one catalogue.

Each module in this package holds the words of one part of the app as `CATALOGUE` (key ->
{"en": ..., "zh": ...}); they are merged here, and a test checks that every key the code uses
exists in both languages. The reply language is separate: it is a template choice, not an
interface setting.
"""

from __future__ import annotations

import importlib
import pkgutil

UI_LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_UI_LANGUAGE = "zh"


def _collect() -> dict[str, dict[str, str]]:
    catalogue: dict[str, dict[str, str]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        part = importlib.import_module(f"{__name__}.{module_info.name}").CATALOGUE
        duplicated = catalogue.keys() & part.keys()
        if duplicated:
            raise RuntimeError(f"i18n keys defined twice: {sorted(duplicated)}")
        catalogue.update(part)
    return catalogue


CATALOGUE: dict[str, dict[str, str]] = _collect()


def translate(key: str, language: str, **values: object) -> str:
    """The text for `key` in `language` (English if that language lacks it), filled with `values`.

    An unknown key raises KeyError: a missing translation is a bug for the tests to find.
    """
    entry = CATALOGUE[key]
    text = entry.get(language) or entry["en"]
    return text.format(**values) if values else text


def pick_ui_language(locale: str | None) -> str:
    """The interface language for a browser locale such as 'zh-CN' or 'en-US'."""
    if locale:
        prefix = locale.split("-")[0].split("_")[0].lower()
        if prefix in UI_LANGUAGES:
            return prefix
    return DEFAULT_UI_LANGUAGE
