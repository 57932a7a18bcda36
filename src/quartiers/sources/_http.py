"""Verified downloads into an on-disk cache: retries, resume, size and SHA-256 checks, offline.

Cache layout (``Settings.cache_dir``)::

    <cache>/<k[:2]>/<k>/<filename>      the verified file (k = SHA-256 of the URL)
    <cache>/<k[:2]>/<k>/meta.json       url, filename, size, sha256, retrieved, etag
    <cache>/<k[:2]>/<k>/download.part   bytes received so far (resumed with a Range request)

A file enters the cache only complete and verified, by an atomic rename; a ``.part`` is
never served from the cache, and a file whose checksum does not match is deleted. In
offline mode nothing is requested: a URL missing from the cache raises
:class:`~quartiers.errors.SourceError`.
"""

from __future__ import annotations

import email.message
import hashlib
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode, urlsplit

from quartiers.checksum import file_sha256
from quartiers.errors import SourceError
from quartiers.progress import NullProgress, Progress
from quartiers.settings import Settings
from quartiers.version import __version__

if TYPE_CHECKING:  # httpx is imported when a download starts (0.1 s saved on each run)
    import httpx

__all__ = ["CachedFile", "Downloader", "url_key"]

logger = logging.getLogger(__name__)

_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
_USER_AGENT = f"Mozilla/5.0 (compatible; quartiers/{__version__}; +open-data)"


@dataclass(frozen=True)
class CachedFile:
    """A verified file in the download cache."""

    path: Path
    url: str
    sha256: str
    size: int
    retrieved: str  # ISO 8601, UTC
    from_cache: bool


class _RetryableError(Exception):
    """A failure worth another attempt (network cut, 5xx, truncated body, bad checksum)."""


