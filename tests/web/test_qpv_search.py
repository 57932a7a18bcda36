"""The QPV list searchable by name, commune or code, accents ignored (issue 16, point 4)."""

from __future__ import annotations

from html import unescape

from fastapi.testclient import TestClient

from quartiers.web.qpv_list import listing, matches

DEMO = "200000001"


def test_matches_ignores_accents_case_and_word_order() -> None:
    key = " le plateau fictif qn00001a ville temoin 00001 "
    for query in ("Ville-Témoin", "TEMOIN plateau", "qn0000", "00001", "  pla  "):
        assert matches(key, query), query
    for query in ("centre", "ateau", "plateau x"):
        assert not matches(key, query), query


def test_api_lists_the_qpv_matching_a_search(client: TestClient) -> None:
    everything = client.get(f"/api/territories/{DEMO}/qpv").json()
    assert everything["total"] == 2
    found = client.get(f"/api/territories/{DEMO}/qpv", params={"q": "centre ANCIEN"}).json()
    assert [q["code_qp"] for q in found["items"]] == ["QN00001B"] and found["total"] == 1
    by_commune = client.get(f"/api/territories/{DEMO}/qpv", params={"q": "ville temoin"})
    assert by_commune.json()["total"] == 2
    by_code = client.get("/api/qpv", params={"q": "qn00001a"}).json()
    assert [q["code_qp"] for q in by_code["items"]] == ["QN00001A"]
    assert client.get("/api/qpv", params={"q": "introuvable"}).json()["total"] == 0


def test_page_search_keeps_the_choice_and_says_how_many(client: TestClient) -> None:
    html = unescape(
        client.get(
            f"/territoires/{DEMO}", params={"recherche": "plateau", "indicateur": "index"}
        ).text
    )
    table = html[html.index('id="tableau-qpv"') :]
    table = table[: table.index("</table>")]
    assert 'data-code="QN00001A"' in table and 'data-code="QN00001B"' not in table
    assert "1 QPV sur 2 pour « plateau »" in html
    assert 'name="recherche" value="plateau"' in html
    # the sort links keep the search
    assert "recherche=plateau&tri=" in html


def test_listing_pages_and_keeps_unranked_apart() -> None:
    ranked = [{"code_qp": f"Q{i:03d}"} for i in range(120)]
    apart = [{"code_qp": "X1"}]
    keys = {r["code_qp"]: f" {r['code_qp'].lower()} " for r in [*ranked, *apart]}
    page = listing(ranked, apart, keys, query=None, page=3)
    assert (page.page, page.pages, page.first, page.last) == (3, 3, 101, 120)
    assert page.matched == page.total == 121 and page.apart == apart
    assert len(page.brief) == 10
    assert listing(ranked, apart, keys, query=None, page=99).page == 3
    found = listing(ranked, apart, keys, query="q01", page=None)
    assert [r["code_qp"] for r in found.rows] == [f"Q01{i}" for i in range(10)]
    assert found.apart == [] and found.matched == 10
