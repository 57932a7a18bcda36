"""Operating-system and library errors in one French line (path + cause), with exit codes.

:func:`translate` turns an :class:`OSError` (or a GDAL error raised by pyogrio, or an
Arrow I/O error) into a :class:`quartiers.errors.QuartiersError`:

- a problem with what the command *writes* (read-only folder, full disk, file-size limit,
  permission refused on the output…) is a :class:`WriteError`, exit code 3;
- a problem with what it *reads* (unreadable or missing file, a path through a file…) is an
  :class:`quartiers.errors.InputError`, exit code 1.

The temporary sibling of an atomic output (:mod:`quartiers.atomic`) is never named: the
message names the output the user asked for.
"""

from __future__ import annotations

import errno
import re
import resource
import shutil
from collections.abc import Sequence
from pathlib import Path

from quartiers.errors import InputError, QuartiersError
from quartiers.library_fr import arrow_detail, gdal_detail

__all__ = [
    "LIBRARIES",
    "WRITE_EXIT_CODE",
    "WriteError",
    "cause",
    "library_of",
    "reason",
    "system_limit",
    "translate",
    "translate_library_error",
    "translate_write_failure",
    "yaml_reason",
]

#: Exit code when the output cannot be written (disk, rights, limits).
WRITE_EXIT_CODE = 3

