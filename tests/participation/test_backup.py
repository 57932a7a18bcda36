from __future__ import annotations

import gzip
import json
import stat
from pathlib import Path

import pytest

from quartiers.errors import InputError
from quartiers.participation.backup import read_backup, restore, write_backup
from quartiers.participation.schemas import ContributionCreate
from quartiers.participation.store import ContributionStore
from quartiers.participation.vocab import Status

from .helpers import PASSWORD, TERRITORIES, add_moderator, cheap_passwords


def _fill(store: ContributionStore) -> list[int]:
    add_moderator(store, "alice", ["85191"], role="admin")
    ids = []
    for i in range(5):
        data = ContributionCreate(
            territory="85191", lon=-1.43, lat=46.67, category="frais",
            text=f"Remarque {i} — « accents » et émojis 🌳", email="a@b.fr" if i == 0 else None,
        )  # fmt: skip
        ids.append(store.create(data).id)
    store.moderate(ids[0], Status.PUBLISHED, actor="alice", scope=None, note="ok")
    store.moderate(ids[1], Status.REJECTED, actor="alice", scope=None)
    return ids


@pytest.mark.parametrize("name", ["sauvegarde.json", "sauvegarde.json.gz"])
def test_backup_restore_round_trip(store: ContributionStore, tmp_path: Path, name: str) -> None:
    """Back up each engine and restore into a fresh SQLite file."""
    ids = _fill(store)
    path = tmp_path / name
    counts = write_backup(store.db, path)
    assert counts["contributions"] == 5 and counts["moderators"] == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    if name.endswith(".gz"):
        json.loads(gzip.decompress(path.read_bytes()))
    target = ContributionStore.open(
        f"sqlite:///{tmp_path / 'restored.sqlite3'}", TERRITORIES, passwords=cheap_passwords()
    )
    try:
        restored = restore(target.db, path)
        assert restored == counts
        assert target.counts(scope=None) == store.counts(scope=None)
        assert target.get_public(ids[0]) == store.get_public(ids[0])
        view = target.get_for_moderation(ids[0], scope=None)
        assert view.has_contact and view.history[0].note == "ok"
        # Accounts and ids survive: the moderator logs in, new ids follow the old ones.
        assert target.accounts.authenticate("alice", PASSWORD, client=None) is not None
        new = target.create(
            ContributionCreate(territory="85191", code_qp="QN08503I", category="idee", text="Après")
        )
        assert new.id == max(ids) + 1
    finally:
        target.close()


def test_restore_from_sqlite_into_this_engine(store: ContributionStore, tmp_path: Path) -> None:
    source = ContributionStore.open(
        f"sqlite:///{tmp_path / 'source.sqlite3'}", TERRITORIES, passwords=cheap_passwords()
    )
    try:
        ids = _fill(source)
        write_backup(source.db, tmp_path / "b.json")
    finally:
        source.close()
    restore(store.db, tmp_path / "b.json")
    assert store.counts(scope=None) == {Status.PENDING: 3, Status.PUBLISHED: 1, Status.REJECTED: 1}
    new = store.create(
        ContributionCreate(territory="85191", code_qp="QN08503I", category="idee", text="Suite")
    )
    assert new.id == max(ids) + 1  # PostgreSQL sequences were moved past the restored ids


def test_restore_refuses_a_used_store_unless_forced(
    store: ContributionStore, tmp_path: Path
) -> None:
    _fill(store)
    path = tmp_path / "b.json"
    write_backup(store.db, path)
    with pytest.raises(InputError, match="--force"):
        restore(store.db, path)
    store.create(
        ContributionCreate(territory="85191", code_qp="QN08503I", category="idee", text="En trop")
    )
    restore(store.db, path, force=True)
    assert sum(store.counts(scope=None).values()) == 5


def test_bad_backup_files(tmp_path: Path, store: ContributionStore) -> None:
    (tmp_path / "x.json").write_text('{"format": "autre"}', encoding="utf-8")
    with pytest.raises(InputError, match="pas une sauvegarde"):
        read_backup(tmp_path / "x.json")
    (tmp_path / "y.json").write_bytes(b"\x1f\x8bpas du gzip")
    with pytest.raises(InputError, match="illisible"):
        read_backup(tmp_path / "y.json")
    with pytest.raises(InputError, match="introuvable"):
        read_backup(tmp_path / "absent.json")
    document = {"format": "quartiers-contributions", "version": 1, "revision": "9999", "tables": {}}
    (tmp_path / "z.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InputError, match="schéma 9999"):
        restore(store.db, tmp_path / "z.json")
