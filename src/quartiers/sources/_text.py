"""Shared helpers of the readers for text tables: open, sniff, match columns, parse values.

Every reader goes through these so that bad input always raises the same kind of French
message: the file, the field and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from quartiers.errors import InputError
from quartiers.os_errors import reason

__all__ = [
    "clean_code",
    "column_map",
    "iter_csv_tables",
    "parse_numbers",
    "read_text_table",
    "require_file",
    "sniff_text",
    "text_column",
]

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


def require_file(path: Path) -> Path:
    """Return ``path`` if it is a readable file, else raise :class:`InputError`."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} : fichier introuvable")
    if path.is_dir() and path.suffix.lower() != ".gdb":
        raise InputError(f"{path} : c'est un dossier, attendu un fichier")
    return path


def column_map(
    columns: Iterable[str],
    wanted: Mapping[str, Sequence[str]],
    *,
    path: Path,
    what: str,
    optional: Iterable[str] = (),
) -> dict[str, str]:
    """Map each canonical name to the actual column of a file, ignoring case.

    Parameters
    ----------
    columns
        Column names found in the file.
    wanted
        Canonical name → accepted spellings (first match wins, case-insensitive).
    path, what
        File and a French description of its format, for the error message.
    optional
        Canonical names that may be missing (absent from the result then).

    Returns
    -------
    dict
        Canonical name → column name in the file.
    """
    by_lower: dict[str, str] = {}
    for col in columns:
        by_lower.setdefault(str(col).strip().lstrip("\ufeff").lower(), str(col))
    found: dict[str, str] = {}
    missing: list[str] = []
    optional = set(optional)
    for name, spellings in wanted.items():
        for spelling in spellings:
            actual = by_lower.get(spelling.lower())
            if actual is not None:
                found[name] = actual
                break
        else:
            if name not in optional:
                missing.append(" ou ".join(dict.fromkeys(spellings)))
    if missing:
        shown = ", ".join(list(by_lower.values())[:30])
        raise InputError(
            f"{path} : champ(s) manquant(s) {', '.join(missing)} — attendu pour {what} "
            f"(champs présents : {shown or 'aucun'})"
        )
    return found


def sniff_text(path: Path, *, encodings: Sequence[str], what: str) -> tuple[str, str]:
    """Return the encoding and the first line of a text file, trying ``encodings`` in order.

    A UTF-8 byte-order mark is accepted and removed. Raises :class:`InputError` naming
    the first undecodable byte when no encoding fits.
    """
    raw = require_file(path).read_bytes()[: 1 << 20]
    first_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        codec = "utf-8-sig" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else encoding
        try:
            # A truncated multi-byte sequence at the 1 MiB cut is not an error.
            text = raw.decode(codec) if len(raw) < 1 << 20 else _decode_prefix(raw, codec)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
            continue
        first = text.splitlines()[0] if text else ""
        return codec, first
    assert first_error is not None
    line = raw[: first_error.start].count(b"\n") + 1
    byte = raw[first_error.start : first_error.start + 1].hex().upper()
    raise InputError(
        f"{path} : encodage illisible (octet 0x{byte} ligne {line}) — attendu "
        f"{' ou '.join(encodings)} pour {what} ; réenregistrez le fichier en UTF-8"
    )


def _decode_prefix(raw: bytes, codec: str) -> str:
    for cut in range(4):
        try:
            return raw[: len(raw) - cut].decode(codec)
        except UnicodeDecodeError as exc:
            if exc.start < len(raw) - 4:
                raise
    return raw.decode(codec)


def read_text_table(
    path: Path,
    *,
    sep: str,
    encodings: Sequence[str] = ("utf-8",),
    what: str,
    header_hint: str,
    comment: str | None = None,
) -> pd.DataFrame:
    """Read a delimited text table with every column as text.

    Parameters
    ----------
    path
        The CSV file.
    sep
        Expected separator (``,`` or ``;``); a file whose header uses the other one is
        refused with a message saying so.
    encodings
        Accepted encodings, tried in order (a UTF-8 byte-order mark is accepted).
    what
        French description of the format, for messages.
    header_hint
        A column name that must appear in the header (case-insensitive).
    comment
        Lines starting with this character are skipped (DRIAS ``#`` headers).
    """
    encoding = _check_header(path, sep, encodings, what, header_hint, comment)
    try:
        table: pd.DataFrame = pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            encoding=encoding,
            comment=comment,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path} : tableau illisible ({reason(exc)}) — attendu {what}") from exc
    return table


