"""Find the raw file of each source: a local path given by the user, or a verified download.

Archives (local or downloaded) are opened and only the member the reader needs is
extracted into the cache. Missing sources are collected rather than raised one by one, so
the user learns everything that is missing in a single message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from quartiers.checksum import file_sha256
from quartiers.errors import InputError, SourceError
from quartiers.sources._archive import extract_member, is_archive
from quartiers.sources._http import Downloader
from quartiers.sources.catalog import SOURCE_IDS, SourceSpec, get_source

__all__ = ["REPEATABLE", "Gatherer", "RawInput", "parse_source_files", "parse_source_options"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawInput:
    """A source's file ready to read, and where it came from."""

    source_id: str
    path: Path  # file to read (the extracted member for an archive)
    location: str  # URL, or the local path as given
    sha256: str  # of the file as obtained (the archive for a download)
    retrieved: str  # ISO 8601
    also: tuple[RawInput, ...] = ()  # more files of the same source, read as one

    @property
    def paths(self) -> list[Path]:
        """Return every file of the source (``--source ID=…`` may be repeated)."""
        return [self.path, *(r.path for r in self.also)]

    def each(self) -> list[RawInput]:
        """Return this input and the other files of the same source."""
        return [self, *self.also]


def parse_source_options(values: list[str] | tuple[str, ...]) -> dict[str, Path]:
    """Parse repeated ``--source ID=PATH`` options into ``{id: path}``.

    Raises
    ------
    InputError
        Malformed option, unknown id, id given twice, or a path that does not exist.
    """
    out: dict[str, Path] = {}
    for value in values:
        source_id, sep, raw_path = value.partition("=")
        source_id = source_id.strip().lower()
        if not sep or not source_id or not raw_path.strip():
            raise InputError(
                f"--source {value!r} : attendu la forme ID=CHEMIN (ex. qpv=qpv.geojson)"
            )
        get_source(source_id)
        if source_id in out:
            raise InputError(f"--source {source_id} donné deux fois — attendu une fois par source")
        path = Path(raw_path.strip()).expanduser()
        if not path.exists():
            raise InputError(f"--source {source_id}={raw_path} : fichier introuvable")
        out[source_id] = path
    return out


#: Sources whose repeated files are read as one (tables and layers that concatenate).
REPEATABLE = (
    "qpv",
    "filosofi",
    "communes",
    "epci",
    "bpe",
    "lcz",
    "climadiag",
    "drias",
    "bdtopo",
    "osm",
    "rp_iris",
)


def parse_source_files(values: list[str] | tuple[str, ...]) -> dict[str, list[Path]]:
    """Parse ``--source ID=PATH`` options where an id may be repeated (files read as one).

    Raises
    ------
    InputError
        Malformed option, unknown id, a path that does not exist, or a source whose files
        cannot be read as one (OpenStreetMap, BD TOPO) given twice.
    """
    out: dict[str, list[Path]] = {}
    for value in values:
        source_id, _, raw_path = value.partition("=")
        source_id = source_id.strip().lower()
        single = parse_source_options([value])
        path = single[source_id]
        if source_id in out and source_id not in REPEATABLE:
            raise InputError(
                f"--source {source_id} donné deux fois : les fichiers de cette source ne se "
                f"lisent pas comme un seul (répétable : {', '.join(REPEATABLE)}) — donnez-en un "
                "seul"
            )
        if path in out.get(source_id, []):
            raise InputError(f"--source {source_id}={raw_path} : fichier donné deux fois")
        out.setdefault(source_id, []).append(path)
    return out


def check_ids(ids: Mapping[str, object] | list[str] | tuple[str, ...], option: str) -> None:
    """Raise a French :class:`InputError` for any id not in the catalogue."""
    unknown = [i for i in ids if i not in SOURCE_IDS]
    if unknown:
        raise InputError(
            f"{option} : source(s) inconnue(s) {', '.join(unknown)} — attendu parmi "
            f"{', '.join(SOURCE_IDS)}"
        )


