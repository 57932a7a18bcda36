"""The one pass over an OpenStreetMap file (PBF or XML): every OSM reader goes through it.

:func:`scan_osm` opens the file once with pyosmium's :class:`osmium.FileProcessor` (node
locations cached, areas assembled from closed ways and multipolygon relations) and hands
each object to the collectors that want it: the layers and walkable streets of
:mod:`quartiers.sources.osm`, the background map of :mod:`quartiers.sources.osm_basemap`,
the addresses of :mod:`quartiers.sources.addresses`. A collector sees exactly the objects
carrying one of its tag keys, as if it had read the file alone, so a diagnostic collects
the layers and the background map in the same pass.

Files whose objects are not sorted by type and id (some Overpass XML exports) are
re-sorted through a temporary PBF first, because area assembly needs sorted input.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import osmium
from osmium.osm import mutable

from quartiers.errors import InputError
from quartiers.library_fr import osm_detail
from quartiers.os_errors import reason

__all__ = ["OsmCollector", "scan_osm", "sniff_format", "write_sorted"]

logger = logging.getLogger(__name__)

# What pyosmium raises on a broken file (parse errors, bad coordinates, bad encoding).
_READ_ERRORS = (OSError, RuntimeError, ValueError, osmium.InvalidLocationError)


class OsmCollector(Protocol):
    """What :func:`scan_osm` hands the objects to."""

    #: Tag keys of the objects this collector looks at (any one of them is enough).
    keys: tuple[str, ...]

    def add(self, obj: Any) -> None:
        """Record one node, way or area yielded by the file processor."""


C = TypeVar("C", bound=tuple[OsmCollector, ...])


def _osm_reason(exc: BaseException) -> str:
    """French cause of a read failure: system error, or libosmium's words summarised."""
    return reason(exc) if isinstance(exc, OSError) else osm_detail(str(exc))


def scan_osm(path: Path, make: Callable[[], C], *, purpose: str = "") -> C:
    """Read an OSM file once, giving each collector the objects carrying one of its keys.

    Parameters
    ----------
    path
        ``.osm.pbf``, ``.osm`` (XML), ``.osm.bz2`` or ``.osm.gz`` file; the format is
        sniffed when the suffix says nothing.
    make
        Returns new, empty collectors (called again if the file must be sorted first).
    purpose
        What the file is read for, in French (« adresses »…), added to the message of a
        missing file.

    Returns
    -------
    tuple
        The collectors of ``make``, filled in file order (nodes, then ways and areas).

    Raises
    ------
    InputError
        Missing, empty or unreadable file (French message naming the file).
    """
    path = Path(path)
    if not path.is_file():
        what = f" ({purpose})" if purpose else ""
        raise InputError(f"{path} : fichier OpenStreetMap introuvable{what}")
    if path.stat().st_size == 0:
        raise InputError(f"{path} : fichier OpenStreetMap vide (0 octet)")
    fmt = sniff_format(path)
    try:
        return _run(osmium.io.File(str(path), fmt), make())
    except _READ_ERRORS as exc:
        if "order" not in str(exc):
            raise InputError(
                f"{path} : fichier OpenStreetMap illisible ({_osm_reason(exc)})"
            ) from exc
        logger.info("%s : objets non triés, tri préalable", path.name)
        with tempfile.TemporaryDirectory(prefix="quartiers-osm-") as tmp:
            sorted_path = Path(tmp) / "sorted.osm.pbf"
            write_sorted(osmium.io.File(str(path), fmt), sorted_path, path)
            try:
                return _run(osmium.io.File(str(sorted_path), "pbf"), make())
            except _READ_ERRORS as again:
                raise InputError(
                    f"{path} : fichier OpenStreetMap illisible ({_osm_reason(again)})"
                ) from again


def _run(osm_file: Any, collectors: C) -> C:
    """One pass; the collectors' keys are also the C++ key filter (everything else skipped)."""
    keys = tuple(dict.fromkeys(k for c in collectors for k in c.keys))
    processor = (
        osmium.FileProcessor(osm_file)
        .with_locations()
        .with_areas()
        .with_filter(osmium.filter.KeyFilter(*keys))
    )
    if len(collectors) == 1:  # the key filter already chose this collector's objects
        add = collectors[0].add
        for obj in processor:
            add(obj)
        return collectors
    gates = [(c.add, *_gate(c.keys, keys)) for c in collectors]
    for item in processor:
        has = item.tags.__contains__
        for add, own, extra in gates:
            # an object without the other collectors' keys carries one of this one's (it
            # passed the filter); otherwise it must carry one of this collector's keys
            if extra and any(map(has, extra)) and not any(map(has, own)):
                continue
            if own and not extra and not any(map(has, own)):
                continue
            add(item)
    return collectors


def _gate(own: tuple[str, ...], keys: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (own keys, other keys) to test an object against, the cheaper test first.

    No test when the collector's keys are the whole filter; the few other collectors' keys
    when there are at most two of them (one lookup for most objects); else its own keys.
    """
    extra = tuple(k for k in keys if k not in own)
    if not extra:
        return (), ()
    return (own, extra) if len(extra) <= 2 else (own, ())


def sniff_format(path: Path) -> str:
    """Return the pyosmium format of an OSM file (``pbf``, ``osm``, ``osm.bz2``…)."""
    name = path.name.lower()
    for suffix, fmt in ((".pbf", "pbf"), (".osm.bz2", "osm.bz2"), (".osm.gz", "osm.gz")):
        if name.endswith(suffix):
            return fmt
    if name.endswith((".osm", ".xml")):
        return "osm"
    with path.open("rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf").lstrip()
    return "osm" if head.startswith(b"<") else "pbf"


def write_sorted(osm_file: Any, target: Path, original: Path) -> None:
    """Copy an unsorted OSM file into a PBF sorted by type then id."""
    nodes: list[tuple[int, mutable.Node]] = []
    ways: list[tuple[int, mutable.Way]] = []
    relations: list[tuple[int, mutable.Relation]] = []
    try:
        for raw in osmium.FileProcessor(osm_file):
            obj: Any = raw
            tags = {tag.k: tag.v for tag in obj.tags}
            if obj.is_node():
                loc = obj.location
                location = (loc.lon, loc.lat) if loc.valid() else None
                nodes.append((obj.id, mutable.Node(id=obj.id, location=location, tags=tags)))
            elif obj.is_way():
                refs = [n.ref for n in obj.nodes]
                ways.append((obj.id, mutable.Way(id=obj.id, nodes=refs, tags=tags)))
            elif obj.is_relation():
                members = [(m.type, m.ref, m.role) for m in obj.members]
                relation = mutable.Relation(id=obj.id, members=members, tags=tags)
                relations.append((obj.id, relation))
    except _READ_ERRORS as exc:
        raise InputError(
            f"{original} : fichier OpenStreetMap illisible ({_osm_reason(exc)})"
        ) from exc
    writer = osmium.SimpleWriter(str(target))
    try:
        for _, node in sorted(nodes, key=lambda pair: pair[0]):
            writer.add_node(node)
        for _, way in sorted(ways, key=lambda pair: pair[0]):
            writer.add_way(way)
        for _, item in sorted(relations, key=lambda pair: pair[0]):
            writer.add_relation(item)
    finally:
        writer.close()
