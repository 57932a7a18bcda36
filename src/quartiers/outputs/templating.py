"""The one Jinja environment factory: every HTML page and document is rendered through it.

The web site (with the workshop pages of :mod:`quartiers.actions` under ``actions/``), the
report sheets and ``carte.html``, the printed roadmap and the moderation pages each get their
environment from :func:`template_environment`, so they share one configuration: autoescaping
of every ``.html``/``.j2`` template, the same block whitespace rules, the French filters (the
one formatter of :mod:`quartiers.outputs.formatting`) and the same globals. What differs is
only which templates a surface finds (its package's ``templates/`` folder) and, for the
printed documents and the moderation pages, undefined values raising instead of printing
nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    Undefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from quartiers.indicators.registry import DIMENSIONS
from quartiers.outputs.formatting import (
    MISSING,
    display_unit,
    format_date,
    format_gap,
    format_number,
    format_ratio,
    format_share,
    format_value,
    ordinal,
)
from quartiers.outputs.glossary import GLOSSARY, method_value, term, term_id
from quartiers.schemas import HORIZONS
from quartiers.text import zone_words
from quartiers.version import __version__

__all__ = [
    "FILTERS",
    "GLOBALS",
    "ZONES_FLAG",
    "Surface",
    "json_script",
    "template_environment",
    "unit_words",
    "zones_run",
]

#: What is rendered: the site, the report documents, the printed roadmap, the moderation pages.
Surface = Literal["web", "report", "actions", "participation"]


def json_script(data: Any) -> Markup:
    """Serialise data for a ``<script type="application/json">`` block (no ``</`` inside)."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _size(n: int | None) -> str:
    if n is None:
        return "produit à la demande"
    if n < 1024 * 1024:
        return f"{format_number(n / 1024, 0)}\u00a0Ko"
    return f"{format_number(n / 1024 / 1024, 1)}\u00a0Mo"


def _static(path: str) -> str:
    return f"/static/{path}?v={__version__}"


#: Context variable telling a template it renders a ``--zones`` diagnostic (issue 21).
ZONES_FLAG = "unites_zones"


def zones_run(input_notes: Mapping[str, Any]) -> bool:
    """Return whether a diagnostic was run with ``--zones`` (its run record's ``input_notes``)."""
    return bool(input_notes.get("zones"))


@pass_context
def unit_words(context: Context, text: Any) -> Any:
    """Filter ``unites``: in a ``--zones`` rendering, the text speaks of zones, not QPV.

    Applied as a block (``{% filter unites %}…{% endfilter %}``) around the titles and
    bodies of the base templates, so every page or document of a zones run is reworded by
    :func:`quartiers.text.zone_words` at one place. Where :data:`ZONES_FLAG` is not set true in
    the context (every QPV run), the text is returned untouched: same object, same bytes.
    The replacements hold no markup characters, so escaped HTML stays safe.
    """
    if not context.get(ZONES_FLAG):
        return text
    if isinstance(text, Markup):
        return Markup(zone_words(str(text)))
    return zone_words(str(text))


#: The French filters of every template.
FILTERS: dict[str, Any] = {
    "valeur": format_value,
    "date_fr": format_date,
    "ecart": format_gap,
    "rapport": format_ratio,
    "nombre": format_number,
    "part": format_share,
    "ordinal": ordinal,
    "taille": _size,
    "json_script": json_script,
    "methode_fr": method_value,
    # units as the values beside them are written (« % », never « part (0–1) »)
    "unit": display_unit,
    "unites": unit_words,
}

#: The globals of every template (a surface may add its own, see :func:`template_environment`).
GLOBALS: dict[str, Any] = {
    "site": "Quartiers en transition",
    "version": __version__,
    "static": _static,
    "MISSING": MISSING,
    "DIMENSIONS": DIMENSIONS,
    "HORIZONS": HORIZONS,
    "zip": zip,
    "terme": term,
    "terme_id": term_id,
    "glossary_term": term,
    "GLOSSAIRE": GLOSSARY,
}

#: Template folders of each surface: (package, prefix under which its templates are named).
_FOLDERS: dict[str, tuple[tuple[str, str], ...]] = {
    "web": (("quartiers.web", ""), ("quartiers.actions", "actions")),
    "report": (("quartiers.report", ""),),
    "actions": (("quartiers.actions", ""),),
    "participation": (("quartiers.participation", ""),),
}


def _loader(surface: Surface) -> BaseLoader:
    loaders: list[BaseLoader] = []
    for package, prefix in _FOLDERS[surface]:
        loader = PackageLoader(package, "templates")
        loaders.append(PrefixLoader({prefix: loader}) if prefix else loader)
    return loaders[0] if len(loaders) == 1 else ChoiceLoader(loaders)


def template_environment(
    surface: Surface, *, strict: bool = False, extra_globals: Mapping[str, Any] | None = None
) -> Environment:
    """Return a Jinja environment for one surface, configured as every other one.

    Parameters
    ----------
    surface
        Whose templates the environment finds: ``web`` (the site, with the workshop pages of
        :mod:`quartiers.actions` under the ``actions/`` prefix), ``report`` (sheets,
        synthesis, comparison, notes, ``carte.html``), ``actions`` (the printed roadmap) or
        ``participation`` (moderation pages).
    strict
        Raise on an undefined value (printed documents, moderation pages) instead of
        rendering it as nothing.
    extra_globals
        Globals only this surface's templates use (e.g. the site's URL builders), added to
        :data:`GLOBALS`.

    Returns
    -------
    jinja2.Environment
        Autoescaping ``.html`` and ``.j2`` templates, trimming block lines, with
        :data:`FILTERS` and :data:`GLOBALS`.
    """
    env = Environment(
        loader=_loader(surface),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined if strict else Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    env.globals.update(extra_globals or {})
    return env