@dataclass
class Gatherer:
    """Locate raw files, downloading what the user did not give.

    Attributes
    ----------
    downloader
        Cache-backed HTTP client (honours offline mode).
    local
        Files given with ``--source``.
    extract_dir
        Where archive members are extracted.
    missing
        Offline mode: label → URL of what the cache lacks.
    failures
        Online failures (French messages), reported together.
    """

    downloader: Downloader
    local: dict[str, Path]
    extract_dir: Path
    extra: dict[str, list[Path]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    unavailable: set[str] = field(default_factory=set)

    def fail(self, source_id: str, message: str) -> None:
        """Record that a source could not be obtained."""
        self.failures.append(f"{source_id} : {message}")
        self.unavailable.add(source_id)

    def precheck(self, source_id: str) -> None:
        """Offline: record a source whose (fixed) download URL is not in the cache."""
        spec = get_source(source_id)
        if (
            self.downloader.offline
            and source_id not in self.local
            and spec.download is not None
            and "{" not in spec.download
            and self.downloader.cached(spec.download) is None
        ):
            self.missing[f"{spec.id} ({spec.publisher})"] = spec.download
            self.unavailable.add(source_id)

    def require(self, source_ids: tuple[str, ...], found: Mapping[str, RawInput]) -> None:
        """Raise (listing everything) when a required source is not in ``found``."""
        for source_id in source_ids:
            if source_id not in found and source_id not in self.unavailable:
                self.fail(
                    source_id,
                    f"aucun fichier — donnez-le avec --source {source_id}=CHEMIN",
                )
        self.raise_if_incomplete()

    def locate(self, source_id: str, **template: str) -> RawInput | None:
        """Return the raw file of a source, or None (recorded as missing or failed).

        ``template`` fills the placeholders of the catalogue URL and member glob.
        """
        spec = get_source(source_id)
        if source_id in self.local:
            first = self._local(spec, self.local[source_id], template)
            more = tuple(self._local(spec, p, template) for p in self.extra.get(source_id, []))
            return replace(first, also=more) if more else first
        if spec.download is None:
            return None
        url = spec.download.format(**template)
        label = f"{spec.id} ({spec.publisher})"
        if self.downloader.offline and self.downloader.cached(url) is None:
            self.missing[label] = url
            self.unavailable.add(source_id)
            return None
        try:
            got = self.downloader.fetch(url, label=f"Téléchargement : {spec.title}")
            path = self._member(spec, got.path, template)
        except SourceError as exc:
            self.fail(spec.id, str(exc))
            return None
        return RawInput(spec.id, path, url, got.sha256, got.retrieved)

    def _local(self, spec: SourceSpec, path: Path, template: Mapping[str, str]) -> RawInput:
        retrieved = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(microsecond=0)
        digest = file_sha256(path) if path.is_file() else ""
        target = path
        if path.is_file() and is_archive(path):
            try:
                target = self._member(spec, path, template)
            except SourceError as exc:
                raise InputError(f"--source {spec.id}={path} : {exc}") from exc
        return RawInput(spec.id, target, str(path.resolve()), digest, retrieved.isoformat())

    def _member(self, spec: SourceSpec, archive: Path, template: Mapping[str, str]) -> Path:
        if not is_archive(archive) or spec.every_member:
            return archive
        pattern = (spec.member or "*").format(**template) if spec.member else "*"
        return extract_member(archive, pattern, self.extract_dir)

    def raise_if_incomplete(self) -> None:
        """Raise one :class:`SourceError` listing everything missing or failed."""
        parts = []
        if self.missing:
            parts.append(self.downloader.missing_message(self.missing))
        if self.failures:
            parts.append(
                "sources indisponibles :\n"
                + "\n".join(f"  - {f}" for f in self.failures)
                + "\nDonnez ces fichiers avec --source ID=CHEMIN, ou ignorez une source "
                "facultative avec --skip ID."
            )
        if parts:
            raise SourceError("\n".join(parts))
