"""The type of one entry of the source catalogue (:mod:`quartiers.sources.catalog`)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SourceSpec"]


@dataclass(frozen=True)
class SourceSpec:
    """One official source.

    Attributes
    ----------
    id
        Short identifier used on the command line (``--source qpv=…``).
    publisher, title
        Who publishes it and the dataset's title (French).
    urls
        Official pages (dataset page, documentation).
    download
        Direct download URL (template) or ``None`` for local files only.
    member
        Glob of the file to take inside the downloaded archive (template), if any.
    vintage
        Vintage the project is written against.
    licence
        Licence of the data.
    format
        Publisher's format (French description).
    reader
        Dotted path ``module:function`` of the reader.
    required
        The diagnostic cannot run without it.
    auto
        ``quartiers fetch`` gets it without being asked (when ``download`` is set).
    note
        Quirk worth telling users (French).
    every_member
        The reader takes the whole archive (several layers of one source in one zip).
    """

    id: str
    publisher: str
    title: str
    urls: tuple[str, ...]
    download: str | None
    member: str | None
    vintage: str
    licence: str
    format: str
    reader: str
    required: bool = False
    auto: bool = True
    note: str = ""
    every_member: bool = False
