"""INSEE's own per-QPV figures (QPV 2024 geography), read as a reference for validation.

INSEE publishes, per QPV 2024, the population (census) and, from the geolocated tax
records of Filosofi 2021, the poverty rate of *persons* (« Revenus, pauvreté et niveau de
vie en 2021 – Quartiers de la politique de la ville 2024 », insee.fr page 8243167). The file
is given with ``--source insee_qpv=FICHIER`` as CSV (« ; » or « , », UTF-8 or Latin-1,
decimal comma accepted). One row per QPV; the code column and at least one indicator:

=====================  =============================================  =========================
indicator              accepted column names (case ignored)           unit in the file
=====================  =============================================  =========================
code                   ``code_qp``, ``CODGEO``, ``CODE_QP``, ``QP``    QPV 2024 code (QN…)
``population``         ``population``, ``POP_MUN``, ``pop_mun``,      persons
                       ``P_POP``
``poverty_rate``       ``poverty_rate``, ``DISP_TP6021``, ``TP6021``,  % of persons (0–100)
                       ``DISP_TP60``, ``TP60``, ``tp60``
``share_65p``          ``share_65p``, ``part_65p``                    % of persons (0–100)
``share_social_housing`` ``share_social_housing``, ``part_hlm``       % of main residences
=====================  =============================================  =========================

The INSEE column names other than ``DISP_TP6021`` (the IRIS 2021 base's name, assumed to be
the same in the QPV base) are **not verified** against the QPV 2024 files (see
``docs/sources.md``); a file in another layout is renamed to the first spelling. Secret or
missing values (``s``, ``nd``, ``ns``, ``c``, empty) become NaN. Percentages are returned
as shares (0–1), as the diagnostic's rates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from quartiers.errors import InputError
from quartiers.sources._text import column_map, parse_numbers, read_text_table, text_column

__all__ = ["INSEE_QPV_INDICATORS", "read_insee_qpv"]

#: Indicator → (accepted spellings, is a percentage in the file).
INSEE_QPV_INDICATORS: dict[str, tuple[tuple[str, ...], bool]] = {
    "population": (("population", "POP_MUN", "pop_mun", "P_POP"), False),
    "poverty_rate": (
        ("poverty_rate", "DISP_TP6021", "TP6021", "DISP_TP60", "TP60", "tp60"),
        True,
    ),
    "share_65p": (("share_65p", "part_65p"), True),
    "share_social_housing": (("share_social_housing", "part_hlm"), True),
}

_CODE = ("code_qp", "CODGEO", "CODE_QP", "QP")
_SECRET = {"s", "nd", "ns", "c", "n.d.", "so"}
_WHAT = (
    "les chiffres INSEE par QPV (code_qp ou CODGEO, puis population, poverty_rate, share_65p, "
    "share_social_housing ou leurs noms INSEE)"
)


def _separator(path: Path) -> str:
    head = path.read_bytes()[:4096].split(b"\n", 1)[0]
    return ";" if head.count(b";") >= head.count(b",") else ","


def read_insee_qpv(path: Path) -> pd.DataFrame:
    """Read INSEE's per-QPV figures into ``code_qp`` + the indicators given (shares 0–1).

    Parameters
    ----------
    path
        CSV file (see the module docstring for the accepted columns).

    Returns
    -------
    pandas.DataFrame
        ``code_qp`` (text) and one float column per indicator found in the file.

    Raises
    ------
    InputError
        Unreadable file, no code column, no indicator, a duplicated QPV, a non-numeric
        value or a percentage outside 0–100 (French message naming file, field, expectation).
    """
    path = Path(path)
    table = read_text_table(
        path,
        sep=_separator(path) if path.is_file() else ";",
        encodings=("utf-8", "latin-1"),
        what=_WHAT,
        header_hint="",
    )
    wanted = {"code": _CODE, **{k: v[0] for k, v in INSEE_QPV_INDICATORS.items()}}
    cols = column_map(
        table.columns, wanted, path=path, what=_WHAT, optional=list(INSEE_QPV_INDICATORS)
    )
    present = [k for k in INSEE_QPV_INDICATORS if k in cols]
    if not present:
        raise InputError(
            f"{path} : aucun indicateur reconnu — attendu au moins une colonne parmi "
            f"{', '.join(s for v in INSEE_QPV_INDICATORS.values() for s in v[0])}"
        )
    codes = text_column(table[cols["code"]]).str.upper()
    dup = codes[codes.duplicated() & (codes != "")]
    if len(dup):
        raise InputError(f"{path} : QPV {dup.iloc[0]} en double (champ {cols['code']})")
    out = pd.DataFrame({"code_qp": codes.to_numpy()})
    for name in present:
        field = cols[name]
        raw = text_column(table[field])
        raw = raw.where(~raw.str.lower().isin(_SECRET), "")
        values = parse_numbers(raw, path=path, field=field).to_numpy(dtype="float64")
        if INSEE_QPV_INDICATORS[name][1]:
            bad = np.isfinite(values) & ((values < 0) | (values > 100))
            if bad.any():
                row = int(np.flatnonzero(bad)[0]) + 2
                raise InputError(
                    f"{path} : valeur {values[bad][0]:g} hors de 0–100 dans le champ {field} "
                    f"(ligne {row}) — attendu un pourcentage"
                )
            values = values / 100.0
        elif (np.isfinite(values) & (values < 0)).any():
            raise InputError(f"{path} : valeur négative dans le champ {field} — attendu ≥ 0")
        out[name] = values
    return out[out["code_qp"] != ""].reset_index(drop=True)
