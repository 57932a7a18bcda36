"""Fixtures of the report tests: the demo and La Roche-sur-Yon diagnostics and their sheets."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from quartiers.diagnostic import Diagnostic
from quartiers.report.render import ReportOptions, write_report

#: Date printed on the sheets rendered by the tests.
DAY = date(2026, 6, 15)


def normalise(text: str) -> str:
    """Return text with every kind of space as one plain space (PDF and HTML alike)."""
    text = text.replace("\u202f", " ").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


def _pdftotext(path: Path, *options: str) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) absent")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *options, str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return out.stdout.decode("utf-8")


@pytest.fixture(scope="session")
def pdf_text() -> Callable[[Path], str]:
    """Return a function extracting the text of a PDF as one normalised line (pdftotext)."""
    return lambda path: normalise(_pdftotext(path))


@pytest.fixture(scope="session")
def pdf_lines() -> Callable[[Path], list[str]]:
    """Return a function extracting a PDF's lines as laid out (table rows stay on a line)."""

    def extract(path: Path) -> list[str]:
        text = _pdftotext(path, "-layout").replace("\u202f", " ").replace("\u00a0", " ")
        return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]

    return extract


@pytest.fixture(scope="session")
def demo_diag(demo_run: object) -> Diagnostic:
    """Return the demo diagnostic as read back from its output directory."""
    return Diagnostic.load(demo_run.out_dir)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def demo_docs(demo_diag: Diagnostic, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render the demo sheets and synthesis once (PDF and HTML) and return their folder."""
    out = tmp_path_factory.mktemp("fiches_demo")
    write_report(demo_diag, out, options=ReportOptions(generated_on=DAY))
    return out


@pytest.fixture(scope="session")
def lry_diag(lry_dir: Path) -> Diagnostic:
    """Return La Roche-sur-Yon's diagnostic."""
    return Diagnostic.load(lry_dir)


@pytest.fixture(scope="session")
def lry_docs(lry_diag: Diagnostic, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render La Roche-sur-Yon's sheets and synthesis once and return their folder."""
    out = tmp_path_factory.mktemp("fiches_lry")
    write_report(lry_diag, out, options=ReportOptions(generated_on=DAY))
    return out
