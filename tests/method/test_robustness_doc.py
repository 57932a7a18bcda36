"""The worked example of docs/method.md (« Solidité des rangs ») is what the code produces.

The block between the markers is rendered from the demo run; to refresh it after a change of
the demo or of the method, run
``QUARTIERS_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/method/test_robustness_doc.py``.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from quartiers.demo.pipeline import DemoRun
from quartiers.diagnostic import Diagnostic
from quartiers.method.choices import Hotspots, Uncertainty
from quartiers.method.variants import GROUPS

DOC = Path(__file__).resolve().parents[2] / "docs" / "method.md"
START = "<!-- exemple-robustesse:début (généré, voir tests/method/test_robustness_doc.py) -->"
END = "<!-- exemple-robustesse:fin -->"


def _num(x: float, digits: int = 0) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def _pct(x: float) -> str:
    return _num(100 * x, 1) + " %"


def _nth(rank: int) -> str:
    return "1er" if rank == 1 else f"{rank}e"


def render_example(diag: Diagnostic) -> str:
    """Return the worked example, in French, from a diagnostic of the demo territory."""
    run = diag.run
    unc = run["uncertainty"]
    sens = run["sensitivity"]
    hot = run["hotspots"]
    q = diag.qpv_table()
    q = q.assign(_r=q["rank"].astype("Float64")).sort_values(["_r", "code_qp"])
    few = bool(unc["few_ranked"])
    lines = [
        f"Méthode par défaut, {unc['draws']} tirages, graine {unc['settings']['seed']} "
        f"(`quartiers demo`, horizon {run['horizon']['label']}).",
        "",
    ]
    if few:
        lines += [
            f"{unc['ranked_qpv']} QPV classés (moins de 5) : la part des habitants vivant dans "
            "des carreaux du quintile le plus vulnérable remplace l'intervalle de rang.",
            "",
            "| QPV | rang de la méthode | quintile | habitants dans des carreaux du quintile 5 "
            "(5 %–95 %) | probabilité d'être dans le quintile le plus vulnérable (erreur type) "
            "| robuste | choix qui pèse le plus |",
            "|---|---|---|---|---|---|---|",
        ]
    else:
        lines += [
            "| QPV | rang de la méthode | quintile | rang médian | rang (5 %–95 %) "
            "| probabilité d'être dans le quintile le plus vulnérable (erreur type) | robuste "
            "| choix qui pèse le plus |",
            "|---|---|---|---|---|---|---|---|",
        ]
    for row in q.itertuples():
        p_top = f"{_pct(row.p_top_quintile)} (± {_pct(row.p_top_quintile_se)})"
        robust = "oui" if row.robust_top_quintile else "non"
        if few:
            share = (
                f"{_pct(row.share_residents_top_quintile_cells)} "
                f"({_pct(row.share_residents_top_quintile_cells_low)} – "
                f"{_pct(row.share_residents_top_quintile_cells_high)})"
            )
            lines.append(
                f"| {row.lib_qp} ({row.code_qp}) | {row.rank} | {row.quintile} | {share} "
                f"| {p_top} | {robust} | {row.main_driver} |"
            )
        else:
            lines.append(
                f"| {row.lib_qp} ({row.code_qp}) | {row.rank} | {row.quintile} "
                f"| {row.rank_median} | {row.rank_low} – {row.rank_high} | {p_top} "
                f"| {robust} | {row.main_driver} |"
            )
    groups = list(sens["groups"])
    lines += [
        "",
        f"Indices de Sobol totaux (N = {sens['samples']}, {sens['evaluations']} variantes "
        "évaluées ; la marge d'estimation à 95 % de chaque indice est dans `run.json`) :",
        "",
        "| QPV | " + " | ".join(GROUPS[g] for g in groups) + " |",
        "|---|" + "---|" * len(groups),
    ]
    for row in q.itertuples():
        values = [getattr(row, f"sobol_total_{g}") for g in groups]
        cells = [_num(v, 2) if math.isfinite(v) else "" for v in values]
        lines.append(f"| {row.lib_qp} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Points chauds : {hot['tested_cells']} carreaux testés ({hot['permutations']} "
        f"permutations, taux de fausses découvertes {_pct(hot['fdr'])}), "
        f"{hot['hotspot_cells']} carreaux chauds en {hot['clusters']} agrégat(s) ; il faut "
        f"au moins {hot['min_significant_cells']} carreaux significatifs pour qu'un seul le "
        "soit. Part de la surface carroyée de chaque QPV en point chaud : "
        + " ; ".join(f"{r.lib_qp} {_pct(r.hotspot_cell_share)}" for r in q.itertuples())
        + ".",
        "",
        "Lecture :",
        "",
    ]
    for row in q.itertuples():
        where = (
            f"{_pct(row.share_residents_top_quintile_cells)} de ses habitants vivent dans des "
            "carreaux du quintile le plus vulnérable (entre "
            f"{_pct(row.share_residents_top_quintile_cells_low)} et "
            f"{_pct(row.share_residents_top_quintile_cells_high)} selon les variantes)"
            if few
            else f"dans 90 % des variantes, il est classé entre {_nth(row.rank_low)} et "
            f"{_nth(row.rank_high)}"
        )
        lines.append(
            f"- « {row.lib_qp} » est classé {_nth(row.rank)} par la méthode (quintile "
            f"{row.quintile}) ; {where} ; il tombe dans le quintile le plus vulnérable dans "
            f"{_pct(row.p_top_quintile)} des variantes (erreur type "
            f"{_pct(row.p_top_quintile_se)}), "
            + (
                "il y est donc **robustement**."
                if row.robust_top_quintile
                else "ce n'est donc pas acquis quels que soient les choix de méthode ; celui "
                f"qui pèse le plus : « {row.main_driver} »."
            )
        )
    return "\n".join(lines)


def test_worked_example_matches_the_demo(demo_run: DemoRun) -> None:
    text = DOC.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r"\n(.*?)" + re.escape(END), re.S)
    found = pattern.search(text)
    assert found, f"{DOC} : bloc de l'exemple introuvable ({START})"
    rendered = render_example(demo_run.diagnostic) + "\n"
    if os.environ.get("QUARTIERS_UPDATE_DOCS") == "1":
        DOC.write_text(text[: found.start(1)] + rendered + text[found.end(1) :], encoding="utf-8")
        text = DOC.read_text(encoding="utf-8")
        found = pattern.search(text)
        assert found
    assert found.group(1) == rendered, (
        "l'exemple de docs/method.md n'est plus celui que produit le code : "
        "QUARTIERS_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/method/test_robustness_doc.py"
    )


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in [*Uncertainty.model_fields, *Hotspots.model_fields]:
        assert f"`{name}`" in text, name
    for col in (
        "rank_median",
        "rank_low",
        "rank_high",
        "p_top_quintile",
        "p_top_quintile_se",
        "robust_top_quintile",
        "share_residents_top_quintile_cells",
        "main_driver",
        "hotspot_cell_share",
        "hotspot_population_share",
    ):
        assert f"`{col}`" in text, col