def url_key(url: str) -> str:
    """Return the cache key of a URL (hex SHA-256, 64 chars)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _safe_name(name: str) -> str:
    name = re.sub(r"[^\w.\-]+", "_", unquote(name)).strip("._")
    return name[:120] or "telechargement"


def _disposition_name(response: httpx.Response) -> str | None:
    header = response.headers.get("content-disposition")
    if not header:
        return None
    message = email.message.Message()
    message["content-disposition"] = header
    name = message.get_filename()
    return _safe_name(name) if name else None


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


class Downloader:
    """HTTP client that fills and serves the on-disk cache.

    Parameters
    ----------
    cache_dir
        Root of the cache.
    offline
        Serve only from the cache; never touch the network.
    timeout_s
        Connect/read timeout (s).
    retries
        Further attempts after a retryable failure (so ``retries + 1`` in all).
    backoff_s
        First wait between attempts; doubles each time (exponential backoff).
    progress
        Receives one step per download, in bytes.
    transport
        httpx transport (tests may inject one).
    sleep
        Waiting function (tests pass a no-op).
    """

    def __init__(
        self,
        *,
        cache_dir: Path,
        offline: bool = False,
        timeout_s: float = 60.0,
        retries: int = 4,
        backoff_s: float = 1.0,
        progress: Progress | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.offline = offline
        self.retries = retries
        self.backoff_s = backoff_s
        self.progress = progress or NullProgress()
        self._sleep = sleep
        self._client: httpx.Client | None = None
        self._timeout_s = timeout_s
        self._transport = transport

    @classmethod
    def from_settings(cls, settings: Settings, *, progress: Progress | None = None) -> Downloader:
        """Build a downloader from the run settings (cache dir, offline, timeout, retries)."""
        return cls(
            cache_dir=settings.cache_dir,
            offline=settings.offline,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            progress=progress,
        )

    def __enter__(self) -> Downloader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connection pool."""
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> httpx.Client:
        """Return the (lazily opened) HTTP client."""
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                timeout=httpx.Timeout(self._timeout_s),
                follow_redirects=True,
                headers={"User-Agent": _USER_AGENT},
                transport=self._transport,
            )
        return self._client

    # -- cache -----------------------------------------------------------------------------

    def entry_dir(self, url: str) -> Path:
        """Return the cache folder of a URL."""
        key = url_key(url)
        return self.cache_dir / key[:2] / key

    def cached(self, url: str) -> CachedFile | None:
        """Return the verified cached copy of ``url``, or None."""
        entry = self.entry_dir(url)
        try:
            meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
            path = entry / str(meta["filename"])
            if meta.get("url") != url or path.stat().st_size != int(meta["size"]):
                return None
            return CachedFile(
                path=path,
                url=url,
                sha256=str(meta["sha256"]),
                size=int(meta["size"]),
                retrieved=str(meta["retrieved"]),
                from_cache=True,
            )
        except (OSError, ValueError, KeyError):
            return None

    def missing_message(self, urls: Mapping[str, str]) -> str:
        """Return the French message listing what offline mode lacks (label → URL)."""
        lines = [f"  - {label} : {url}" for label, url in urls.items()]
        return (
            f"mode hors ligne : {len(urls)} source(s) absente(s) du cache {self.cache_dir} :\n"
            + "\n".join(lines)
            + "\nRelancez sans --offline sur une machine connectée, ou donnez les fichiers "
            "avec --source ID=CHEMIN."
        )

    # -- downloads -------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        sha256: str | None = None,
        size: int | None = None,
        filename: str | None = None,
        label: str | None = None,
    ) -> CachedFile:
        """Return a verified local copy of ``url``, downloading it when not cached.

        Parameters
        ----------
        url
            What to download.
        sha256, size
            Expected checksum (hex) and size (bytes), when the publisher states them.
        filename
            Name of the cached file (default: ``Content-Disposition``, else the URL's last
            path segment).
        label
            French label of the progress step.

        Raises
        ------
        SourceError
            Offline and not cached; HTTP error; still truncated or corrupted after every
            attempt. The cache then holds no file for this URL.
        """
        hit = self.cached(url)
        if hit is not None and (sha256 is None or hit.sha256 == sha256.lower()):
            return hit
        if self.offline:
            raise SourceError(self.missing_message({label or url: url}))
        entry = self.entry_dir(url)
        entry.mkdir(parents=True, exist_ok=True)
        part = entry / "download.part"
        last: str = ""
        for attempt in range(self.retries + 1):
            if attempt:
                wait = self.backoff_s * 2 ** (attempt - 1)
                logger.info("nouvelle tentative %d pour %s dans %.1f s", attempt, url, wait)
                self._sleep(wait)
            try:
                name = self._download(url, part, label=label)
                return self._commit(url, part, filename or name, sha256=sha256, size=size)
            except _RetryableError as exc:
                last = str(exc)
                logger.warning("%s : %s", url, last)
        part.unlink(missing_ok=True)
        raise SourceError(
            f"téléchargement impossible de {url} après {self.retries + 1} tentative(s) : {last}"
        )

    def _download(self, url: str, part: Path, *, label: str | None) -> str:
        """Download (or resume) into ``part``; return the file name the server suggests."""
        import httpx

        have = part.stat().st_size if part.exists() else 0
        # Identity encoding: the bytes on disk are the bytes Range offsets count.
        headers = {"Accept-Encoding": "identity"}
        if have:
            headers["Range"] = f"bytes={have}-"
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code == 416:  # nothing left to send: restart cleanly
                    part.unlink(missing_ok=True)
                    raise _RetryableError("plage d'octets refusée (HTTP 416), reprise du début")
                self._check_status(url, response)
                resumed = response.status_code == 206 and _range_start(response) == have
                if not resumed:
                    have = 0
                expected = _expected_total(response, have)
                self.progress.start(label or f"Téléchargement {_url_name(url)}", expected)
                received = have
                try:
                    if have:
                        self.progress.advance(have)
                    with open(part, "ab" if resumed else "wb") as handle:
                        for block in response.iter_bytes():
                            handle.write(block)
                            received += len(block)
                            self.progress.advance(len(block))
                finally:
                    self.progress.finish()
                if expected is not None and received != expected:
                    raise _RetryableError(
                        f"fichier tronqué : {received} octets reçus sur {expected}"
                    )
                return _disposition_name(response) or _url_name(str(response.url))
        except httpx.TransportError as exc:
            got = part.stat().st_size if part.exists() else 0
            raise _RetryableError(
                f"connexion interrompue ({type(exc).__name__}) après {got} octets"
            ) from exc

    def _check_status(self, url: str, response: httpx.Response) -> None:
        status = response.status_code
        if status in (200, 206):
            return
        if status in _RETRY_STATUS:
            raise _RetryableError(f"le serveur a répondu HTTP {status}")
        host = urlsplit(url).netloc
        hint = (
            " ; le site bloque peut-être les téléchargements automatiques : téléchargez le "
            "fichier dans un navigateur puis donnez-le avec --source ID=CHEMIN"
            if status in (401, 403)
            else ""
        )
        raise SourceError(f"{url} : le serveur {host} a répondu HTTP {status}{hint}")

    def _commit(
        self, url: str, part: Path, filename: str, *, sha256: str | None, size: int | None
    ) -> CachedFile:
        actual_size = part.stat().st_size
        if size is not None and actual_size != size:
            part.unlink(missing_ok=True)
            raise _RetryableError(f"taille {actual_size} octets, attendu {size}")
        digest = file_sha256(part)
        if sha256 is not None and digest != sha256.lower():
            part.unlink(missing_ok=True)  # corrupted bytes are never resumed nor cached
            raise _RetryableError(
                f"somme SHA-256 {digest[:12]}… différente de l'attendue {sha256[:12]}…"
            )
        entry = part.parent
        name = _safe_name(filename)
        if name in {"meta.json", "download.part"}:
            name = "_" + name
        final = entry / name
        os.replace(part, final)
        retrieved = _now()
        meta = {
            "url": url,
            "filename": name,
            "size": actual_size,
            "sha256": digest,
            "retrieved": retrieved,
        }
        _atomic_write_text(entry / "meta.json", json.dumps(meta, ensure_ascii=False, indent=1))
        logger.info("%s → %s (%d octets)", url, final, actual_size)
        return CachedFile(final, url, digest, actual_size, retrieved, from_cache=False)

    def get_json(self, url: str, *, params: Mapping[str, str | int] | None = None) -> Any:
        """Return the JSON answer of a GET request, cached on disk like files.

        The cache key is the URL with its query string, so reruns (and offline mode)
        reuse earlier answers.
        """
        full = f"{url}?{urlencode(sorted((params or {}).items()))}" if params else url
        cached = self.fetch(full, filename="reponse.json", label=f"Requête {_url_name(url)}")
        try:
            return json.loads(cached.path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            cached.path.unlink(missing_ok=True)
            (cached.path.parent / "meta.json").unlink(missing_ok=True)
            raise SourceError(f"{full} : réponse JSON illisible ({exc})") from exc


def _url_name(url: str) -> str:
    path = urlsplit(url).path.rstrip("/")
    return _safe_name(path.rsplit("/", 1)[-1] or urlsplit(url).netloc)


def _range_start(response: httpx.Response) -> int | None:
    match = re.match(r"bytes (\d+)-", response.headers.get("content-range", ""))
    return int(match.group(1)) if match else None


def _expected_total(response: httpx.Response, have: int) -> int | None:
    """Return the complete file size announced by the server (bytes), if any."""
    total = re.match(r"bytes \d+-\d+/(\d+)", response.headers.get("content-range", ""))
    if response.status_code == 206 and total:
        return int(total.group(1))
    length = response.headers.get("content-length")
    if length is None or response.headers.get("content-encoding"):
        return None
    return int(length) + (have if response.status_code == 206 else 0)
