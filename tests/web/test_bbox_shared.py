"""One bbox reader: the site's routes and the OGC API read the numbers the same way, each
answering with its documented status and format (site 400 ``detail``, OGC 400 ``code``)."""

from __future__ import annotations

import pytest

from quartiers.spatial.bbox import BBoxError, bbox_numbers, parse_bbox
from quartiers.web.ogc_layers import CRS84
from quartiers.web.ogc_query import OgcError, parse_ogc_bbox


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "1,2,3,nan", "1,2,3,4,5", ""])
def test_the_ogc_api_refuses_what_the_shared_reader_refuses(text: str) -> None:
    with pytest.raises(BBoxError) as shared:
        bbox_numbers(text, (4, 6), "4 ou 6 nombres séparés par des virgules")
    with pytest.raises(OgcError) as ogc:
        parse_ogc_bbox(text, CRS84)
    assert (ogc.value.status, ogc.value.code) == (400, "InvalidParameterValue")
    assert ogc.value.description == str(shared.value)
    with pytest.raises(BBoxError, match="quatre nombres"):
        parse_bbox(text)
    assert BBoxError.http_status == 400


def test_same_numbers_on_both() -> None:
    text = "-1.45,46.65,-1.40,46.70"
    assert parse_ogc_bbox(text, CRS84) == parse_bbox(text)
    # the OGC API also takes 6 numbers (heights dropped); the site's routes take 4
    assert parse_ogc_bbox("-1.45,46.65,0,-1.40,46.70,10", CRS84) == parse_bbox(text)
    with pytest.raises(BBoxError):
        parse_bbox("-1.45,46.65,0,-1.40,46.70,10")
