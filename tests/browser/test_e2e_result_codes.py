"""Lead quality from result codes in Chromium, as the people who use it: a brand marketer on
Campaigns & ROI (which source sends wrong numbers?) and a dealer principal on Follow-up coverage
(attempted against reached), each signed in through OpenID Connect, at 1440 and 400 px wide.

Screenshots go to artifacts/screenshots/result-codes-*.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import settle
from tests.browser.test_e2e_detail_pages import MAX_HEIGHT
from tests.browser.test_e2e_signin import BRAND, DEALER, PERIOD, SignInServer, signed_in, signin_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["signin_server"]  # the fixture, shared with the sign-in tests

WIDTHS = (1440, 400)


def screenshot_at(page: Any, width: int, path: Path) -> None:
    """The whole page at ``width`` px: grow the viewport to the page's height first."""
    page.set_viewport_size({"width": width, "height": 1800})
    settle(page)
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stMainBlockContainer"]\')]'
        ".map(e => e.scrollHeight), 1200)"
    )
    page.set_viewport_size({"width": width, "height": min(int(height) + 120, MAX_HEIGHT)})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(path))


def test_brand_marketer_sees_lead_quality_per_source(
    page: Any, signin_server: SignInServer, screenshots: Path
) -> None:
    signed_in(page, signin_server, BRAND, f"campaigns?{PERIOD}&per=source")
    body = page.locator("body").inner_text()
    assert "Lead quality by source" in body
    legend = page.locator(".legendtext").all_text_contents()  # Plotly draws its legend as SVG text
    assert "Invalid contact data" in legend and "Reached" in legend, legend
    assert "Something went wrong" not in body and "Traceback" not in body
    for width in WIDTHS:
        screenshot_at(page, width, screenshots / f"result-codes-brand-campaigns-{width}.png")


def test_dealer_principal_sees_attempted_against_reached(
    page: Any, signin_server: SignInServer, screenshots: Path
) -> None:
    signed_in(page, signin_server, DEALER, f"follow-up?{PERIOD}")
    body = page.locator("body").inner_text()
    assert "Attempted is not reached" in body and "Reached when called" in body
    assert "Something went wrong" not in body and "Traceback" not in body
    for width in WIDTHS:
        screenshot_at(page, width, screenshots / f"result-codes-dealer-follow-up-{width}.png")
