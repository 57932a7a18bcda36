"""``run.json`` text written faster (issue 16): the same bytes as ``json.dumps(indent=2)``."""

from __future__ import annotations

import json
from enum import IntEnum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiers.diagnostic._json_indent import dumps_indented, indented_members, indented_object


class _Level(IntEnum):
    LOW = 1


def _reference(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False)


_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
)
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
        st.dictionaries(st.integers(), inner, max_size=2),
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_same_text_as_json(obj: Any) -> None:
    assert dumps_indented(obj) == _reference(obj)


@pytest.mark.parametrize(
    "obj",
    [
        {},
        [],
        {"a": {}, "b": [], "c": [{}], "d": [[1, 2], {"x": None}]},
        {'é\n"': "ligne\nsuivante \u202f", "n": _Level.LOW, "t": (1, "2")},
        [{"insee_com": "85191", "value": 11.06, "low": None, "ok": True}] * 3,
    ],
)
def test_edge_cases(obj: Any) -> None:
    assert dumps_indented(obj) == _reference(obj)


def test_nan_refused_as_json_does() -> None:
    with pytest.raises(ValueError):
        dumps_indented({"a": [float("nan")]})


def test_recorded_run_files() -> None:
    """The recorded ``run.json`` of the golden runs are written again to the same text."""
    paths = sorted(Path(__file__).parent.glob("golden/**/run.json"))
    assert paths
    for path in paths:
        run = json.loads(path.read_text(encoding="utf-8"))
        assert dumps_indented(run) == _reference(run)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=4), _JSON, min_size=1, max_size=5), _JSON)
def test_members_joined_later_give_the_whole_object(head: dict[str, Any], last: Any) -> None:
    """``run.json`` encoded while the files are written, its ``outputs`` appended after."""
    whole = {**{k: v for k, v in head.items() if k != "outputs"}, "outputs": last}
    rest = {k: v for k, v in whole.items() if k != "outputs"}
    members = [*indented_members(rest), *indented_members({"outputs": last})]
    assert indented_object(members) == _reference(whole)
