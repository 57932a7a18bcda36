from __future__ import annotations

import threading

import pytest
from shapely.geometry import box

from quartiers.errors import FieldError, ForbiddenError, NotFoundError
from quartiers.participation.models import Contact, Contribution
from quartiers.participation.schemas import ContributionCreate, ContributionUpdate
from quartiers.participation.store import ContributionStore
from quartiers.participation.territories import Territory
from quartiers.participation.vocab import Category, Status

from .helpers import IN_ANGERS, INSIDE_QPV, OUTSIDE_QPV, cheap_passwords


def new(**overrides: object) -> ContributionCreate:
    data: dict[str, object] = {
        "territory": "85191",
        "lon": INSIDE_QPV[0],
        "lat": INSIDE_QPV[1],
        "category": "trop_chaud",
        "text": "Pas un arbre sur la place.",
    }
    data.update(overrides)
    return ContributionCreate.model_validate(data)


def test_point_in_qpv_gets_its_code(store: ContributionStore) -> None:
    receipt = store.create(new())
    assert receipt.status is Status.PENDING
    assert (receipt.code_qp, receipt.located_by) == ("QN08503I", "point")
    outside = store.create(new(lon=OUTSIDE_QPV[0], lat=OUTSIDE_QPV[1]))
    assert outside.code_qp is None