_CAUSES = {
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota disque dépassé",
    errno.EFBIG: "taille maximale de fichier atteinte (limite « ulimit -f » ou du système)",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "c'est un dossier, un fichier est attendu",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EEXIST: "existe déjà",
    errno.ENOTEMPTY: "dossier non vide",
    errno.ELOOP: "trop de liens symboliques (boucle ?)",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.EXDEV: "déplacement entre deux systèmes de fichiers impossible",
    errno.EBUSY: "ressource occupée",
}
#: Errors that always concern writing, whatever the path.
_WRITE_ERRNOS = {errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
# English phrases of GDAL / SQLite / Arrow messages → errno (pyogrio loses the errno).
_PHRASES = (
    ("file too large", errno.EFBIG),
    ("database or disk is full", errno.ENOSPC),
    ("no space left", errno.ENOSPC),
    ("disk quota", errno.EDQUOT),
    ("read-only file system", errno.EROFS),
    ("readonly database", errno.EROFS),
    ("attempt to write a readonly", errno.EROFS),
    ("permission denied", errno.EACCES),
    ("not a directory", errno.ENOTDIR),
    ("file name too long", errno.ENAMETOOLONG),
    ("no such file", errno.ENOENT),
    ("does not exist in the file system", errno.ENOENT),
    ("disk i/o error", errno.EIO),
    ("is a directory", errno.EISDIR),
)


class WriteError(QuartiersError):
    """The output cannot be written (rights, read-only or full disk, file-size limit)."""

    exit_code = WRITE_EXIT_CODE


def cause(code: int | None, fallback: str = "") -> str:
    """Return the French cause of an ``errno`` code."""
    if code in _CAUSES:
        return _CAUSES[code]
    return fallback or "erreur du système"


def _shown(path: str, written: Sequence[Path]) -> str:
    """Replace a temporary sibling (first of ``written``) by the output the user named."""
    if len(written) >= 2:
        tmp, target = str(written[0]), str(written[1])
        if path == tmp or path.startswith(tmp + "/"):
            return target + path[len(tmp) :]
    return path


def _is_written(path: str, written: Sequence[Path]) -> bool:
    for place in written:
        text = str(place)
        if path == text or path.startswith(text.rstrip("/") + "/"):
            return True
    return False


def translate(exc: OSError, *, written: Sequence[Path] = ()) -> QuartiersError:
    """Return the French error of an :class:`OSError`.

    Parameters
    ----------
    exc
        The error.
    written
        Paths the command writes: the temporary sibling first, then the output named by the
        user (and any other). An error on them is a :class:`WriteError`.
    """
    code = exc.errno if isinstance(exc.errno, int) else _errno_of(str(exc))
    path = exc.filename if exc.filename is not None else None
    text = cause(code, fallback=_strip(exc.strerror or str(exc)))
    if path is None:
        where = str(written[1] if len(written) >= 2 else (written[0] if written else ""))
        is_write = bool(written) or code in _WRITE_ERRNOS
    else:
        raw = str(Path(path)) if not isinstance(path, int) else str(path)
        where = _shown(raw, written)
        is_write = code in _WRITE_ERRNOS or _is_written(raw, written)
        if exc.filename2 is not None and code in (errno.EXDEV, errno.EEXIST):
            where += f" → {_shown(str(exc.filename2), written)}"
    message = f"{where} : {text}" if where else text
    if is_write:
        return WriteError(f"{message} (écriture impossible, rien n'a été modifié)")
    return InputError(f"{message} (lecture impossible)")


def _errno_of(message: str) -> int | None:
    low = message.lower()
    match = re.search(r"\[errno (\d+)\]", low)
    if match:
        return int(match.group(1))
    for phrase, code in _PHRASES:
        if phrase in low:
            return code
    return None


def _strip(text: str) -> str:
    """Keep a library message short: first line, no trailing dot."""
    return text.strip().splitlines()[0].rstrip(".") if text.strip() else ""


def translate_library_error(
    exc: Exception, *, path: Path | None = None, written: Sequence[Path] = ()
) -> QuartiersError | None:
    """Return the French error of a GDAL (pyogrio) or Arrow error, None if not recognised.

    A recognised system cause (disk full, file too large, permission…) is translated; a
    format problem (« not recognized as a supported file format ») becomes « format non
    reconnu ». ``path`` names the file read or written when the library did not.
    """
    message = str(exc)
    code = _errno_of(message)
    low = message.lower()
    if code is not None:
        os_error = OSError(code, message, str(path) if path is not None else None)
        return translate(os_error, written=written)
    if "not recognized as" in low or "not a supported file format" in low:
        where = f"{path} : " if path is not None else ""
        return InputError(f"{where}format de fichier non reconnu par GDAL")
    return None


def system_limit(tmp: Path, target: Path, exc: Exception) -> QuartiersError | None:
    """Explain a library write failure that lost its errno (GDAL « Failed to commit »).

    Looks for the two usual culprits: a file-size limit (``ulimit -f``; SQLite rolls the
    file back, so its size does not show the limit) and a full disk. None when neither
    applies.
    """
    detail = _strip(str(exc)) or type(exc).__name__
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY:
        return WriteError(
            f"{target} : écriture impossible (« {detail} ») ; une limite de taille de "
            f"fichier est active (ulimit -f : {soft} octets), cause la plus probable ; "
            "rien n'a été modifié"
        )
    try:
        free = shutil.disk_usage(tmp.parent).free
    except OSError:
        return None
    if free < 1 << 20:
        return translate(OSError(errno.ENOSPC, str(exc), str(tmp)), written=(tmp, target))
    return None


#: Libraries whose errors are translated (top-level module → name shown to the user).
LIBRARIES = {"pyogrio": "GDAL", "pyarrow": "Arrow (Parquet)", "sqlite3": "SQLite"}


def library_of(exc: BaseException) -> str | None:
    """Return the shown name of the library that raised ``exc`` (None if not translated)."""
    return LIBRARIES.get(type(exc).__module__.split(".")[0])


def translate_write_failure(exc: Exception, tmp: Path, target: Path) -> QuartiersError | None:
    """Return the French error of a library failure while building ``target`` in ``tmp``."""
    if library_of(exc) is None:
        return None
    code = _errno_of(str(exc))
    if code is None or code == errno.EIO:
        limit = system_limit(tmp, target, exc)
        if limit is not None:
            return limit
    return translate_library_error(exc, written=(tmp, target))


_YAML_PROBLEMS = (
    ("mapping values are not allowed", "deux-points « : » inattendu à cet endroit"),
    ("could not find expected ':'", "deux-points « : » attendu après la clé"),
    ("cannot start any token", "caractère interdit en début d'élément (tabulation ?)"),
    ("did not find expected key", "clé attendue (indentation incohérente ?)"),
    ("expected ',' or ']'", "« , » ou « ] » attendu (crochet non fermé ?)"),
    ("expected ',' or '}'", "« , » ou « } » attendu (accolade non fermée ?)"),
    ("did not find expected node content", "valeur attendue"),
    ("found undefined alias", "alias « * » inconnu"),
    ("unexpected end of stream", "fin de fichier inattendue (guillemet non fermé ?)"),
    ("expected <block end>", "indentation incohérente"),
    ("did not find expected '-' indicator", "élément de liste « - » attendu"),
    ("found duplicate anchor", "ancre « & » en double"),
    ("expected the node content", "valeur attendue (crochet, accolade ou guillemet non fermé ?)"),
    ("expected a single document", "un seul document YAML attendu (« --- » en trop ?)"),
    ("found unhashable key", "clé invalide (liste ou table utilisée comme clé)"),
    ("found unknown escape character", "échappement « \\ » inconnu entre guillemets"),
    ("found a tab character", "tabulation interdite : indentez avec des espaces"),
    ("expected alphabetic or numeric character", "nom d'ancre ou d'alias invalide"),
    ("expected <document start>", "début de document attendu"),
    ("special characters are not allowed", "caractère spécial interdit"),
)


def yaml_reason(exc: Exception) -> str:
    """Return « ligne L, colonne C : problème » for a pyyaml error, in French."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"ligne {mark.line + 1}, colonne {mark.column + 1}" if mark is not None else ""
    problem = f"{getattr(exc, 'problem', '') or exc} {getattr(exc, 'context', '') or ''}"
    text = next((fr for en, fr in _YAML_PROBLEMS if en in problem), "syntaxe YAML invalide")
    return f"{where} : {text}" if where else text


def reason(exc: BaseException) -> str:
    """Return the French cause of a read failure (OS error, encoding, YAML, library)."""
    if isinstance(exc, UnicodeDecodeError):
        byte = exc.object[exc.start : exc.start + 1].hex()
        return (
            f"encodage non UTF-8 (octet 0x{byte} à la position {exc.start} ; "
            "réenregistrez le fichier en UTF-8)"
        )
    if isinstance(exc, OSError) and isinstance(exc.errno, int):
        return cause(exc.errno, fallback=_strip(exc.strerror or ""))
    if type(exc).__module__.split(".")[0] == "yaml":
        return yaml_reason(exc)  # type: ignore[arg-type]
    code = _errno_of(str(exc))
    if code is not None:
        return cause(code)
    library = LIBRARIES.get(type(exc).__module__.split(".")[0])
    if library == "GDAL":
        return gdal_detail(str(exc))
    if library == "Arrow (Parquet)" and arrow_detail(str(exc))[1] is not None:
        return str(arrow_detail(str(exc))[1])
    detail = _strip(str(exc)) or type(exc).__name__
    return f"{library} : {detail}" if library else detail
