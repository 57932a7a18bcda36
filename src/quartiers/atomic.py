"""Atomic outputs: build in a temporary sibling, swap it in with one rename.

Every command that writes a directory or a file uses :func:`output_dir` or
:func:`output_file`::

    with output_dir(out, force=force) as tmp:
        write_everything(tmp)          # an exception or Ctrl-C here changes nothing in ``out``

On success the temporary sibling replaces ``out`` in one step (``renameat2`` with
``RENAME_EXCHANGE`` on Linux, two renames elsewhere, Ctrl-C deferred meanwhile); the previous
output is removed only after the swap. On failure or interrupt the temporary sibling is
removed and the previous output is left exactly as it was:

- ``KeyboardInterrupt`` becomes :class:`InterruptError` (« Interrompu : rien n'a été modifié dans
  DOSSIER. », exit code 130);
- an :class:`OSError` becomes one French line naming the real path (never the temporary one)
  and its cause (:func:`quartiers.os_errors.translate`).

Temporary siblings are named ``.NAME.partiel-PID-XXXX``; those left by a killed process
(``kill -9``, power cut) are removed by the next run writing the same output.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

from quartiers.errors import InputError, QuartiersError
from quartiers.os_errors import translate, translate_write_failure

__all__ = [
    "INTERRUPTED_EXIT_CODE",
    "InterruptError",
    "check_output_dir",
    "deferred_interrupt",
    "output_dir",
    "output_file",
]

#: Exit code of an interrupted command (128 + SIGINT, the shell convention).
INTERRUPTED_EXIT_CODE = 130
_PARTIAL = ".partiel-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class InterruptError(QuartiersError):
    """The user pressed Ctrl-C (or the process got SIGTERM); ``target`` was left untouched."""

    exit_code = INTERRUPTED_EXIT_CODE

    def __init__(self, target: Path | None = None, *, completed: bool = False) -> None:
        if target is None:
            message = "Interrompu : rien n'a été modifié."
        elif completed:
            message = f"Interrompu : {target} a été entièrement écrit juste avant l'interruption."
        else:
            message = f"Interrompu : rien n'a été modifié dans {target}."
        super().__init__(message)
        self.target = target


def _protected_places() -> list[Path]:
    """Folders an output may never replace: the current folder (and above), home, root."""
    places = [Path.cwd().resolve(), Path.home().resolve(), Path("/")]
    return places


def check_output_dir(
    out: Path, *, force: bool, protect: Sequence[Path] = (), replace_label: str = "--force"
) -> None:
    """Refuse an output directory that cannot be (re)written; nothing is written here.

    Without ``force`` a non-empty directory is refused. With it, the whole directory is
    replaced, so it must not hold the current folder, the home folder, a git checkout or
    one of the ``protect`` paths (the inputs of the command).
    """
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} : ce chemin existe et n'est pas un dossier")
    _check_parent(out)
    if not (out.is_dir() and any(out.iterdir())):
        return
    if not force:
        raise InputError(
            f"{out} : le dossier de sortie existe et n'est pas vide "
            f"(ajoutez {replace_label} pour le remplacer)"
        )
    real = out.resolve()
    for place in [*_protected_places(), *(Path(p).resolve() for p in protect)]:
        if place == real or real in place.parents:
            raise InputError(
                f"{out} : --force remplacerait tout ce dossier, qui contient {place} ; "
                "choisissez un dossier de sortie dédié"
            )
    if (real / ".git").exists():
        raise InputError(
            f"{out} : --force remplacerait tout ce dossier, qui est un dépôt git ; "
            "choisissez un dossier de sortie dédié"
        )


def _check_parent(out: Path) -> None:
    """Check that the folder holding ``out`` exists and that the name fits (French errors)."""
    parent = out.absolute().parent
    for above in [parent, *parent.parents]:
        if above.exists() and not above.is_dir():
            raise InputError(f"{out} : {above} n'est pas un dossier")
        if above.exists():
            break
    limit = 255
    with contextlib.suppress(OSError, ValueError):
        existing = next(p for p in [parent, *parent.parents] if p.exists())
        limit = os.pathconf(existing, "PC_NAME_MAX")
    if len(os.fsencode(out.name)) > limit:
        raise InputError(f"{out} : nom de fichier trop long ({limit} octets au plus)")


# ------------------------------------------------------------------ interrupts


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[list[int]]:
    """Hold Ctrl-C (and SIGTERM) back during a short critical step.

    Yields the list of signals received meanwhile; the caller decides what to do with them
    (:func:`output_dir` reports an interrupt that came during the swap). Outside the main
    thread signals cannot be handled and the block runs as is.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def hold(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, hold) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


