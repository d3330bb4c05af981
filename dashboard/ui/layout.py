"""Page-wide layout rules Streamlit has no option for: small screens, the chart toolbar, "Copy link".

``inject_layout()`` runs once per script run from dashboard/app.py. Every rule keys on Streamlit's
``data-testid`` attributes (stable across releases, unlike its generated class names), and
tests/browser/test_e2e_layout.py checks each one in Chromium at 400 and 1440 px.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

# The page icon is a file served by Leadline itself: Streamlit fetches a Material icon favicon from
# fonts.gstatic.com, which an offline deployment cannot reach (and should not try to).
PAGE_ICON = Path(__file__).resolve().parent.parent / "assets" / "favicon.png"
SMALL_SCREEN_PX = 640  # Streamlit stacks columns below this width
NARROW_CHART_PX = 760  # a chart narrower than this gets no mode bar (its legend wraps under it)

LAYOUT_CSS = f"""
<style>
/* "Copy link": the copy icon of the link is always shown (not only on hover, which a touch screen
   has not), and the popover scrolls within the window rather than running off its bottom. */
[data-testid="stPopoverBody"] {{ max-height: min(70vh, 620px); overflow-y: auto; }}
[data-testid="stPopoverBody"] [data-testid="stCode"] div:has([data-testid="stElementToolbarButton"]),
[data-testid="stPopoverBody"] [data-testid="stCode"] button {{
  opacity: 1 !important;
  visibility: visible !important;
}}

/* Plotly's mode bar (PNG download, zoom) covered the legend of a narrow chart (a phone, or a chart
   in a column): only a chart wider than that shows it, on hover, where the legend keeps to one line. */
[data-testid="stPlotlyChart"] {{ container-type: inline-size; }}
@container (max-width: {NARROW_CHART_PX}px) {{
  .js-plotly-plot .modebar-container {{ display: none !important; }}
}}

@media (max-width: {SMALL_SCREEN_PX}px) {{
  /* KPI tiles two to a row, not one under the other (seven tiles came before the first chart). */
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {{
    flex-flow: row wrap !important;
    gap: 0.5rem 0.75rem !important;
  }}
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])
    > [data-testid="stColumn"] {{
    flex: 0 0 calc(50% - 0.375rem) !important;  /* a third tile in a row of three stays half wide */
    width: calc(50% - 0.375rem) !important;
    min-width: calc(50% - 0.375rem) !important;
  }}
  /* On a phone the mode bar is hidden (a tap showed it over the legend). */
  .js-plotly-plot .modebar-container {{ display: none !important; }}
  /* The filters come before the nine page links in the sidebar. */
  [data-testid="stSidebarContent"] {{ display: flex; flex-direction: column; }}
  [data-testid="stSidebarHeader"] {{ order: 1; }}
  [data-testid="stSidebarUserContent"] {{ order: 2; }}
  [data-testid="stSidebarNavSeparator"] {{ order: 3; }}
  [data-testid="stSidebarNav"] {{ order: 4; }}
}}
</style>
"""


def inject_layout() -> None:
    """Add Leadline's layout rules to the page (a style element, no visible block)."""
    st.html(LAYOUT_CSS)
