"""End to end in Chromium: a link's text never becomes a link, an image or markup (issue 12, item 6).

Attack: the unknown key ``![x](http://127.0.0.1:PORT/k.png)`` made the browser fetch that image,
and ``[Re-authenticate](http://...)`` rendered as a clickable link in the notice (also
``?by=![t](...)`` in a page's caption). Here a small HTTP server records every request; links
carrying those payloads (as unknown keys, filter values, a page option and a date) are opened
on a running ``leadline serve``, and the page must hold no ``<a>`` or ``<img>`` pointing at the
server, the server must receive nothing, and the notice must show the text literally.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import urlencode

import pytest

from tests.browser.conftest import settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        return


@pytest.fixture(scope="module")
def trap() -> Iterator[tuple[str, list[str]]]:
    """``(origin, requests)`` of an HTTP server an injected image or link would reach."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    finally:
        server.shutdown()


def payloads(origin: str) -> list[str]:
    return [
        f"![x]({origin}/k.png)",
        f"[Re-authenticate]({origin}/login)",
        f"<img src={origin}/i.png>",
        f"{origin}/autolink",
    ]


@pytest.mark.parametrize(
    ("path", "where"),
    [("overview", "unknown key"), ("overview", "filter value"), ("delivery", "page option"), ("overview", "date")],
)
def test_no_link_or_image_from_a_link(
    page: Any, server: str, trap: tuple[str, list[str]], path: str, where: str, screenshots: Any
) -> None:
    origin, seen = trap
    params: list[tuple[str, str]] = []
    for payload in payloads(origin):
        params += {
            "unknown key": [(payload, "1")],
            "filter value": [("dealer", payload)],
            "page option": [("by", payload)],
            "date": [("from", payload)],
        }[where]
    # a page option takes one value: one payload per visit
    visits = [[p] for p in params] if where == "page option" else [params]
    for visit in visits:
        seen.clear()
        page.goto(f"{server}/{path}?{urlencode(visit)}")
        settle(page)
        # (links to the app itself may carry the payload in their query string: those are harmless)
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        images = page.eval_on_selector_all("img[src]", "els => els.map(e => e.src)")
        assert not [h for h in links if h.startswith(origin)], links
        assert not [s for s in images if s.startswith(origin)], images
        page.wait_for_timeout(500)  # an image would have been requested by now
        assert seen == [], seen
        if where != "page option":  # (that caption lasts only until the page rewrites its URL)
            body = page.inner_text("body")
            shown = visit[0][0] if where == "unknown key" else visit[0][1]
            assert shown[:20] in body, body[:2000]  # shown as text (shortened), not dropped silently
    page.screenshot(path=str(screenshots / f"link-injection-{where.replace(' ', '-')}.png"))
