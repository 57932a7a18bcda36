"""docs/reports.md stays true to the commands and the export."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from quartiers.cli import app
from quartiers.outputs.exports import EXPORT_FILES

DOC = Path(__file__).resolve().parents[2] / "docs" / "reports.md"


def _options(name: str) -> set[str]:
    from quartiers import commands  # noqa: F401  (registers the commands)

    group = typer.main.get_command(app)
    command = group.commands[name]  # type: ignore[attr-defined]
    return {
        opt
        for param in command.params
        if param.param_type_name == "option"
        for opt in param.opts
        if opt not in ("-h", "--help")
    }


def test_every_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in ("report", "compare", "export"):
        assert f"quartiers {name}" in text
        for opt in _options(name):
            assert f"`{opt}`" in text or re.search(rf"{re.escape(opt)}\b", text), (name, opt)


def test_every_exported_file_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in (*EXPORT_FILES, "diagnostic.gpkg", "dictionnaire.csv", "run.json"):
        assert f"`{name}`" in text or name in text, name
