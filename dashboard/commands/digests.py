"""`leadline digests send-due`: send the digests and alert e-mails that are due (cron, systemd timer).

Meant to run every few minutes (docs/deploy.md). Idempotent: the send log's unique key per
subscription and period means a rerun, or two runs at once, never send twice. Exit code 0 when
everything due went out, 1 when some recipient failed (recorded, retried on the next run).
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from common import settings
from dashboard.commands.moments import parse_utc_moment


def add_parser(subparsers: Any) -> None:
    """Register the sub-command."""
    parser = subparsers.add_parser(
        "digests",
        help="send the e-mail digests and alerts that are due",
        description="E-mail digests of subscribed views and alert changes (docs/alerts.md, docs/deploy.md).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    send = actions.add_parser(
        "send-due",
        help="send every due digest and alert change once (run it every few minutes)",
        description="Render every due subscription as its subscriber, within their access now, and send it; "
        "evaluate alert rules and e-mail the ones that started or cleared. Safe to rerun.",
    )
    send.add_argument(
        "--now",
        metavar="TS",
        default=None,
        help="pretend it is this UTC time, e.g. 2026-11-23T08:05 (default: now)",
    )
    send.add_argument(
        "--warehouse", metavar="URL", default=None, help="warehouse URL (default: the warehouse_url setting)"
    )
    send.add_argument(
        "--app-db",
        metavar="URL",
        default=None,
        help="application database URL (default: the app_db_url setting)",
    )
    send.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Send what is due and print one line per send, skip and failure."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The page data code runs here outside a Streamlit server; its "no runtime" warnings are noise
    # that cron would mail every few minutes. Imported here, so other commands do not load it all.
    from streamlit import config as streamlit_config
    from streamlit import logger as streamlit_logger

    streamlit_config.get_config_options()  # read now: reading it later would reset the log level
    streamlit_logger.set_log_level("error")
    from dashboard.digests.mailer import mailer_from_settings
    from dashboard.digests.run import send_due
    from loaders.appdb.schema import open_app_db

    now = parse_utc_moment(args.now, "--now")
    if args.warehouse:  # the page data functions read the setting, as the dashboard does
        os.environ["LEADLINE_WAREHOUSE_URL"] = args.warehouse
    app_db = open_app_db(args.app_db or str(settings.get("app_db_url")))
    try:
        report = send_due(app_db, mailer_from_settings(), now)
    finally:
        app_db.dispose()
    for line in report.lines:
        print(line)
    print(
        f"{report.sent} digest(s) sent, {report.skipped} skipped, {report.failed} failed; "
        f"{report.alerts_started} alert(s) started, {report.alerts_cleared} cleared."
    )
    return 1 if report.failed else 0
