"""``run.json`` as a typed :class:`RunRecord`: round trip, older files, refused files."""

from __future__ import annotations

import copy
import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from _synthetic import make_territory
from quartiers.diagnostic import Diagnostic, RunRecord, run_diagnostic
from quartiers.diagnostic.record import FORMAT, record_from_mapping
from quartiers.errors import InputError
from quartiers.schemas import HORIZONS

GOLDEN = Path(__file__).parent / "golden" / "data"

#: Sections added after the first v1 files: absent from a ``run.json`` written back then.
LATER_SECTIONS = (
    "uncertainty",
    "sensitivity",
    "hotspots",
    "coherence",
    "hazard",
    "like_with_like",
    "reference",
    "territories",
    "outputs",
    "allocation",
    "validation_insee",
    "validation_sante",
)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Diagnostic, Path]:
    diag = run_diagnostic(make_territory())
    out = tmp_path_factory.mktemp("record") / "out"
    diag.write(out)
    return diag, out


def _copy(written: tuple[Diagnostic, Path], tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(written[1], target)
    return target


def _rewrite(directory: Path, change: dict[str, Any], drop: tuple[str, ...] = ()) -> Path:
    path = directory / "run.json"
    run = json.loads(path.read_text(encoding="utf-8"))
    run.update(change)
    for key in drop:
        run.pop(key, None)
    path.write_text(json.dumps(run, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["demo", "la-roche-sur-yon"])
def test_golden_run_json_reads_typed_and_dumps_back_unchanged(name: str) -> None:
    raw = json.loads((GOLDEN / name / "run.json").read_text(encoding="utf-8"))
    record = record_from_mapping(raw)
    assert record.model_dump(mode="json", exclude_unset=True) == raw
    assert record.territory.code == raw["territory"]["code"]
    assert record.horizon.label == raw["horizon"]["label"]
    assert record.uncertainty.enabled and record.uncertainty.draws == raw["uncertainty"]["draws"]
    assert record.hotspots.hotspot_cells == raw["hotspots"]["hotspot_cells"]
    assert record.method.settings.population_floor == raw["method"]["settings"]["population_floor"]
    assert [s.source_id for s in record.sources] == [s["source_id"] for s in raw["sources"]]
    assert record.coverage[0].grid_share == raw["coverage"][0]["grid_share"]
    assert [t.code for t in record.territories] == [t["code"] for t in raw["territories"]]


def test_written_run_json_is_the_record_of_the_diagnostic(
    written: tuple[Diagnostic, Path],
) -> None:
    diag, out = written
    text = (out / "run.json").read_text(encoding="utf-8")
    on_disk = json.loads(text)
    loaded = Diagnostic.load(out).record
    assert loaded.model_dump(mode="json", exclude_unset=True) == on_disk
    assert set(loaded.outputs) == {p.name for p in out.iterdir()} - {"run.json"}
    in_memory = diag.record.model_dump(mode="json", exclude_unset=True)
    assert in_memory == {k: v for k, v in on_disk.items() if k != "outputs"}
    assert loaded.territory.code == "99001" and loaded.territory_label.endswith("(99001)")


def test_older_run_json_reads_with_later_sections_defaulted(
    written: tuple[Diagnostic, Path], tmp_path: Path
) -> None:
    from quartiers.commands._tables import robustness_table, summary_table
    from quartiers.report.reference import reference_key, reference_sentence

    directory = _copy(written, tmp_path)
    # an early v1 file: bare horizon id, none of the later sections, a key unknown today
    _rewrite(directory, {"horizon": "2050", "future_key": {"x": 1}}, drop=LATER_SECTIONS)
    diag = Diagnostic.load(directory)
    record = diag.record
    assert record.horizon.id == "2050" and record.horizon.label == HORIZONS["2050"]
    assert not record.uncertainty.enabled and not record.sensitivity.enabled
    assert not record.hotspots.enabled and record.territories == [] and record.outputs == {}
    assert record.reference.kind == "run" and reference_key(record) is None
    assert "« run »" in reference_sentence(record)
    assert record.model_extra == {"future_key": {"x": 1}}
    assert robustness_table(diag) is None
    assert str(summary_table(diag).title).endswith(HORIZONS["2050"])


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"format": "quartiers-diagnostic/0"}, "format", FORMAT),
        ({"territory": {"name": "Sans code"}}, "territory.code", "absent (champ obligatoire)"),
        ({"summary": {"qpv": "beaucoup"}}, "summary.qpv", "nombre entier attendu"),
        ({"sources": [{"vintage": "2021"}]}, "sources.0.source_id", "absent"),
    ],
)
def test_bad_run_json_is_refused_in_french_naming_file_and_field(
    written: tuple[Diagnostic, Path],
    tmp_path: Path,
    change: dict[str, Any],
    field: str,
    expected: str,
) -> None:
    directory = _copy(written, tmp_path)
    path = _rewrite(directory, change)
    with pytest.raises(InputError) as caught:
        Diagnostic.load(directory)
    message = str(caught.value)
    assert message.startswith(f"{path} : champ {field} : ")
    assert expected in message


def test_record_is_read_only() -> None:
    record = RunRecord.model_validate({"format": FORMAT, "territory": {"code": "85191"}})
    with pytest.raises(ValueError, match="frozen"):
        record.territory.code = "00000"  # type: ignore[misc]


def test_record_is_validated_once_per_object(
    written: tuple[Diagnostic, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from quartiers.diagnostic import result

    calls: list[int] = []

    def counted(data: Any, path: Path | str = "run.json") -> RunRecord:
        calls.append(1)
        return record_from_mapping(data, path)

    monkeypatch.setattr(result, "record_from_mapping", counted)
    diag = dataclasses.replace(written[0])  # a new object: nothing validated yet
    first = diag.record
    assert diag.record is first and diag.record is first
    assert len(calls) == 1
    assert first == record_from_mapping(diag.run)  # same record as a fresh validation
    renamed = copy.deepcopy(diag.run)
    renamed["territory"]["name"] = "Autre nom"
    other = dataclasses.replace(diag, run=renamed)  # another object: validated again
    assert other.record.territory.name == "Autre nom" and len(calls) == 2
    diag.run = renamed  # another dict on the same object: validated again
    assert diag.record.territory.name == "Autre nom" and len(calls) == 3
    broken = dataclasses.replace(diag, run={**renamed, "format": "autre/9"})
    for _ in range(2):  # a malformed dict is refused at every access, nothing kept
        with pytest.raises(InputError, match="champ format"):
            _ = broken.record
