"""Digest and alert content as an e-mail: a plain-text part, an HTML part, and an inline chart.

The chart is a Plotly static export (kaleido, which drives a headless Chromium). When no
renderer is available the e-mail goes out without the image and says so in both parts.
"""

from __future__ import annotations

import contextlib
import html
import logging
import warnings
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import plotly.graph_objects as go

from dashboard.digests.content import DigestContent

log = logging.getLogger(__name__)
NO_CHART = "The chart is left out: no image renderer (kaleido with Chromium) is available on the server."
FOOTER = "You receive this because you subscribed in Leadline. Pause or delete it under Subscriptions."


_SHARED = {"wanted": False, "started": False}


@contextlib.contextmanager
def chart_renderer() -> Iterator[None]:
    """Within it, every chart shares one headless browser (kaleido's sync server), started at the
    first chart, instead of one browser per chart; a run with nothing due starts none."""
    _SHARED["wanted"] = True
    try:
        yield
    finally:
        _SHARED["wanted"] = False
        if _SHARED["started"]:
            _SHARED["started"] = False
            with contextlib.suppress(Exception):
                import kaleido

                kaleido.stop_sync_server(silence_warnings=True)


def _start_shared_renderer() -> None:
    if not _SHARED["wanted"] or _SHARED["started"]:
        return
    _SHARED["wanted"] = False  # one attempt per run
    try:
        import kaleido
        from choreographer.utils import get_browser_path

        browser = get_browser_path()
        if not browser or not Path(browser).exists():  # the shared server would wait for it forever
            log.info("no browser for a shared chart renderer")
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kaleido.start_sync_server(silence_warnings=True)
        _SHARED["started"] = True
    except Exception as exc:  # no kaleido or no browser: each chart is tried (and left out) alone
        log.info("no shared chart renderer: %s", type(exc).__name__)


def chart_png(figure: go.Figure) -> bytes | None:
    """The figure as a PNG, or None when no static renderer works here (logged)."""
    _start_shared_renderer()
    try:
        with warnings.catch_warnings():  # plotly warns that its options are unused with a shared server
            warnings.simplefilter("ignore")
            return bytes(figure.to_image(format="png", width=720, height=340, scale=1))
    except Exception as exc:  # a missing kaleido or browser: the digest goes out without the chart
        log.warning(
            "chart left out of a digest: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        )
        return None


def digest_text(content: DigestContent, chart_note: str | None) -> str:
    """The plain-text part."""
    lines = [f"Leadline · {content.title}", content.period]
    if content.comparison:
        lines.append(f"Changes {content.comparison}")
    lines.append("")
    for tile in content.tiles:
        extra = [x for x in (tile.delta, tile.target) if x]
        lines.append(f"{tile.label}: {tile.value}" + (f" ({'; '.join(extra)})" if extra else ""))
        if tile.note:
            lines.append(f"  {tile.note}")
    if content.table_rows:
        lines += ["", content.table_title]
        lines.append(" | ".join(content.table_header))
        lines += [" | ".join(row) for row in content.table_rows]
    notes = [*content.notes, *([chart_note] if chart_note else [])]
    if notes:
        lines += ["", *(f"Note: {n}" for n in notes)]
    lines += ["", f"Open this view: {content.link}", "", FOOTER]
    return "\n".join(lines) + "\n"


def _colour(good: bool | None) -> str:
    return {True: "#2e7d32", False: "#c62828", None: "#5f6368"}[good]


def digest_html(content: DigestContent, chart_cid: str | None, chart_note: str | None) -> str:
    """The HTML part; ``chart_cid`` names the inline image (None: no image)."""
    e = html.escape
    tiles = []
    for tile in content.tiles:
        parts = [
            f'<div style="font-size:13px;color:#5f6368">{e(tile.label)}</div>',
            f'<div style="font-size:22px;font-weight:600">{e(tile.value)}</div>',
        ]
        if tile.delta:
            parts.append(f'<div style="font-size:12px;color:{_colour(tile.good)}">{e(tile.delta)}</div>')
        if tile.note:
            parts.append(f'<div style="font-size:12px;color:#5f6368">{e(tile.note)}</div>')
        if tile.target:
            parts.append(
                f'<div style="font-size:12px;color:{_colour(tile.target_met)}">{e(tile.target)}</div>'
            )
        tiles.append(
            '<td style="border:1px solid #dadce0;border-radius:6px;padding:8px 12px;'
            f'vertical-align:top">{"".join(parts)}</td>'
        )
    rows_html = [f"<tr>{''.join(tiles[i : i + 4])}</tr>" for i in range(0, len(tiles), 4)]
    body = [
        f'<h2 style="margin:0">Leadline · {e(content.title)}</h2>',
        f'<p style="color:#5f6368;margin:4px 0 12px">{e(content.period)}'
        + (f"<br>Changes {e(content.comparison)}" if content.comparison else "")
        + "</p>",
        f'<table cellspacing="6" style="border-collapse:separate">{"".join(rows_html)}</table>',
    ]
    if chart_cid:
        body.append(f'<p><img src="cid:{chart_cid[1:-1]}" alt="Weekly trend" width="720"></p>')
    if content.table_rows:

        def align(i: int) -> str:
            return "left" if i == 0 else "right"

        head = "".join(
            f'<th style="text-align:{align(i)};padding:4px 8px">{e(h)}</th>'
            for i, h in enumerate(content.table_header)
        )
        rows = "".join(
            "<tr>"
            + "".join(
                f'<td style="text-align:{align(i)};padding:4px 8px;border-top:1px solid #eee">{e(c)}</td>'
                for i, c in enumerate(row)
            )
            + "</tr>"
            for row in content.table_rows
        )
        body += [
            f"<h3>{e(content.table_title)}</h3>",
            f'<table style="border-collapse:collapse">'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>",
        ]
    notes = [*content.notes, *([chart_note] if chart_note else [])]
    if notes:
        body.append("<ul>" + "".join(f'<li style="color:#5f6368">{e(n)}</li>' for n in notes) + "</ul>")
    body.append(f'<p><a href="{e(content.link)}">Open this view in Leadline</a></p>')
    body.append(f'<p style="font-size:12px;color:#5f6368">{e(FOOTER)}</p>')
    return f'<!doctype html><html><body style="font-family:sans-serif">{"".join(body)}</body></html>'


def digest_message(
    content: DigestContent, *, sender: str, recipient: str, subject: str, with_chart: bool = True
) -> EmailMessage:
    """The whole e-mail: text and HTML alternatives, the chart inline in the HTML when rendered."""
    png = chart_png(content.figure) if (with_chart and content.figure is not None) else None
    chart_note = NO_CHART if (content.figure is not None and png is None) else None
    cid = make_msgid(domain="leadline") if png else None
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = recipient
    message.set_content(digest_text(content, chart_note))
    message.add_alternative(digest_html(content, cid, chart_note), subtype="html")
    if png and cid:
        html_part = next(part for part in message.iter_parts() if part.get_content_type() == "text/html")
        assert isinstance(html_part, EmailMessage)
        html_part.add_related(png, maintype="image", subtype="png", cid=cid, filename="trend.png")
    return message
