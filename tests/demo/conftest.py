"""One generated demo territory shared by the demo tests (about 2 s per test worker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.demo import generate


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return source id → path of a demo territory generated with the default seed."""
    return generate(tmp_path_factory.mktemp("ville-temoin"))
