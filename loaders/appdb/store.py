"""Reading and writing subscriptions, the send log, alert rules and alert state.

Who may create what is decided above (dashboard/digests/subscribe.py); these functions store
what they are given. Times are naive UTC, as everywhere in Leadline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from loaders.appdb.schema import alert_rules, alert_state, send_log, subscriptions

Params = dict[str, list[str]]
# A send still 'sending' after this long was left by a run that died; the next run takes it over.
STALE_CLAIM = timedelta(hours=1)


@dataclass(frozen=True)
class Subscription:
    """A stored subscription: who gets which view, over which relative window, and when."""

    id: int
    email: str
    created_by: str
    page: str
    params: Params
    window: str
    frequency: str
    weekday: int
    hour: int
    tz: str
    paused: bool
    created_at: datetime


@dataclass(frozen=True)
class AlertRule:
    """A stored alert rule: a kind of ALERT_KINDS, its threshold and window, for one recipient."""

    id: int
    email: str
    created_by: str
    kind: str
    threshold: float
    window_days: int
    params: Params
    paused: bool
    created_at: datetime


def _params(text: str) -> Params:
    raw = json.loads(text or "{}")
    return {str(k): [str(v) for v in vs] for k, vs in raw.items()}


def _dump(params: Mapping[str, Sequence[str]]) -> str:
    return json.dumps({k: list(v) for k, v in sorted(params.items())}, sort_keys=True)


def add_subscription(engine: Engine, **values: Any) -> int:
    """Store a new subscription; returns its id. ``params`` is a mapping of URL key to values."""
    values = {**values, "params": _dump(values["params"]), "paused": bool(values.get("paused", False))}
    with engine.begin() as conn:
        result = conn.execute(insert(subscriptions).values(**values))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def list_subscriptions(engine: Engine, email: str | None = None) -> list[Subscription]:
    """Every subscription (``email``: only that recipient's), oldest first."""
    query = select(subscriptions).order_by(subscriptions.c.id)
    if email is not None:
        query = query.where(subscriptions.c.email == email.lower())
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [Subscription(**{**row, "params": _params(row["params"])}) for row in rows]


def set_paused(engine: Engine, table_name: str, row_id: int, paused: bool) -> None:
    """Pause or resume a subscription (``subscriptions``) or an alert rule (``alert_rules``)."""
    table = subscriptions if table_name == "subscriptions" else alert_rules
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == row_id).values(paused=paused))


def delete_subscription(engine: Engine, subscription_id: int) -> None:
    """Delete a subscription and its send log."""
    with engine.begin() as conn:
        conn.execute(delete(send_log).where(send_log.c.subscription_id == subscription_id))
        conn.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id))


def claim_send(engine: Engine, subscription_id: int, period_key: str, now: datetime) -> bool:
    """Claim the send of one subscription for one period; False when it is sent or being sent.

    A new period inserts a ``sending`` row: the unique key lets exactly one of two runs
    succeed. A ``failed`` row, or a ``sending`` row left by a run that died more than
    ``STALE_CLAIM`` ago, is claimed again by a conditional update (one run wins).
    """
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(send_log).values(
                    subscription_id=subscription_id,
                    period_key=period_key,
                    status="sending",
                    attempts=1,
                    detail="",
                    updated_at=now,
                )
            )
        return True
    except IntegrityError:
        pass
    with engine.begin() as conn:
        result = conn.execute(
            update(send_log)
            .where(
                and_(
                    send_log.c.subscription_id == subscription_id,
                    send_log.c.period_key == period_key,
                    or_(
                        send_log.c.status == "failed",
                        and_(send_log.c.status == "sending", send_log.c.updated_at < now - STALE_CLAIM),
                    ),
                )
            )
            .values(status="sending", attempts=send_log.c.attempts + 1, updated_at=now)
        )
        return result.rowcount == 1


def finish_send(
    engine: Engine, subscription_id: int, period_key: str, status: str, detail: str, now: datetime
) -> None:
    """Record how a claimed send ended: ``sent``, ``failed`` (retried next run) or ``skipped``."""
    with engine.begin() as conn:
        conn.execute(
            update(send_log)
            .where(and_(send_log.c.subscription_id == subscription_id, send_log.c.period_key == period_key))
            .values(status=status, detail=detail[:2000], updated_at=now)
        )


def send_log_rows(engine: Engine) -> list[dict[str, Any]]:
    """The whole send log, oldest first (the Subscriptions section and the tests read it)."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(send_log).order_by(send_log.c.id)).mappings()]


def add_alert_rule(engine: Engine, **values: Any) -> int:
    """Store a new alert rule; returns its id."""
    values = {
        **values,
        "params": _dump(values.get("params", {})),
        "paused": bool(values.get("paused", False)),
    }
    with engine.begin() as conn:
        key = conn.execute(insert(alert_rules).values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])


def list_alert_rules(engine: Engine, email: str | None = None) -> list[AlertRule]:
    """Every alert rule (``email``: only that recipient's), oldest first."""
    query = select(alert_rules).order_by(alert_rules.c.id)
    if email is not None:
        query = query.where(alert_rules.c.email == email.lower())
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [AlertRule(**{**row, "params": _params(row["params"])}) for row in rows]


def delete_alert_rule(engine: Engine, rule_id: int) -> None:
    """Delete an alert rule and its state."""
    with engine.begin() as conn:
        conn.execute(delete(alert_state).where(alert_state.c.rule_id == rule_id))
        conn.execute(delete(alert_rules).where(alert_rules.c.id == rule_id))


def firing_groups(engine: Engine, rule_id: int) -> dict[str, str]:
    """The groups a rule is firing for now: group key -> the figures stored when it started."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(alert_state.c.group_key, alert_state.c.figures).where(alert_state.c.rule_id == rule_id)
        )
        return {row.group_key: row.figures for row in rows}


def claim_alert_changes(
    engine: Engine, rule_id: int, started: Mapping[str, str], cleared: Mapping[str, str], now: datetime
) -> tuple[dict[str, str], dict[str, str]]:
    """Record groups that started firing and forget those that cleared, before the e-mail goes out.

    Each change is its own claim (the unique key, or a delete that finds the row), so of two
    runs at once only one announces a change. Returns the changes this run claimed; when the
    e-mail then fails, ``undo_alert_changes`` puts them back for the next run.
    """
    won_started: dict[str, str] = {}
    won_cleared: dict[str, str] = {}
    for key, figures in started.items():
        try:
            with engine.begin() as conn:
                conn.execute(
                    insert(alert_state).values(
                        rule_id=rule_id, group_key=key, started_at=now, figures=figures
                    )
                )
            won_started[key] = figures
        except IntegrityError:
            continue
    for key, figures in cleared.items():
        with engine.begin() as conn:
            gone = conn.execute(
                delete(alert_state).where(
                    and_(alert_state.c.rule_id == rule_id, alert_state.c.group_key == key)
                )
            )
        if gone.rowcount == 1:
            won_cleared[key] = figures
    return won_started, won_cleared


def undo_alert_changes(
    engine: Engine, rule_id: int, started: Mapping[str, str], cleared: Mapping[str, str], now: datetime
) -> None:
    """Put claimed changes back after a failed e-mail, so the next run announces them again."""
    with engine.begin() as conn:
        for key in started:
            conn.execute(
                delete(alert_state).where(
                    and_(alert_state.c.rule_id == rule_id, alert_state.c.group_key == key)
                )
            )
        for key, figures in cleared.items():
            conn.execute(
                insert(alert_state).values(rule_id=rule_id, group_key=key, started_at=now, figures=figures)
            )