def iter_csv_tables(
    path: Path,
    *,
    sep: str,
    encodings: Sequence[str] = ("utf-8",),
    what: str,
    header_hint: str,
    columns: Callable[[list[str]], list[str]] | None = None,
    block_mb: int = 32,
) -> Iterator[pa.Table]:
    """Yield a large delimited file as Arrow tables of text columns, block by block.

    Arrow's multi-threaded CSV reader parses national files (millions of rows) several
    times faster than pandas and reads only the ``columns`` chosen from the header.

    Parameters
    ----------
    path, sep, encodings, what, header_hint
        As in :func:`read_text_table` (header and separator checked first).
    columns
        Given the header's column names, return those to read (default: all).
    block_mb
        Size of each block read (MiB).

    Raises
    ------
    InputError
        Wrong separator or encoding (also past the first MiB), ragged rows.
    """
    encoding = _check_header(path, sep, encodings, what, header_hint, None)
    with open(path, encoding=encoding, newline="") as handle:
        header_line = handle.readline().rstrip("\r\n")
    names = [n.strip().strip('"') for n in header_line.split(sep)]
    wanted = columns(names) if columns is not None else names
    arrow_encoding = "utf8" if encoding.startswith("utf") else encoding
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=block_mb << 20, encoding=arrow_encoding),
            parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                include_columns=wanted,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            yield pa.Table.from_batches([batch])
    except (pa.ArrowInvalid, OSError) as exc:
        reason = str(exc).splitlines()[0]
        if "UTF8" in reason:
            raise InputError(
                f"{path} : encodage illisible au-delà du début du fichier ({reason}) — attendu "
                f"{' ou '.join(encodings)} pour {what}"
            ) from exc
        raise InputError(f"{path} : tableau illisible ({reason}) — attendu {what}") from exc


def _check_header(
    path: Path,
    sep: str,
    encodings: Sequence[str],
    what: str,
    header_hint: str,
    comment: str | None,
) -> str:
    """Return the file's encoding after checking its header holds ``header_hint`` and ``sep``."""
    encoding, first = sniff_text(path, encodings=encodings, what=what)
    if comment is not None:
        with open(path, encoding=encoding, errors="replace") as handle:
            for line in handle:
                if line.strip() and not line.startswith(comment):
                    first = line
                    break
    header = first.lower()
    other = ";" if sep == "," else ","
    if sep not in header and other in header:
        raise InputError(
            f"{path} : séparateur « {other} » trouvé dans l'en-tête, attendu « {sep} » pour {what}"
        )
    if header_hint.lower() not in header:
        raise InputError(
            f"{path} : en-tête sans le champ {header_hint} — attendu pour {what} "
            f"(première ligne : {first[:120]!r})"
        )
    return encoding


def parse_numbers(values: pd.Series, *, path: Path, field: str) -> pd.Series:
    """Return ``values`` (text) as floats; accept thousands spaces and a decimal comma.

    Empty cells become NaN; anything else that is not a number raises
    :class:`InputError` naming the field and the first bad value.
    """
    plain = _plain_numbers(values)
    if plain is not None:
        return plain
    text = values.astype("string").str.strip()
    text = text.str.replace(_SPACES, "", regex=True)
    text = text.where(~text.str.fullmatch(r"-?\d+,\d+").fillna(False), text.str.replace(",", "."))
    text = text.replace({"": pd.NA, "NA": pd.NA, "nan": pd.NA, "NaN": pd.NA})
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna()
    if bad.any():
        example = values[bad].iloc[0]
        raise InputError(
            f"{path} : valeur non numérique {example!r} dans le champ {field} "
            f"(ligne {int(np.flatnonzero(bad.to_numpy())[0]) + 2}) — attendu un nombre"
        )
    return numbers.astype("float64")


def _plain_numbers(values: pd.Series) -> pd.Series | None:
    """Return text values as floats when Arrow reads every one as a plain number, else None.

    The fast path of :func:`parse_numbers` for national files (millions of cells): one
    vectorised Arrow cast, which gives the same doubles as pandas' parser. Empty or missing
    cells, thousands spaces, decimal commas and bad values fall back to the general rules.
    """
    try:
        text = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if text.null_count:
        return None
    try:
        numbers = pc.cast(pc.utf8_trim_whitespace(text), pa.float64())
    except pa.ArrowInvalid:
        return None
    return pd.Series(numbers.to_numpy(zero_copy_only=False), index=values.index, dtype="float64")


def clean_code(values: pd.Series, *, width: int) -> pd.Series:
    """Return codes as text, stripped, left-padded with zeros when purely numeric.

    Files that stored INSEE codes or SIREN as integers lose leading zeros (``1053`` for
    ``01053``); Corsica codes (``2A004``) are kept as they are.
    """
    text = values.astype("string").fillna("").str.strip()
    text = text.str.replace(r"\.0$", "", regex=True)
    numeric = text.str.fullmatch(r"\d+").fillna(False)
    padded = text.where(~numeric, text.str.zfill(width))
    return padded.astype(str)


def text_column(values: pd.Series) -> pd.Series:
    """Return ``values`` as text (pandas ``str``) with missing values as ``''``."""
    return values.astype("string").fillna("").str.strip().astype(str)
