"""A large diagnostic's GeoPackage is written by a forked copy beside the other files (issue 16).

The files, and so the SHA-256 recorded in ``run.json``, are the same as when one process
writes everything; a copy that fails leaves its part to this process.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from _synthetic import make_territory
from quartiers import parallel
from quartiers.diagnostic import run_diagnostic, run_files
from quartiers.diagnostic.run_files import write

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="copies forked on Linux only"
)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, dict[str, str]]:
    diag = run_diagnostic(make_territory())
    folder = tmp_path_factory.mktemp("serial")
    write(diag, folder)
    return diag, _digests(folder)


def test_forked_writing_gives_the_same_files(
    serial: tuple[object, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    forked: list[int],
) -> None:
    diag, expected = serial
    monkeypatch.setattr(run_files, "PARALLEL_WRITE_CELLS", 0)
    monkeypatch.setattr(run_files, "local_executor", lambda: parallel.ForkExecutor(2))
    write(diag, tmp_path)  # type: ignore[arg-type]
    assert len(forked) == 1  # the GeoPackage was written by a copy
    assert _digests(tmp_path) == expected


def test_a_failing_copy_leaves_the_geopackage_to_this_process(
    serial: tuple[object, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    diag, expected = serial
    parent = os.getpid()
    real_write = run_files.pyogrio.write_dataframe

    def failing_in_the_copy(*args: object, **kwargs: object) -> None:
        if os.getpid() != parent:
            raise OSError("disque plein")
        real_write(*args, **kwargs)

    monkeypatch.setattr(run_files, "PARALLEL_WRITE_CELLS", 0)
    monkeypatch.setattr(run_files, "local_executor", lambda: parallel.ForkExecutor(2))
    monkeypatch.setattr(run_files.pyogrio, "write_dataframe", failing_in_the_copy)
    write(diag, tmp_path)  # type: ignore[arg-type]
    assert _digests(tmp_path) == expected
