"""The PCAET chapter as CSV for French Excel, and the writer of the whole export.

Two tables, in the spreadsheet format of the other exports (UTF-8 with BOM, ``;``, decimal
comma, CRLF, French headers): ``pcaet_vulnerabilite.csv`` (one row per unit, hazard and
indicator: exposure or sensitivity, the value, the rest of the commune and of the EPCI and
the gaps; plus the rows of each EPCI's rest outside the units) and ``pcaet_actions.csv``
(one row per action retained for a unit: means, public, partners, expected results, the
indicator to monitor and its baseline). Values are rounded to their meaning as the reports
print them (shares in % with one decimal, gaps between shares in points); the identifier
columns tie every row to ``qpv.csv`` (``code_qp`` and the indicator's column).
"""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path

import pandas as pd

from quartiers.actions.catalogue import Catalogue
from quartiers.actions.pcaet import build_pcaet
from quartiers.actions.pcaet_docx import pcaet_docx
from quartiers.actions.pcaet_model import HAZARDS, Measure, PcaetChapter
from quartiers.diagnostic import Diagnostic
from quartiers.outputs.formatting import unit_style

__all__ = [
    "ACTION_COLUMNS",
    "PCAET_FILES",
    "VULNERABILITY_COLUMNS",
    "actions_table",
    "csv_bytes",
    "vulnerability_table",
    "write_pcaet",
]

#: Files of ``quartiers export --pcaet``.
PCAET_FILES = ("chapitre_pcaet.docx", "pcaet_vulnerabilite.csv", "pcaet_actions.csv")

#: Headers of ``pcaet_vulnerabilite.csv``, in order.
VULNERABILITY_COLUMNS = (
    "Échelle",
    "Code",
    "Nom",
    "Commune",
    "Intercommunalité (SIREN)",
    "Aléa",
    "Composante",
    "Indicateur",
    "Colonne de qpv.csv",
    "Unité",
    "Valeur",
    "Reste de la commune",
    "Écart au reste de la commune",
    "Reste de l'intercommunalité",
    "Écart au reste de l'intercommunalité",
    "Unité de l'écart",
    "Remarque",
)

#: Headers of ``pcaet_actions.csv``, in order.
ACTION_COLUMNS = (
    "Code",
    "Nom",
    "Rang",
    "Action",
    "Identifiant de l'action",
    "Aléas traités",
    "Répond à",
    "Public concerné",
    "Habitants concernés",
    "Pilote",
    "Partenaires",
    "Quantité",
    "Investissement minimal (€ HT)",
    "Investissement maximal (€ HT)",
    "Fonctionnement minimal (€ HT par an)",
    "Fonctionnement maximal (€ HT par an)",
    "Délai de réalisation",
    "Résultats attendus",
    "Indicateur de suivi",
    "Colonne de qpv.csv suivie",
    "Situation de départ",
    "Co-bénéfices",
    "Financements",
    "Sources",
)


def _number(value: float, unit: str) -> str:
    """Return a value as French Excel reads it: scaled, rounded, decimal comma (or empty)."""
    if not math.isfinite(value):
        return ""
    style = unit_style(unit)
    scaled = round(value * style.scale, style.decimals)
    text = f"{scaled + 0.0:.{style.decimals}f}"  # + 0.0: no « -0,0 »
    return text.replace(".", ",")


def _measure_row(
    scale: str, code: str, name: str, commune: str, siren: str, m: Measure
) -> dict[str, object]:
    style = unit_style(m.unit)
    return {
        "Échelle": scale,
        "Code": code,
        "Nom": name,
        "Commune": commune,
        "Intercommunalité (SIREN)": siren,
        "Aléa": m.hazard_label,
        "Composante": m.component,
        "Indicateur": m.label,
        "Colonne de qpv.csv": m.indicator,
        "Unité": style.suffix,
        "Valeur": _number(m.value, m.unit),
        "Reste de la commune": _number(m.rest_commune, m.unit),
        "Écart au reste de la commune": _number(m.gap_commune, m.unit),
        "Reste de l'intercommunalité": _number(m.rest_epci, m.unit),
        "Écart au reste de l'intercommunalité": _number(m.gap_epci, m.unit),
        "Unité de l'écart": style.gap_suffix,
        "Remarque": m.note,
    }


def vulnerability_table(chapter: PcaetChapter) -> pd.DataFrame:
    """Return the exposure and sensitivity rows of every unit and every EPCI's rest."""
    rows = [
        _measure_row(chapter.unit_word, u.code, u.name, u.commune, u.siren_epci, m)
        for u in chapter.units
        for m in u.measures
    ]
    scale = f"reste de l'intercommunalité (hors {chapter.unit_plural})"
    rows += [
        _measure_row(scale, e.siren, e.name, "", e.siren, m) for e in chapter.epcis for m in e.rest
    ]
    return pd.DataFrame(rows, columns=list(VULNERABILITY_COLUMNS))


def _count(value: float) -> int | None:
    return round(value) if math.isfinite(value) else None


def actions_table(chapter: PcaetChapter) -> pd.DataFrame:
    """Return one row per action retained for a unit."""
    labels = {h.id: h.label for h in HAZARDS}
    rows = []
    for u in chapter.units:
        for a in u.actions:
            rows.append(
                {
                    "Code": u.code,
                    "Nom": u.name,
                    "Rang": a.rank,
                    "Action": a.title,
                    "Identifiant de l'action": a.id,
                    "Aléas traités": ", ".join(labels[h] for h in a.hazards),
                    "Répond à": a.answers,
                    "Public concerné": a.public,
                    "Habitants concernés": _count(a.residents),
                    "Pilote": a.pilot,
                    "Partenaires": ", ".join(a.partners),
                    "Quantité": a.quantity,
                    "Investissement minimal (€ HT)": round(a.invest_low),
                    "Investissement maximal (€ HT)": round(a.invest_high),
                    "Fonctionnement minimal (€ HT par an)": round(a.running_low),
                    "Fonctionnement maximal (€ HT par an)": round(a.running_high),
                    "Délai de réalisation": a.lead_time,
                    "Résultats attendus": a.expected,
                    "Indicateur de suivi": a.monitoring,
                    "Colonne de qpv.csv suivie": a.monitoring_indicator or "",
                    "Situation de départ": a.baseline_text,
                    "Co-bénéfices": ", ".join(a.co_benefits),
                    "Financements": " ; ".join(a.funding),
                    "Sources": " ; ".join(a.sources),
                }
            )
    return pd.DataFrame(rows, columns=list(ACTION_COLUMNS))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return a table as a CSV for French Excel (BOM, ``;``, decimal comma, CRLF)."""
    text = frame.to_csv(
        index=False, sep=";", decimal=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
    )
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def write_pcaet(
    diag: Diagnostic,
    out_dir: Path,
    *,
    catalogue: Catalogue | None = None,
    generated_on: date | None = None,
) -> dict[str, Path]:
    """Write the PCAET chapter (DOCX) and its two CSV tables into ``out_dir``.

    Returns
    -------
    dict
        File name (:data:`PCAET_FILES`) → path written.
    """
    chapter = build_pcaet(diag, catalogue, generated_on=generated_on)
    out_dir.mkdir(parents=True, exist_ok=True)
    docx, vulnerability, actions = (out_dir / name for name in PCAET_FILES)
    docx.write_bytes(pcaet_docx(chapter))
    vulnerability.write_bytes(csv_bytes(vulnerability_table(chapter)))
    actions.write_bytes(csv_bytes(actions_table(chapter)))
    return {path.name: path for path in (docx, vulnerability, actions)}
