"""No sub-package imports another sub-package's private (underscore) module.

What one package offers another lives in a public module (``sources.gather``,
``diagnostic.dictionary``, ``indicators.hazard_registry``…), and so do the root leaves every
layer imports (``quartiers.version``, ``library_fr``, ``validation_fr``, ``ip``): a private
root module (``quartiers._cli_french``, ``_entry``) is imported by root modules only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import quartiers

SRC = Path(quartiers.__file__).parent


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


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_module_of_another_package_is_imported() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        own = _package(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for name in _imported(node):
                parts = name.split(".")
                if parts[0] != "quartiers" or len(parts) < 2:
                    continue
                package, rest = parts[1], parts[2:]
                if _private(package):  # a private root module: for the root's own modules
                    if own:
                        found.append(f"{path.relative_to(SRC)}:{node.lineno} {name}")
                    continue
                if package != own and any(_private(p) for p in rest):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} {name}")
    assert found == []
