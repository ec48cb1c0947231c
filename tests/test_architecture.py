"""The architecture's rules (import-linter contracts in pyproject.toml) hold for the whole tree."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept(monkeypatch, capsys) -> None:
    # import-linter finds the root packages on sys.path, relative to the working directory.
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert status == 0, report
    assert "0 broken" in report


def test_core_keeps_at_most_three_top_level_modules() -> None:
    modules = {p.name for p in (ROOT / "core").glob("*.py")} - {"__init__.py", "__main__.py"}
    assert len(modules) <= 3, sorted(modules)
