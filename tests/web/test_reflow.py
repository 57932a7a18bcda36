"""Phones (issue 18, point 3): no page scrolls sideways (WCAG 1.4.10 reflow, RGAA 10.11).

Every page of the site and the workshop page, served by uvicorn on 127.0.0.1 and opened in
Debian Chromium at 390×844 (a phone), 1366×768 (a laptop) and 1366×768 zoomed to 200 %
(683×384 CSS pixels at a device scale of 2): the document is never wider than the window.
Tables wider than a phone scroll inside their own box.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

DEMO = "200000001"
PAGES = [
    "/",
    f"/territoires/{DEMO}",
    f"/territoires/{DEMO}/qpv/QN00001A",
    f"/territoires/{DEMO}/qpv/QN00001B",
    f"/territoires/{DEMO}/qpv/QN00001A/atelier",
    f"/territoires/{DEMO}/qpv/QN00001A/transitions",
    "/comparaison",
    "/methode",
    "/glossaire",
    "/telechargements",
    "/documentation-api",
]
#: (width, height, device scale): a phone, a laptop, the laptop at 200 % zoom.
VIEWPORTS = [(390, 844, 1), (1366, 768, 1), (683, 384, 2)]

_WIDEST = """() => {
  const limit = window.innerWidth + 1;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limit)
    .slice(0, 3)
    .map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
}"""


@pytest.mark.parametrize(("width", "height", "scale"), VIEWPORTS)
def test_no_page_scrolls_sideways(
    browser: Any, live_server: Any, width: int, height: int, scale: int
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=scale, locale="fr-FR"
    )
    try:
        page = context.new_page()
        failures = []
        for path in PAGES:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
            assert inner == width
            if scroll > inner:
                failures.append(f"{path} : {scroll} px > {inner} px ({page.evaluate(_WIDEST)})")
        assert failures == []
    finally:
        context.close()