def test_code_qp_only_goes_to_representative_point(store: ContributionStore) -> None:
    receipt = store.create(new(lon=None, lat=None, code_qp="QN08501I"))
    assert receipt.located_by == "qpv"
    assert store.territory("85191").qpv_at(receipt.lon, receipt.lat) == "QN08501I"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"territory": "75056"}, "territory", "inconnu"),
        ({"lon": 2.35, "lat": 48.85}, "lon", "en dehors du territoire 85191"),
        ({"code_qp": "QN04901M"}, "code_qp", "n'est pas dans le territoire 85191"),
        (
            {"territory": "29232", "lon": None, "lat": None, "code_qp": "QN02902M"},
            "code_qp",
            "un point",
        ),
    ],
)
def test_placement_errors_are_french_and_name_the_field(
    store: ContributionStore, overrides: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(FieldError, match=message) as caught:
        store.create(new(**overrides))
    assert caught.value.field == field
    assert store.counts(scope=None)[Status.PENDING] == 0


def test_only_published_contributions_are_public(store: ContributionStore) -> None:
    first = store.create(new(email="habitant@exemple.fr"))
    second = store.create(new(category="frais", text="Le parc est frais le soir."))
    assert store.list_public().total == 0
    with pytest.raises(NotFoundError):
        store.get_public(first.id)
    store.moderate(first.id, Status.PUBLISHED, actor="alice", scope=None)
    store.moderate(second.id, Status.REJECTED, actor="alice", scope=None, note="hors sujet")
    page = store.list_public()
    assert [item.id for item in page.items] == [first.id] and page.total == 1
    public = store.get_public(first.id)
    assert "habitant" not in public.model_dump_json()
    assert public.created_on is not None and not hasattr(public, "email")
    # Published, then withdrawn: public no more.
    store.moderate(first.id, Status.REJECTED, actor="alice", scope=None)
    assert store.list_public().total == 0


def test_email_is_stored_apart(store: ContributionStore) -> None:
    receipt = store.create(new(email="Suivi@Exemple.FR"))
    with store.db.reading() as session:
        assert session.get(Contact, receipt.id).email == "Suivi@exemple.fr"  # type: ignore[union-attr]
        row = session.get(Contribution, receipt.id)
        assert row is not None and "exemple" not in repr(vars(row))
    view = store.get_for_moderation(receipt.id, scope=None)
    assert view.has_contact and "exemple" not in view.model_dump_json()


def test_filters_and_pagination(store: ContributionStore) -> None:
    ids = [store.create(new(text=f"Remarque numéro {i}")).id for i in range(7)]
    ids.append(store.create(new(territory="49007", lon=IN_ANGERS[0], lat=IN_ANGERS[1])).id)
    ids.append(store.create(new(category="besoin", lon=OUTSIDE_QPV[0], lat=OUTSIDE_QPV[1])).id)
    for contribution_id in ids:
        store.moderate(contribution_id, Status.PUBLISHED, actor="a", scope=None)
    assert store.list_public(territory="49007").total == 1
    assert store.list_public(code_qp="QN08503I").total == 7
    assert [i.id for i in store.list_public(category=Category.BESOIN).items] == [ids[-1]]
    assert store.list_public(bbox=(-1.5, 46.6, -1.45, 46.65)).total == 1
    pages = [store.list_public(limit=3, offset=k).items for k in (0, 3, 6)]
    assert [i.id for page in pages for i in page] == ids
    summary = store.summary_by_qpv("85191")
    assert summary == {"QN08503I": {Category.TROP_CHAUD: 7}, None: {Category.BESOIN: 1}}


def test_moderation_history_audit_and_scope(store: ContributionStore) -> None:
    roche = store.create(new()).id
    angers = store.create(new(territory="49007", lon=IN_ANGERS[0], lat=IN_ANGERS[1])).id
    scope = frozenset({"85191"})
    with pytest.raises(ForbiddenError, match="49007"):
        store.moderate(angers, Status.PUBLISHED, actor="bob", scope=scope)
    assert store.get_for_moderation(angers, scope=None).status is Status.PENDING
    with pytest.raises(ForbiddenError):
        store.get_for_moderation(angers, scope=scope)
    assert [i.id for i in store.list_for_moderation(scope=scope).items] == [roche]
    view = store.moderate(roche, Status.PUBLISHED, actor="bob", scope=scope, note="vu")
    again = store.moderate(roche, Status.PUBLISHED, actor="bob", scope=scope)
    assert len(view.history) == len(again.history) == 1  # idempotent
    event = view.history[0]
    assert (event.actor, event.action, event.from_status, event.to_status, event.note) == (
        "bob", "publish", Status.PENDING, Status.PUBLISHED, "vu",
    )  # fmt: skip
    with pytest.raises(FieldError):
        store.moderate(roche, Status.PENDING, actor="bob", scope=scope)
    with pytest.raises(NotFoundError):
        store.moderate(99_999, Status.PUBLISHED, actor="bob", scope=None)
    assert store.counts(scope=scope) == {Status.PENDING: 0, Status.PUBLISHED: 1, Status.REJECTED: 0}
    assert store.territories_in_use(scope=None) == ["49007", "85191"]


def test_update_keeps_previous_values(store: ContributionStore) -> None:
    cid = store.create(new(text="Texte avec un nom : M. Dupont")).id
    view = store.update(
        cid,
        ContributionUpdate(
            text="Texte avec un nom : [retiré]", category=Category.BESOIN, note="RGPD"
        ),
        actor="alice",
        scope=None,
    )
    assert view.text.endswith("[retiré]") and view.category is Category.BESOIN
    assert view.history[-1].details == {
        "previous": {"text": "Texte avec un nom : M. Dupont", "category": "trop_chaud"}
    }
    with pytest.raises(FieldError, match="QN04901M"):
        store.update(cid, ContributionUpdate(code_qp="QN04901M"), actor="a", scope=None)


def test_workshop_batch_is_all_or_nothing(store: ContributionStore) -> None:
    good, bad = new(), new(lon=2.35, lat=48.85)
    with pytest.raises(FieldError):
        store.create_many([good, bad], source="workshop", actor="cli")
    assert sum(store.counts(scope=None).values()) == 0
    ids = store.create_many([good, good], source="workshop", actor="cli", label="atelier.csv")
    assert len(ids) == 2 and store.get_for_moderation(ids[0], scope=None).source == "workshop"


def test_concurrent_submissions_are_all_kept(store: ContributionStore) -> None:
    ids: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        try:
            for i in range(10):
                receipt = store.create(new(text=f"fil {k} note {i}"))
                with lock:
                    ids.append(receipt.id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(ids)) == 80 and store.counts(scope=None)[Status.PENDING] == 80


def test_zone_codes_of_a_zones_diagnostic_are_accepted(db_url: str) -> None:
    """Issue 21: with --zones, the territory's units are zones; their ids are the codes."""
    long_id = "quartier_de_la_gare_et_des_halles_2026"  # 39 characters: the column holds 40
    zones = Territory(
        code="85191",
        area=box(-1.50, 46.62, -1.36, 46.72),
        qpv={"LRY-NORD": box(-1.44, 46.66, -1.42, 46.68), long_id: box(-1.40, 46.68, -1.38, 46.70)},
    )
    opened = ContributionStore.open(db_url, {"85191": zones}, passwords=cheap_passwords())
    try:
        inside = opened.create(new(code_qp=None))  # a point in the zone gets its id
        assert inside.code_qp == "LRY-NORD"
        placed = opened.create(new(lon=None, lat=None, code_qp=long_id))
        assert placed.code_qp == long_id and placed.located_by == "qpv"
        with pytest.raises(FieldError, match="ni QPV ni zone du diagnostic"):
            opened.create(new(code_qp="QN08503I"))
        with opened.db.reading() as session:
            stored = {c.code_qp for c in session.query(Contribution).all()}
        assert stored == {"LRY-NORD", long_id}
    finally:
        opened.close()
