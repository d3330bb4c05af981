"""The pages of the dashboard: file, stable URL path, title, icon, section and own URL keys.

dashboard/app.py builds the navigation from ``PAGE_SPECS``; a page appears once its file
exists in pages/ and the viewer may open it (dashboard/access/viewer.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from common.settings import PROJECT_ROOT
from dashboard.access.viewer import Viewer

PAGES_DIR = PROJECT_ROOT / "pages"


@dataclass(frozen=True)
class PageSpec:
    """A page of the navigation: its file in pages/, stable url path, title and icon."""

    file: str
    url_path: str
    title: str
    icon: str
    section: str = "Dashboard"
    url_keys: tuple[str, ...] = ()  # the page's own view options in the URL (sidebar.url_option)


PAGE_SPECS: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "overview", "Overview", ":material/dashboard:", url_keys=("trend", "by", "ov_sort", "ov_cols")),
    PageSpec("follow_up.py", "follow-up", "Follow-up coverage", ":material/phone_in_talk:", url_keys=("fu_sort", "fu_cols")),
    PageSpec("delivery.py", "delivery", "Lead delivery", ":material/local_shipping:"),
    PageSpec("close_reasons.py", "close-reasons", "Close reasons", ":material/fact_check:"),
    PageSpec("campaigns.py", "campaigns", "Campaigns & ROI", ":material/campaign:", url_keys=("per", "quality", "min", "cp_sort", "cp_cols")),
    PageSpec("definitions.py", "definitions", "Definitions", ":material/menu_book:", "Reference"),
    PageSpec("data_quality.py", "data-quality", "Data quality", ":material/rule:", "Reference"),
    PageSpec("subscriptions.py", "subscriptions", "Subscriptions", ":material/forward_to_inbox:", "Reference"),
    PageSpec("settings.py", "settings", "Settings", ":material/settings:", "Reference"),  # admins only
    PageSpec("import_data.py", "import", "Import data", ":material/upload_file:", "Admin"),  # admins only
)
PAGE_KEYS = frozenset(key for spec in PAGE_SPECS for key in spec.url_keys)
# Pages that draw without the warehouse (they still open when it does not answer).
OFFLINE_PAGES = frozenset({"definitions", "subscriptions", "settings", "import"})  # import: also into a new warehouse
# Pages the sidebar's period and filters do not affect: the filters are not drawn there.
UNFILTERED_PAGES = frozenset({"definitions", "subscriptions", "settings", "import", "data-quality"})


def _start_page() -> None:
    """The app root; never drawn: main() sends the viewer on to their first page."""


def navigation_pages(viewer: Viewer) -> dict[str, list[st.Page]]:
    """The st.Page objects the viewer may open, by section; pages whose file is missing are left out.

    Streamlit serves its default page at the root and nowhere else, so the default is a hidden
    start page that forwards to the first real page: every page then has a stable deep link
    (/overview, /definitions ...).
    """
    sections: dict[str, list[st.Page]] = {
        "": [st.Page(_start_page, title="Leadline", url_path="start", default=True, visibility="hidden")]
    }
    for spec in PAGE_SPECS:
        path = PAGES_DIR / spec.file
        if path.exists() and viewer.may_open(spec.url_path):
            page = st.Page(path, title=spec.title, icon=spec.icon, url_path=spec.url_path)
            sections.setdefault(spec.section, []).append(page)
    return sections


def first_page(sections: dict[str, list[st.Page]]) -> st.Page | None:
    """The first page the viewer may open (the start page forwards there), or None."""
    return next((page for pages in list(sections.values())[1:] for page in pages), None)
