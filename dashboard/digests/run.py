"""``leadline digests send-due``: send every due digest and every alert change, once.

Each subscription's latest slot is claimed in the send log (unique per subscription and period),
so a rerun or an overlapping run sends nothing twice. Each recipient is checked against the
access file at send time. A failure for one recipient (mail server, warehouse) is recorded as
``failed`` and retried on the next run; the others are sent all the same.
"""

from __future__ import annotations

import json
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from common import settings
from common.errors import LeadlineError
from dashboard.digests.alert_kinds import ALERT_KINDS
from dashboard.digests.alerts import Breach, alert_message, breaches
from dashboard.digests.content import build_digest
from dashboard.digests.mailer import Mailer
from dashboard.digests.recipients import NotGranted, viewer_for
from dashboard.digests.render import chart_renderer, digest_message
from dashboard.digests.schedule import FREQUENCIES, latest_slot, window_period
from dashboard.digests.specs import DIGEST_SPECS
from loaders.appdb import store

log = logging.getLogger(__name__)
# Failures for one recipient: recorded, retried next run. Anything else unexpected is logged with
# its traceback and treated the same, so one bad subscription never stops the others.
SEND_ERRORS = (LeadlineError, smtplib.SMTPException, OSError, Exception)


@dataclass
class RunReport:
    """What one run did, line by line for the log, and the counts."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    alerts_started: int = 0
    alerts_cleared: int = 0
    lines: list[str] = field(default_factory=list)

    def note(self, line: str) -> None:
        """Add a line to the report and the log."""
        self.lines.append(line)
        log.info(line)


def _first_line(exc: BaseException) -> str:
    if not isinstance(exc, LeadlineError | smtplib.SMTPException | OSError):
        log.exception("unexpected failure while sending", exc_info=exc)
    text = exc.describe() if isinstance(exc, LeadlineError) else str(exc)
    return f"{type(exc).__name__}: {(text.splitlines() or [''])[0][:300]}"


def send_due_digests(app_db: Engine, mailer: Mailer, now: datetime, report: RunReport) -> None:
    """Send each subscription whose latest slot is due and not yet sent."""
    sender = str(settings.get("mail_from"))
    as_of = now.replace(minute=0, second=0, microsecond=0)
    for sub in store.list_subscriptions(app_db):
        if sub.paused or sub.page not in DIGEST_SPECS:
            continue
        slot = latest_slot(now, sub.frequency, sub.weekday, sub.hour, sub.tz)
        if slot.at_utc < sub.created_at or not store.claim_send(app_db, sub.id, slot.key, now):
            continue
        who = f"subscription {sub.id} ({sub.email}, {sub.page}, {slot.key})"
        try:
            viewer = viewer_for(sub.email, sub.page)
        except NotGranted as exc:
            store.finish_send(app_db, sub.id, slot.key, "skipped", exc.message, now)
            report.skipped += 1
            report.note(f"skipped {who}: {exc.message}")
            continue
        try:
            period = window_period(sub.window, slot.day)
            content = build_digest(viewer, sub.page, sub.params, period, as_of)
            frequency = FREQUENCIES[sub.frequency].split()[0]
            subject = f"Leadline {frequency.lower()} digest: {content.title}, {period[0]} to {period[1]}"
            mailer.send(digest_message(content, sender=sender, recipient=sub.email, subject=subject))
        except SEND_ERRORS as exc:
            store.finish_send(app_db, sub.id, slot.key, "failed", _first_line(exc), now)
            report.failed += 1
            report.note(f"failed {who}, retried next run: {_first_line(exc)}")
            continue
        store.finish_send(app_db, sub.id, slot.key, "sent", "", now)
        report.sent += 1
        report.note(f"sent {who}")


def evaluate_alerts(app_db: Engine, mailer: Mailer, now: datetime, report: RunReport) -> None:
    """Evaluate every active rule; e-mail the groups that started or cleared since the last run."""
    sender = str(settings.get("mail_from"))
    for rule in store.list_alert_rules(app_db):
        kind = ALERT_KINDS.get(rule.kind)
        if rule.paused or kind is None:
            continue
        who = f"alert rule {rule.id} ({rule.email}, {rule.kind})"
        if not kind.available:
            report.note(f"skipped {who}: its metric {kind.metric!r} is not in the registry yet")
            continue
        firing = store.firing_groups(app_db, rule.id)
        try:
            viewer = viewer_for(rule.email, kind.page)
            now_breaching = breaches(kind, rule, viewer, now)
        except NotGranted as exc:
            # Nothing is sent; the alert's state stays as it was until access returns or the rule goes.
            report.skipped += 1
            report.note(f"skipped {who}: {exc.message}")
            continue
        except SEND_ERRORS as exc:
            report.failed += 1
            report.note(f"failed {who}, retried next run: {_first_line(exc)}")
            continue
        started = {
            k: json.dumps([b.label, b.figures, b.link]) for k, b in now_breaching.items() if k not in firing
        }
        cleared = {k: v for k, v in firing.items() if k not in now_breaching}
        if not started and not cleared:
            continue
        won_started, won_cleared = store.claim_alert_changes(app_db, rule.id, started, cleared, now)
        if not won_started and not won_cleared:
            continue
        changes: tuple[tuple[dict[str, str], dict[str, str], list[Breach], list[Breach]], ...] = (
            (won_started, {}, [now_breaching[k] for k in won_started], []),
            ({}, won_cleared, [], [_cleared_breach(k, v) for k, v in won_cleared.items()]),
        )
        for claimed_started, claimed_cleared, started_list, cleared_list in changes:
            if not started_list and not cleared_list:
                continue
            try:
                mailer.send(alert_message(kind, rule, started_list, cleared_list, now, sender=sender))
            except SEND_ERRORS as exc:
                store.undo_alert_changes(app_db, rule.id, claimed_started, claimed_cleared, now)
                report.failed += 1
                report.note(f"failed {who}, retried next run: {_first_line(exc)}")
                continue
            report.alerts_started += len(started_list)
            report.alerts_cleared += len(cleared_list)
            report.note(f"alert {who}: {len(started_list)} started, {len(cleared_list)} cleared")


def _cleared_breach(key: str, stored: str) -> Breach:
    """A cleared group from what was stored when it started: its label, figures then, and link."""
    label, figures, link = json.loads(stored)
    return Breach(key, label, f"no longer breaching (was {figures} when it started)", link)


def send_due(app_db: Engine, mailer: Mailer, now: datetime) -> RunReport:
    """One scheduled run: due digests, then alert rules. Never raises for one recipient's failure."""
    report = RunReport()
    try:
        with chart_renderer():
            send_due_digests(app_db, mailer, now, report)
        evaluate_alerts(app_db, mailer, now, report)
    finally:
        mailer.close()
    return report