# ------------------------------------------------------------------ temporary siblings


def _sweep_stale(parent: Path, name: str) -> None:
    """Remove temporary siblings of ``name`` left by processes that no longer run."""
    prefix = f".{name[:100]}{_PARTIAL}"
    with contextlib.suppress(OSError):
        for entry in parent.iterdir():
            if not entry.name.startswith(prefix):
                continue
            pid_text = entry.name[len(prefix) :].split("-", 1)[0]
            if not pid_text.isdigit() or _alive(int(pid_text)):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _prefix(target: Path) -> str:
    return f".{target.name[:100]}{_PARTIAL}{os.getpid()}-"


def _remove(path: Path) -> None:
    with deferred_interrupt():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False when not available."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: file system without exchange
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def _swap_in(tmp: Path, target: Path) -> Path | None:
    """Put ``tmp`` at ``target``; return where the previous output now is (to remove)."""
    if not target.exists() and not target.is_symlink():
        os.rename(tmp, target)
        return None
    if _exchange(tmp, target):
        return tmp
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=_prefix(target)))
    old.rmdir()
    os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError:
        os.rename(old, target)
        raise
    return old


@contextlib.contextmanager
def _guard(target: Path, tmp: Path) -> Iterator[None]:
    """Turn an interrupt or an OS error inside the block into a French error; clean up."""
    try:
        yield
    except KeyboardInterrupt:
        _remove(tmp)
        raise InterruptError(target) from None
    except OSError as exc:
        _remove(tmp)
        raise translate(exc, written=(tmp, target)) from None
    except Exception as exc:
        french = translate_write_failure(exc, tmp, target)
        _remove(tmp)
        if french is None:
            raise
        raise french from None
    except BaseException:
        _remove(tmp)
        raise


def _resolve_target(target: Path) -> Path:
    """Follow a symbolic link at ``target`` so the swap replaces what it points to."""
    target = Path(target)
    return target.resolve() if target.is_symlink() else target.absolute()


@contextlib.contextmanager
def output_dir(
    target: Path, *, force: bool = False, protect: Sequence[Path] = ()
) -> Iterator[Path]:
    """Yield a temporary sibling folder of ``target``; swap it in when the block succeeds.

    Parameters
    ----------
    target
        Output folder. Refused when it exists, is not empty and ``force`` is false.
    force
        Replace an existing output folder (as a whole: files of the earlier run that the
        new one does not write disappear, so the folder never mixes two runs).
    protect
        Input paths the output may not contain (``--force`` never replaces its own inputs).

    Raises
    ------
    InterruptError
        Ctrl-C inside the block (``target`` untouched).
    InputError, quartiers.os_errors.WriteError
        A path problem (one French line naming the path and the cause).
    """
    shown = Path(target)
    check_output_dir(shown, force=force, protect=protect)
    real = _resolve_target(shown)
    _sweep_stale(real.parent, real.name)
    try:
        tmp = Path(tempfile.mkdtemp(dir=real.parent, prefix=_prefix(real)))
    except OSError as exc:
        raise translate(exc, written=(real.parent, shown)) from None
    with _guard(shown, tmp):
        tmp.chmod(0o777 & ~_umask())
        yield tmp
        with deferred_interrupt() as received:
            old = _swap_in(tmp, real)
            if old is not None:
                _remove(old)
        if received:
            raise InterruptError(shown, completed=True)


@contextlib.contextmanager
def output_file(target: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary sibling path of ``target`` (same suffix); rename it in on success.

    Raises like :func:`output_dir`; without ``force`` an existing file is refused.
    """
    shown = Path(target)
    if shown.is_dir():
        raise InputError(f"{shown} : ce chemin est un dossier (un fichier est attendu)")
    if shown.exists() and not force:
        raise InputError(f"{shown} : le fichier existe (ajoutez --force pour le remplacer)")
    _check_parent(shown)
    real = _resolve_target(shown)
    _sweep_stale(real.parent, real.name)
    try:
        handle, name = tempfile.mkstemp(
            dir=real.parent, prefix=_prefix(real), suffix="".join(real.suffixes[-1:])
        )
    except OSError as exc:
        raise translate(exc, written=(real.parent, shown)) from None
    os.close(handle)
    tmp = Path(name)
    with _guard(shown, tmp):
        tmp.chmod(0o666 & ~_umask())
        yield tmp
        with deferred_interrupt() as received:
            os.replace(tmp, real)
        if received:
            raise InterruptError(shown, completed=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
