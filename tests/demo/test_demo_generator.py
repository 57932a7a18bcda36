"""The demo generator: every source written, labelled fictitious, byte-identical per seed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from quartiers.demo import FILES, SOURCE_IDS, generate
from quartiers.errors import InputError


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_every_source_is_written(demo: dict[str, Path]) -> None:
    assert (
        tuple(demo)
        == SOURCE_IDS
        == (
            "qpv",
            "filosofi",
            "bpe",
            "osm",
            "lcz",
            "climadiag",
            "communes",
            "places",
            "tri",
            "argiles",
            "insee_qpv",
            "dpe",
        )
    )
    for key, path in demo.items():
        assert path.is_absolute()
        assert path.is_file() and path.stat().st_size > 0, key
        assert path.as_posix().endswith(FILES[key].as_posix())


def test_readme_says_fictitious(demo: dict[str, Path]) -> None:
    root = demo["qpv"].parents[1]
    text = (root / "README.txt").read_text(encoding="utf-8")
    assert "FICTIF" in text and "INVENTÉES" in text
    assert "Graine : 2024" in text
    for rel in FILES.values():
        assert rel.as_posix() in text


def test_same_seed_gives_identical_bytes(demo: dict[str, Path], tmp_path: Path) -> None:
    again = generate(tmp_path / "again", seed=2024)
    first = _digests(demo["qpv"].parents[1])
    second = _digests(again["qpv"].parents[1])
    assert first == second
    assert len(first) >= 12  # 8 sources, shapefile sidecars and README


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "fichier"
    target.write_text("x")
    with pytest.raises(InputError, match="n'est pas un dossier"):
        generate(target)


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, float | None]] = []

    def start(self, label: str, total: float | None = None) -> None:
        self.events.append((label, total))

    def advance(self, amount: float = 1.0) -> None:
        self.events.append(("advance", amount))

    def finish(self) -> None:
        self.events.append(("finish", None))


def test_other_seed_gives_another_town_and_progress(demo: dict[str, Path], tmp_path: Path) -> None:
    rec = _Recorder()
    other = generate(tmp_path / "other", seed=7, progress=rec)
    assert other["filosofi"].read_bytes() != demo["filosofi"].read_bytes()
    assert other["osm"].read_bytes() != demo["osm"].read_bytes()
    label, total = rec.events[0]
    assert "Ville-Témoin" in label
    advances = [e for e in rec.events if e[0] == "advance"]
    assert total == len(advances)
    assert rec.events[-1] == ("finish", None)


def test_docs_describe_every_file() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "demo.md").read_text(encoding="utf-8")
    for key, rel in FILES.items():
        assert f"`{key}`" in doc and rel.as_posix() in doc, key
    assert "nom;type;lon;lat;ouverture" in doc or "`nom`" in doc
