"""The ``quartiers serve`` command: French errors before anything is served."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.cli import main


def test_serve_help_is_french(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Dossiers de diagnostic" in out and "--basemap-url" in out
    assert "--sans-contributions" in out


def test_serve_refuses_a_directory_that_is_not_a_diagnostic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", str(tmp_path), "--sans-contributions"]) == 1
    err = capsys.readouterr().err
    assert "ce n'est pas un dossier de diagnostic complet" in err
    assert "Traceback" not in err


def test_serve_refuses_a_bad_basemap(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(demo_dir), "--basemap-url", "ftp://tuiles"]) == 1
    assert "--basemap-url" in capsys.readouterr().err


def test_serve_starts_uvicorn_with_the_app(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    seen: dict[str, object] = {}

    def fake_run(app: object, **kwargs: object) -> None:
        seen["app"] = app
        seen.update(kwargs)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    code = main(
        [
            "serve",
            str(demo_dir),
            "--port",
            "8123",
            "--sans-contributions",
            "--basemap-url",
            "https://tuiles.exemple.fr/{z}/{x}/{y}.png",
        ]
    )
    assert code == 0
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out
    app = seen["app"]
    assert app.state.web.settings.basemap_url.startswith("https://tuiles.exemple.fr")  # type: ignore[attr-defined]
