"""Take a few members out of a remote zip without downloading the whole archive.

A zip ends with its central directory (the list of members with their offsets), so HTTP
range requests can read that list, then only the bytes of the wanted members: an LCZ
archive of the CEREMA holds a shapefile of a few megabytes beside 1.5 m rasters of several
gigabytes. :mod:`zipfile` does the parsing (and checks each member's CRC-32) on a
seekable file object whose reads are range requests.

When the server does not honour ranges (it answers 200 with the whole body), the whole
archive is downloaded through the cache (:meth:`Downloader.fetch`, resumable) and the
members are extracted from it. Either way the members land in the URL's cache folder,
renamed into place only when complete, and offline mode serves them from there.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from quartiers.checksum import file_sha256
from quartiers.errors import SourceError
from quartiers.sources._archive import extract_member
from quartiers.sources._http import Downloader

if TYPE_CHECKING:  # httpx is imported when an archive is read (not on every run)
    import httpx

__all__ = ["RemoteMembers", "fetch_zip_members"]

logger = logging.getLogger(__name__)

_BLOCK = 256 * 1024  # smallest range asked for (the central directory sits at the end)
_MEMBERS = "membres.json"


class _NoRangesError(Exception):
    """The server sent the whole body instead of the requested range."""


@dataclass(frozen=True)
class RemoteMembers:
    """Members taken out of a remote zip and where they came from."""

    paths: tuple[Path, ...]  # in archive order
    url: str
    sha256: str  # of the first member (the one a reader opens)
    retrieved: str
    whole_archive: bool  # True when the server refused ranges


class _RangeFile(io.RawIOBase):
    """Seekable read-only view of a remote file; each read is one HTTP range request."""

    def __init__(self, client: httpx.Client, url: str) -> None:
        self._client = client
        self._url = url
        self._pos = 0
        self._cache: tuple[int, bytes] = (0, b"")
        self.size = self._probe()
        self.requested = 0

    def _get(self, start: int, end: int) -> tuple[bytes, str]:
        """Return the bytes ``start``–``end`` and the Content-Range header."""
        import httpx

        headers = {"Range": f"bytes={start}-{end}", "Accept-Encoding": "identity"}
        try:
            with self._client.stream("GET", self._url, headers=headers) as response:
                if response.status_code == 200:  # whole body coming: do not read it
                    raise _NoRangesError
                if response.status_code != 206:
                    raise SourceError(
                        f"{self._url} : le serveur a répondu HTTP {response.status_code}"
                    )
                return response.read(), response.headers.get("content-range", "")
        except httpx.TransportError as exc:
            raise SourceError(
                f"{self._url} : connexion interrompue ({type(exc).__name__})"
            ) from exc

    def _probe(self) -> int:
        _, content_range = self._get(0, 0)
        match = re.match(r"bytes \d+-\d+/(\d+)", content_range)
        if not match:
            raise _NoRangesError
        return int(match.group(1))

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self._pos
        size = min(size, self.size - self._pos)
        if size <= 0:
            return b""
        start, data = self._cache
        if not (start <= self._pos and self._pos + size <= start + len(data)):
            want = max(size, _BLOCK)
            first = max(0, min(self._pos, self.size - want))
            last = min(self.size, first + want) - 1
            data, _ = self._get(first, last)
            self.requested += len(data)
            self._cache = (first, data)
            start = first
        out = data[self._pos - start : self._pos - start + size]
        self._pos += len(out)
        return out

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def fetch_zip_members(
    downloader: Downloader,
    url: str,
    wanted: Callable[[str], bool],
    *,
    pattern: str,
    label: str,
) -> RemoteMembers:
    """Return the members of the remote zip ``url`` for which ``wanted(name)`` is true.

    Parameters
    ----------
    downloader
        The cache-backed HTTP client (its cache and offline mode are used).
    url
        The zip's URL.
    wanted
        Member selector (called with each member's path in the archive).
    pattern
        Glob of the member a reader opens, used when the whole archive has to be
        downloaded (its shapefile sidecars come with it).
    label
        French label of the source, for messages.

    Raises
    ------
    SourceError
        Offline and not in the cache; no member selected; HTTP or zip error.
    """
    folder = downloader.entry_dir(url) / "membres"
    done = _cached(folder, url)
    if done is not None:
        return done
    if downloader.offline:
        raise SourceError(downloader.missing_message({label: url}))
    try:
        return _by_ranges(downloader, url, wanted, folder, label)
    except _NoRangesError:
        logger.info("%s : pas de requêtes partielles, archive téléchargée entière", url)
    got = downloader.fetch(url, label=f"Téléchargement : {label}")
    member = extract_member(got.path, pattern, downloader.cache_dir / "extraits")
    paths = tuple(sorted(p for p in member.parent.iterdir() if p.stem == member.stem))
    first = [member, *(p for p in paths if p != member)]
    return RemoteMembers(tuple(first), url, file_sha256(member), got.retrieved, True)


def _by_ranges(
    downloader: Downloader,
    url: str,
    wanted: Callable[[str], bool],
    folder: Path,
    label: str,
) -> RemoteMembers:
    remote = _RangeFile(downloader.client, url)
    try:
        archive = zipfile.ZipFile(remote)
    except zipfile.BadZipFile as exc:
        raise SourceError(f"{url} : archive zip illisible ({exc})") from exc
    names = [
        i.filename
        for i in archive.infolist()
        if not i.is_dir() and wanted(i.filename) and ".." not in PurePosixPath(i.filename).parts
    ]
    if not names:
        shown = ", ".join(archive.namelist()[:15])
        raise SourceError(f"{url} : aucun membre attendu pour {label} (contenu : {shown})")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".membres-"))
    try:
        for name in names:
            target = tmp / PurePosixPath(name).name
            try:
                with archive.open(name) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise SourceError(f"{url} : membre {name} illisible ({exc})") from exc
        retrieved = _now()
        meta = {
            "url": url,
            "members": [PurePosixPath(n).name for n in names],
            "retrieved": retrieved,
        }
        (tmp / _MEMBERS).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info(
        "%s : %d membre(s) lus par requêtes partielles (%d octets sur %d)",
        url,
        len(names),
        remote.requested,
        remote.size,
    )
    done = _cached(folder, url)
    assert done is not None
    return done


def _cached(folder: Path, url: str) -> RemoteMembers | None:
    try:
        meta = json.loads((folder / _MEMBERS).read_text(encoding="utf-8"))
        if meta.get("url") != url:
            return None
        paths = tuple(folder / str(name) for name in meta["members"])
        if not all(p.is_file() for p in paths):
            return None
        shp = [p for p in paths if p.suffix.lower() == ".shp"] or list(paths)
        ordered = (shp[0], *(p for p in paths if p != shp[0]))
        return RemoteMembers(ordered, url, file_sha256(shp[0]), str(meta["retrieved"]), False)
    except (OSError, ValueError, KeyError):
        return None


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
