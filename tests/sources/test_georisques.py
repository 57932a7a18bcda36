"""Géorisques client against a local server: pagination through ``next``, RGA, saved answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faulty_server import FaultyServer, json_bytes

from quartiers.errors import InputError, SourceError
from quartiers.sources._http import Downloader
from quartiers.sources.georisques import CATNAT_COLUMNS, fetch_catnat, fetch_rga, read_catnat


def _decree(n: int, code: str = "85191") -> dict[str, str]:
    return {
        "code_national_catnat": f"INTE{n:07d}A",
        "date_debut_evt": "2022-06-01",
        "date_fin_evt": "2022-09-30",
        "date_publication_arrete": "2023-05-02",
        "date_publication_jo": "2023-05-20",
        "libelle_risque_jo": "Sécheresse",
        "code_insee": code,
        "libelle_commune": "La Roche-sur-Yon",
    }


def test_catnat_follows_next_pages(server: FaultyServer, downloader: Downloader) -> None:
    page2 = server.url("/api/v1/gaspar/catnat?code_insee=85191&page=2&page_size=2")
    server.files["/api/v1/gaspar/catnat?code_insee=85191&page=1&page_size=2"] = json_bytes(
        {"results": 3, "page": 1, "total_pages": 2, "next": page2, "data": [_decree(1), _decree(2)]}
    )
    server.files["/api/v1/gaspar/catnat?code_insee=85191&page=2&page_size=2"] = json_bytes(
        {"results": 3, "page": 2, "total_pages": 2, "next": None, "data": [_decree(3)]}
    )
    table = fetch_catnat(
        ["85191"], downloader=downloader, base_url=server.url("/api/v1"), page_size=2
    )
    assert list(table.columns) == CATNAT_COLUMNS
    assert table["code_national_catnat"].tolist() == [
        "INTE0000001A",
        "INTE0000002A",
        "INTE0000003A",
    ]
    assert (table["libelle_risque"] == "Sécheresse").all()
    # Cached: a rerun asks nothing.
    before = sum(server.hits.values())
    fetch_catnat(["85191"], downloader=downloader, base_url=server.url("/api/v1"), page_size=2)
    assert sum(server.hits.values()) == before


def test_catnat_unexpected_answer(server: FaultyServer, downloader: Downloader) -> None:
    server.files["/api/v1/gaspar/catnat?code_insee=85191&page=1&page_size=100"] = json_bytes(
        {"message": "quota"}
    )
    with pytest.raises(SourceError, match="réponse Géorisques inattendue pour la commune 85191"):
        fetch_catnat(["85191"], downloader=downloader, base_url=server.url("/api/v1"))


def test_rga_longitude_first_and_wrapped(server: FaultyServer, downloader: Downloader) -> None:
    server.files["/api/v1/rga?latlon=-1.426000%2C46.670000"] = json_bytes(
        {"exposition": "Exposition moyenne", "codeExposition": "2"}
    )
    server.files["/api/v1/rga?latlon=-0.550000%2C47.470000"] = json_bytes(
        {"data": [{"exposition": "Exposition forte", "codeExposition": "3"}]}
    )
    table = fetch_rga(
        {"QN08503I": (-1.426, 46.67), "QN04901M": (-0.55, 47.47)},
        downloader=downloader,
        base_url=server.url("/api/v1"),
    )
    assert table.values.tolist() == [
        ["QN08503I", "Exposition moyenne", "2"],
        ["QN04901M", "Exposition forte", "3"],
    ]


def test_read_saved_answers(tmp_path: Path) -> None:
    path = tmp_path / "catnat.json"
    path.write_text(
        json.dumps([{"data": [_decree(1)]}, {"data": [_decree(1), _decree(2)]}]), encoding="utf-8"
    )
    assert len(read_catnat(path)) == 2  # duplicates across pages removed
    path.write_text("{pas json", encoding="utf-8")
    with pytest.raises(InputError, match=r"catnat\.json : JSON illisible"):
        read_catnat(path)
    path.write_text(json.dumps([{"x": 1}]), encoding="utf-8")
    with pytest.raises(InputError, match="sans champ data ni code_national_catnat"):
        read_catnat(path)
