"""Atomic outputs: the previous output survives any failure or interrupt (issue 15)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quartiers import atomic
from quartiers.atomic import InterruptError, check_output_dir, output_dir, output_file
from quartiers.cli import main
from quartiers.errors import InputError
from quartiers.os_errors import WriteError, translate


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if ".partiel-" in p.name]


def _good_output(tmp_path: Path) -> Path:
    out = tmp_path / "sortie"
    with output_dir(out) as tmp:
        (tmp / "run.json").write_text("{}", encoding="utf-8")
        (tmp / "a.csv").write_text("ancien", encoding="utf-8")
    return out


def test_success_replaces_the_whole_folder(tmp_path: Path) -> None:
    out = _good_output(tmp_path)
    with output_dir(out, force=True) as tmp:
        assert tmp.parent == out.parent and tmp != out
        (tmp / "run.json").write_text('{"n": 2}', encoding="utf-8")
    # a file of the earlier run that the new one does not write is gone: no mixed folder
    assert _tree(out) == {"run.json": b'{"n": 2}'}
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("failure", [RuntimeError("boom"), KeyboardInterrupt()])
def test_failure_keeps_the_previous_output(tmp_path: Path, failure: BaseException) -> None:
    out = _good_output(tmp_path)
    before = _tree(out)
    expected = InterruptError if isinstance(failure, KeyboardInterrupt) else RuntimeError
    with pytest.raises(expected) as caught, output_dir(out, force=True) as tmp:
        (tmp / "run.json").write_text("à moitié", encoding="utf-8")
        raise failure
    assert _tree(out) == before
    assert _leftovers(tmp_path) == []
    if expected is InterruptError:
        assert str(caught.value) == f"Interrompu : rien n'a été modifié dans {out}."
        assert caught.value.exit_code == 130


def test_os_error_names_the_output_not_the_temporary_folder(tmp_path: Path) -> None:
    out = _good_output(tmp_path)
    with pytest.raises(WriteError) as caught, output_dir(out, force=True) as tmp:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp / "cells.parquet"))
    assert str(caught.value).startswith(f"{out}/cells.parquet : disque plein")
    assert ".partiel-" not in str(caught.value)
    assert caught.value.exit_code == 3


def test_a_real_sigint_inside_the_block(tmp_path: Path) -> None:
    out = _good_output(tmp_path)
    with pytest.raises(InterruptError) as caught, output_dir(out, force=True) as tmp:
        (tmp / "run.json").write_text("nouveau", encoding="utf-8")
        os.kill(os.getpid(), signal.SIGINT)  # delivered now: raises here, before the swap
    assert "rien n'a été modifié" in str(caught.value)
    assert _tree(out)["run.json"] == b"{}"


def test_interrupt_during_the_swap_is_held_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _good_output(tmp_path)
    real_swap = atomic._swap_in

    def swap_with_ctrl_c(tmp: Path, target: Path) -> Path | None:
        os.kill(os.getpid(), signal.SIGINT)  # held back: the swap completes
        return real_swap(tmp, target)

    monkeypatch.setattr(atomic, "_swap_in", swap_with_ctrl_c)
    with pytest.raises(InterruptError) as caught, output_dir(out, force=True) as tmp:
        (tmp / "run.json").write_text("nouveau", encoding="utf-8")
    assert "entièrement écrit" in str(caught.value)
    assert _tree(out) == {"run.json": b"nouveau"}
    assert _leftovers(tmp_path) == []


def test_stale_temporary_siblings_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    stale = tmp_path / f".sortie.partiel-{dead}-abcd"
    stale.mkdir()
    (stale / "run.json").write_text("{}", encoding="utf-8")
    _good_output(tmp_path)
    assert not stale.exists()


def test_force_never_replaces_the_current_folder_or_an_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes.txt").write_text("à garder", encoding="utf-8")
    monkeypatch.chdir(tmp_path / ".")
    with pytest.raises(InputError, match="dossier de sortie dédié"):
        check_output_dir(tmp_path, force=True)
    inside = tmp_path / "entrees"
    inside.mkdir()
    monkeypatch.chdir(inside)
    with pytest.raises(InputError, match="dossier de sortie dédié"):
        check_output_dir(tmp_path, force=True, protect=[tmp_path / "notes.txt"])


def test_output_file_keeps_the_suffix_and_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "comparaison.html"
    target.write_text("ancien", encoding="utf-8")
    with pytest.raises(InputError, match="--force"), output_file(target):
        pass
    with pytest.raises(RuntimeError), output_file(target, force=True) as tmp:
        assert tmp.suffix == ".html"
        tmp.write_text("moitié", encoding="utf-8")
        raise RuntimeError
    assert target.read_text(encoding="utf-8") == "ancien"
    with output_file(target, force=True) as tmp:
        tmp.write_text("nouveau", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "nouveau"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("make", "cause"),
    [
        (lambda p: p / "fichier.txt" / "sortie", "n'est pas un dossier"),
        (lambda p: p / ("x" * 300), "nom de fichier trop long"),
    ],
)
def test_impossible_output_paths_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, cause: str
) -> None:
    (tmp_path / "fichier.txt").write_text("", encoding="utf-8")
    out = make(tmp_path)  # type: ignore[operator]
    assert main(["demo", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert cause in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_translate_classifies_reads_and_writes(tmp_path: Path) -> None:
    read = translate(OSError(errno.EACCES, "Permission denied", str(tmp_path / "qpv.geojson")))
    assert isinstance(read, InputError) and "permission refusée" in str(read)
    assert read.exit_code == 1
    full = translate(OSError(errno.EFBIG, "File too large", str(tmp_path / "x")))
    assert isinstance(full, WriteError) and "taille maximale" in str(full)


# ------------------------------------------------------------------ real commands


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from quartiers._entry import run; run()", *args]


@pytest.fixture(scope="module")
def export_dir(demo_run: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports") / "export"
    done = subprocess.run(
        _cli("export", str(demo_run.out_dir), "--out", str(out)),  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


def _sigint_after(cmd: list[str], parent: Path, delay: float) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``, send SIGINT ``delay`` s after its temporary output appears (-1: at once)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if delay >= 0:
        while not _leftovers(parent) and proc.poll() is None:
            time.sleep(0.01)
        time.sleep(delay)
    else:
        time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=600)
    return subprocess.CompletedProcess(cmd, proc.returncode, "", err)


@pytest.mark.parametrize("delay", [-1.0, 0.0, 0.5])
def test_ctrl_c_at_several_moments_leaves_the_export_intact(
    demo_run: object, export_dir: Path, delay: float
) -> None:
    before = _tree(export_dir)
    cmd = _cli("export", str(demo_run.out_dir), "--out", str(export_dir), "--force")  # type: ignore[attr-defined]
    done = _sigint_after(cmd, export_dir.parent, delay)
    if done.returncode == 0:
        # Finished before the interrupt (a fast machine): the new export replaced the old one
        # whole, the same files from the same diagnostic, and nothing is left behind.
        assert _tree(export_dir) == before
        assert _leftovers(export_dir.parent) == []
        return
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    expected = f"Interrompu : rien n'a été modifié dans {export_dir}."
    assert lines[-1] in (expected, "Interrompu : rien n'a été modifié.")
    if delay >= 0:
        assert lines[-1] == expected
    assert _tree(export_dir) == before
    assert _leftovers(export_dir.parent) == []


def _limit_file_size(size: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_file_size_limit_gives_one_french_line_and_keeps_the_export(
    demo_run: object, export_dir: Path
) -> None:
    before = _tree(export_dir)
    done = subprocess.run(
        _cli("export", str(demo_run.out_dir), "--out", str(export_dir), "--force"),  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: _limit_file_size(300_000),
    )
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Erreur : {export_dir} : ")
    assert "taille" in last and "rien n'a été modifié" in last
    assert _tree(export_dir) == before
    assert _leftovers(export_dir.parent) == []


def test_every_exit_code_is_documented() -> None:
    from quartiers.errors import QuartiersError, SourceError

    doc = (Path(__file__).resolve().parents[1] / "docs" / "erreurs.md").read_text("utf-8")
    codes = {0, QuartiersError.exit_code, SourceError.exit_code}
    codes |= {WriteError.exit_code, InterruptError.exit_code}
    for code in sorted(codes):
        assert f"\n| {code} |" in doc, code
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    assert "docs/erreurs.md" in readme
