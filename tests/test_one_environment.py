"""One Jinja environment factory: every page and document is rendered with the same setup."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from jinja2 import StrictUndefined, UndefinedError

import quartiers
from quartiers.outputs.templating import FILTERS, GLOBALS, template_environment

SRC = Path(quartiers.__file__).parent


def _environment_calls(path: Path) -> list[int]:
    """Line numbers of ``Environment(...)`` / ``jinja2.Environment(...)`` calls in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "Environment":
                lines.append(node.lineno)
    return lines


def test_exactly_one_environment_construction_in_src() -> None:
    calls = {
        str(path.relative_to(SRC)): found
        for path in sorted(SRC.rglob("*.py"))
        if (found := _environment_calls(path))
    }
    assert list(calls) == ["outputs/templating.py"], calls
    assert len(calls["outputs/templating.py"]) == 1, calls


def test_the_surfaces_use_the_factory() -> None:
    from quartiers.actions import export
    from quartiers.participation.pages import render as moderation
    from quartiers.report import render
    from quartiers.web.templating import ENVIRONMENT

    envs = [ENVIRONMENT, render._environment(), export._ENV, moderation._ENV]
    for env in envs:
        # same French filters (one number formatter) and globals everywhere
        assert all(env.filters[k] is v for k, v in FILTERS.items())
        assert all(env.globals[k] is v for k, v in GLOBALS.items())
        assert env.trim_blocks and env.lstrip_blocks
        assert env.autoescape("page.html") and env.autoescape("fiche.html.j2")
    assert ENVIRONMENT.globals["urls"].__name__ == "quartiers.web.urls"
    assert render._environment().undefined is StrictUndefined
    assert moderation._ENV.undefined is StrictUndefined


def test_surfaces_find_their_own_templates() -> None:
    # same names in two packages (base.html, erreur.html) resolve to each surface's own file
    web = template_environment("web").get_template("base.html").filename
    moderation = template_environment("participation").get_template("base.html").filename
    assert web is not None and "/web/templates/" in web
    assert moderation is not None and "/participation/templates/" in moderation
    workshop = template_environment("web").get_template("actions/atelier.html").filename
    assert workshop is not None and "/actions/templates/" in workshop


def test_values_are_escaped_and_strict_mode_raises() -> None:
    env = template_environment("report", strict=True)
    html = env.from_string("{{ x }} {{ 1234.5 | nombre(1) }}").render(x="<b>")
    assert html.startswith("&lt;b&gt; 1")
    with pytest.raises(UndefinedError):
        env.from_string("{{ absent }}").render()
    assert template_environment("web").from_string("[{{ absent }}]").render() == "[]"
