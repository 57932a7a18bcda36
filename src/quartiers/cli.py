"""Command-line entry point ``quartiers`` (typer + rich); the only place that configures logging.

Messages are French. Exit codes (docs/erreurs.md): 0 success, 1 bad input, 2 source
unavailable, 3 output cannot be written, 130 interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

try:  # typer ≥ 0.20 vendors click; its exceptions are the ones raised
    from typer._click import exceptions as click
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click  # type: ignore[no-redef]

from quartiers.atomic import InterruptError, check_output_dir
from quartiers.errors import InputError, QuartiersError
from quartiers.library_fr import arrow_detail, gdal_detail
from quartiers.os_errors import library_of, translate, translate_library_error
from quartiers.version import __version__

__all__ = ["app", "check_output_dir", "main"]

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="quartiers",
    help="Quartiers en transition : vulnérabilité des QPV aux vagues de chaleur.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class RichProgress:
    """Progress bars drawn by rich on stderr (implements :class:`quartiers.progress.Progress`)."""

    def __init__(self) -> None:
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=False,
        )
        self._task: object | None = None
        self._started = False

    def start(self, label: str, total: float | None = None) -> None:
        """Start a bar for one step."""
        if not self._started:
            self._bar.start()
            self._started = True
        self._task = self._bar.add_task(label, total=total)

    def advance(self, amount: float = 1.0) -> None:
        """Advance the current bar."""
        if self._task is not None:
            self._bar.advance(self._task, amount)  # type: ignore[arg-type]

    def finish(self) -> None:
        """Complete the current bar."""
        if self._task is not None:
            task = self._task
            total = self._bar.tasks[-1].total
            if total is None:  # an open-ended step: show it as done
                self._bar.update(task, total=1, completed=1)  # type: ignore[arg-type]
            else:
                self._bar.update(task, completed=total)  # type: ignore[arg-type]
            self._task = None

    def close(self) -> None:
        """Stop drawing."""
        if self._started:
            self._bar.stop()
            self._started = False


def _version(value: bool) -> None:
    if value:
        console.print(f"quartiers {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Afficher le journal détaillé.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Afficher la version et quitter."
        ),
    ] = False,
) -> None:
    """Quartiers en transition : diagnostic de vulnérabilité des QPV aux vagues de chaleur."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s : %(message)s",
        stream=sys.stderr,
    )


def _french_usage(exc: click.ClickException) -> str:
    """Turn click's English usage errors into one French line."""
    if isinstance(exc, click.NoSuchOption):
        return f"option inconnue : {exc.option_name}"
    if isinstance(exc, click.BadParameter):
        name = exc.param_hint or (exc.param.name if exc.param else "?")
        return f"valeur invalide pour {name} : {exc.message}"
    if isinstance(exc, click.MissingParameter):
        name = exc.param_hint or (exc.param.name if exc.param else "?")
        return f"paramètre obligatoire manquant : {name}"
    if isinstance(exc, click.NoArgsIsHelpError):
        return "aucune commande donnée"
    if isinstance(exc, click.UsageError):
        msg = exc.format_message()
        if msg.startswith("No such command"):
            return "commande inconnue : " + msg.split("'")[1] if "'" in msg else msg
        if msg.startswith("Got unexpected extra argument"):
            return "argument en trop : " + msg.split("(")[-1].rstrip(")")
        return f"utilisation incorrecte : {msg}"
    return exc.format_message()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (used by the console script)."""
    # Import the command modules so they register on ``app``; French help words.
    from quartiers import _cli_french, commands  # noqa: F401

    _cli_french.install()

    previous = _terminate_as_interrupt()
    try:
        return _run(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminate_as_interrupt() -> signal.Handlers | None:
    """Treat SIGTERM like Ctrl-C so that atomic outputs clean up (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    return previous if isinstance(previous, signal.Handlers) else signal.SIG_DFL


def _say(exc: QuartiersError) -> int:
    prefix = "" if isinstance(exc, InterruptError) else "Erreur : "
    err_console.print(f"{prefix}{exc}", highlight=False, soft_wrap=True, markup=False)
    return exc.exit_code


def _run(argv: list[str] | None) -> int:
    try:
        result = app(args=argv, prog_name="quartiers", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:  # click turns a KeyboardInterrupt outside atomic outputs into Abort
        return _say(InterruptError())
    except click.NoArgsIsHelpError:
        return main(["--help"])
    except click.ClickException as exc:
        err_console.print(f"Erreur : {_french_usage(exc)} (voir « quartiers --help »)")
        return 1
    except QuartiersError as exc:
        return _say(exc)
    except KeyboardInterrupt:
        return _say(InterruptError())
    except OSError as exc:
        return _say(translate(exc))
    except Exception as exc:
        french = None
        library = library_of(exc)
        if library is None:
            raise
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if library == "GDAL":
            detail = gdal_detail(str(exc))
        parquet, problem = arrow_detail(str(exc)) if library == "Arrow (Parquet)" else (None, None)
        if problem is not None:
            return _say(InputError(f"{parquet} : {problem}" if parquet else problem))
        french = translate_library_error(exc) or InputError(
            f"erreur de lecture ou d'écriture signalée par {library} : {detail}"
        )
        return _say(french)
    if result == InterruptError.exit_code:
        # typer turns a Ctrl-C outside atomic outputs into a silent exit code 130
        return _say(InterruptError())
    return int(result) if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
