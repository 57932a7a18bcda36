"""No sub-package imports another sub-package's private (underscore) module.

What one package offers another lives in a public module (``sources.gather``,
``diagnostic.dictionary``, ``indicators.hazard_registry``…). The root leaves every layer may
import (``quartiers._version``, ``_library_fr``, ``_validation_fr``, ``_ip``) are the exception.
"""

from __future__ import annotations

import ast
from pathlib import Path

import quartiers

SRC = Path(quartiers.__file__).parent
ROOT_LEAVES = {"_version", "_library_fr", "_validation_fr", "_ip", "_cli_french"}


def _package(path: Path) -> str:
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else ""


def _imported(node: ast.AST) -> list[str]:
    """Dotted module names an import statement reaches (``from a import b`` gives a.b too)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return []


def test_no_private_module_of_another_package_is_imported() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        own = _package(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for name in _imported(node):
                parts = name.split(".")
                if parts[0] != "quartiers" or len(parts) < 3:
                    continue
                package, rest = parts[1], parts[2:]
                private = [p for p in rest if p.startswith("_") and not p.startswith("__")]
                if package != own and private and package not in ROOT_LEAVES:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} {name}")
    assert found == []
