"""Downloads against a local server: resume, retries, HTTP errors, checksums, offline mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from faulty_server import PAYLOAD, FaultyServer, sha256

from quartiers.checksum import file_sha256
from quartiers.errors import SourceError
from quartiers.sources._http import Downloader, url_key


def _no_file_cached(downloader: Downloader, url: str) -> bool:
    entry = downloader.entry_dir(url)
    files = [p.name for p in entry.iterdir()] if entry.exists() else []
    return downloader.cached(url) is None and not [f for f in files if f != "download.part"]


def test_plain_download_then_cache_hit(server: FaultyServer, downloader: Downloader) -> None:
    server.files["/data/qpv.zip"] = PAYLOAD
    url = server.url("/data/qpv.zip")
    got = downloader.fetch(url, sha256=sha256(PAYLOAD), size=len(PAYLOAD))
    assert got.path.read_bytes() == PAYLOAD and got.path.name == "qpv.zip"
    assert got.sha256 == sha256(PAYLOAD) and not got.from_cache
    assert got.path.parent == downloader.entry_dir(url)
    assert url_key(url) in str(got.path)
    again = downloader.fetch(url)
    assert again.from_cache and again.path == got.path
    assert server.hits["/data/qpv.zip"] == 1


def test_dropped_connection_resumes_with_range(
    server: FaultyServer, downloader: Downloader
) -> None:
    server.files["/big.csv"] = PAYLOAD
    server.faults["/big.csv"] = ["drop"]
    got = downloader.fetch(server.url("/big.csv"), sha256=sha256(PAYLOAD))
    assert got.path.read_bytes() == PAYLOAD
    assert server.hits["/big.csv"] == 2
    assert server.ranges == [f"bytes={len(PAYLOAD) // 2}-"]  # only the rest was asked for
    assert not (got.path.parent / "download.part").exists()


def test_server_ignoring_range_restarts_cleanly(
    server: FaultyServer, downloader: Downloader
) -> None:
    server.files["/f.bin"] = PAYLOAD
    server.faults["/f.bin"] = ["drop", "norange", "ok"]
    got = downloader.fetch(server.url("/f.bin"), sha256=sha256(PAYLOAD))
    assert got.path.read_bytes() == PAYLOAD


def test_500_then_success_with_exponential_backoff(
    server: FaultyServer, downloader: Downloader
) -> None:
    server.files["/flaky"] = b"contenu"
    server.faults["/flaky"] = ["500", "503"]
    got = downloader.fetch(server.url("/flaky"))
    assert got.path.read_bytes() == b"contenu"
    assert server.hits["/flaky"] == 3
    assert downloader.waits == [0.5, 1.0]  # type: ignore[attr-defined]


def test_404_fails_at_once_in_french(server: FaultyServer, downloader: Downloader) -> None:
    url = server.url("/absent.zip")
    with pytest.raises(
        SourceError, match=r"absent\.zip : le serveur 127\.0\.0\.1:\d+ a répondu HTTP 404"
    ):
        downloader.fetch(url)
    assert server.hits["/absent.zip"] == 1
    assert _no_file_cached(downloader, url)


def test_403_suggests_a_local_copy(server: FaultyServer, downloader: Downloader) -> None:
    server.files["/insee.zip"] = b"x"
    server.faults["/insee.zip"] = ["403"]
    with pytest.raises(SourceError, match=r"HTTP 403.*--source ID=CHEMIN"):
        downloader.fetch(server.url("/insee.zip"))


def test_always_500_gives_up_after_retries(server: FaultyServer, downloader: Downloader) -> None:
    server.files["/down"] = b"x"
    server.faults["/down"] = ["500"] * 10
    with pytest.raises(
        SourceError, match=r"après 4 tentative\(s\) : le serveur a répondu HTTP 500"
    ):
        downloader.fetch(server.url("/down"))
    assert server.hits["/down"] == 4


def test_corrupted_file_is_never_cached(server: FaultyServer, downloader: Downloader) -> None:
    server.files["/c.zip"] = PAYLOAD
    server.faults["/c.zip"] = ["corrupt"] * 10
    url = server.url("/c.zip")
    with pytest.raises(SourceError, match="SHA-256"):
        downloader.fetch(url, sha256=sha256(PAYLOAD))
    assert _no_file_cached(downloader, url)
    assert not (downloader.entry_dir(url) / "download.part").exists()


def test_corruption_once_then_good_copy(server: FaultyServer, downloader: Downloader) -> None:
    server.files["/c2.zip"] = PAYLOAD
    server.faults["/c2.zip"] = ["corrupt"]
    got = downloader.fetch(server.url("/c2.zip"), sha256=sha256(PAYLOAD))
    assert file_sha256(got.path) == sha256(PAYLOAD)


def test_truncated_download_keeps_nothing_in_cache(
    server: FaultyServer, downloader: Downloader
) -> None:
    server.files["/t.csv"] = PAYLOAD
    server.faults["/t.csv"] = ["norange"] * 10  # always cut, never resumable
    url = server.url("/t.csv")
    with pytest.raises(SourceError, match=r"t\.csv après 4 tentative"):
        downloader.fetch(url)
    assert _no_file_cached(downloader, url)


def test_wrong_size_is_refused(server: FaultyServer, downloader: Downloader) -> None:
    server.files["/s.bin"] = b"12345"
    with pytest.raises(SourceError, match="taille 5 octets, attendu 6"):
        downloader.fetch(server.url("/s.bin"), size=6)
    assert downloader.cached(server.url("/s.bin")) is None


def test_content_disposition_names_the_file(server: FaultyServer, downloader: Downloader) -> None:
    server.files["/api/r/942d"] = b"PK"
    server.headers["/api/r/942d"] = {"Content-Disposition": 'attachment; filename="QP2024.zip"'}
    assert downloader.fetch(server.url("/api/r/942d")).path.name == "QP2024.zip"


def test_offline_uses_cache_and_names_what_is_missing(server: FaultyServer, tmp_path: Path) -> None:
    server.files["/a.csv"] = b"a"
    online = Downloader(cache_dir=tmp_path / "c", sleep=lambda _: None)
    with online:
        online.fetch(server.url("/a.csv"))
    offline = Downloader(cache_dir=tmp_path / "c", offline=True)
    assert offline.fetch(server.url("/a.csv")).path.read_bytes() == b"a"
    with pytest.raises(SourceError) as err:
        offline.fetch(server.url("/b.csv"), label="bpe (INSEE)")
    msg = str(err.value)
    assert "mode hors ligne" in msg and "bpe (INSEE)" in msg and "/b.csv" in msg
    assert server.hits["/b.csv"] == 0


def test_get_json_is_cached(server: FaultyServer, downloader: Downloader) -> None:
    server.files["/api"] = b'{"ok": true}'
    assert downloader.get_json(server.url("/api"), params={"b": 2, "a": 1}) == {"ok": True}
    assert downloader.get_json(server.url("/api"), params={"a": 1, "b": 2}) == {"ok": True}
    assert server.hits["/api?a=1&b=2"] == 1
    server.files["/bad"] = b"<html>"
    with pytest.raises(SourceError, match="JSON illisible"):
        downloader.get_json(server.url("/bad"))
    assert downloader.cached(server.url("/bad")) is None


def test_connection_refused_is_retried_then_reported(tmp_path: Path) -> None:
    waits: list[float] = []
    dl = Downloader(cache_dir=tmp_path, retries=2, backoff_s=0.1, sleep=waits.append, timeout_s=2)
    with dl, pytest.raises(SourceError, match="connexion interrompue"):
        dl.fetch("http://127.0.0.1:9/rien")
    assert waits == [0.1, 0.2]
