"""The one way to fingerprint a file: its SHA-256, read in chunks (a leaf module).

Provenance records, download checks, output hashes in ``run.json`` and the workshop's
search for moved input files all use :func:`file_sha256`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["file_sha256"]


def file_sha256(path: Path, *, chunk: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file, read in chunks of ``chunk`` bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
