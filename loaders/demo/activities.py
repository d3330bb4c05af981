"""The ``lead_activities`` of a chunk of demo leads: calls, e-mails, auto-responders, visits, errors.

Five kinds of rows are made as whole arrays and then stacked: the dealer's outbound attempts,
auto-responder e-mails (seconds after delivery, ``automated`` TRUE), the buyer's own inbound
contacts, showroom visits, and a few outbound rows stamped before the lead existed (a clock or
import error every real warehouse has).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loaders.demo.calendar import DAY_S, HOUR_S, Calendar
from loaders.demo.contacts import Contacts, visible
from loaders.demo.leads import LeadBatch
from loaders.demo.network import SOURCES, Network
from loaders.demo.outcomes import Outcomes

# Indexes into loaders.contract.tables.ACTIVITY_CHANNELS and PREFERRED_CHANNELS (same first five).
PHONE, EMAIL, SMS, WHATSAPP, CHAT, VISIT = 0, 1, 2, 3, 4, 5
RESULT_CODES: tuple[str | None, ...] = (
    None,
    "reached",
    "no_answer",
    "voicemail",
    "wrong_number",
    "appointment_set",
    " reached ",  # keyed with blanks around it: still 'reached' (codes are compared trimmed)
    "n/a",  # not in the taxonomy: 'unknown', counted by `leadline check` per source
)
_NO_RESULT, _REACHED, _NO_ANSWER, _APPOINTMENT_SET = 0, 1, 2, 5
_WRONG_NUMBER, _PADDED_REACHED, _UNKNOWN_CODE = 4, 6, 7
# Result-code stories (drawn from a hash of lead and attempt, not the generator, so that every
# other story of the demo keeps its numbers): one marketplace sends many wrong numbers, one
# dealer's salespeople rarely key in a code, two dealers call often but reach few buyers, and
# one third party's leads come with a CRM that keys "n/a".
WRONG_NUMBER_SOURCE = SOURCES.index("marketplace:subito")
WRONG_NUMBER_SHARE = 0.45
UNCODED_DEALER, UNCODED_SHARE = 45, 0.8
LOW_REACH_DEALERS, LOW_REACH_MISSED = (15, 16), 0.75
UNKNOWN_CODE_SOURCE = SOURCES.index("third_party:carwow")
# Call results by phone status (valid, missing, placeholder, invalid), over RESULT_CODES[1:5].
_RESULT_CDF = np.cumsum(
    [(0.45, 0.35, 0.17, 0.03), (0.05, 0.15, 0.0, 0.8), (0.05, 0.15, 0.0, 0.8), (0.08, 0.3, 0.02, 0.6)], axis=1
)
_INBOUND_CHANNEL_CDF = np.cumsum((0.45, 0.3, 0.15, 0.1))  # phone, e-mail, WhatsApp, chat
_VALID, _SUSPICIOUS = 0, 2


@dataclass
class Activities:
    """Activity rows of one chunk, ordered by lead and time. ``lead`` is the row in the LeadBatch."""

    lead: np.ndarray
    occurred_s: np.ndarray
    channel: np.ndarray
    inbound: np.ndarray
    automated: np.ndarray
    result: np.ndarray  # index into RESULT_CODES
    actor: np.ndarray  # index into Network.actor_keys, -1: NULL


def build_activities(
    rng: np.random.Generator,
    net: Network,
    cal: Calendar,
    leads: LeadBatch,
    plan: Contacts,
    outcomes: Outcomes,
) -> Activities:
    """All activity rows of ``leads`` recorded by the end of the data."""
    parts = [
        _attempts(rng, leads, plan),
        _auto_responses(rng, net, leads),
        _inbound(rng, leads, plan),
        _visits(leads, plan, outcomes),
        _early_stamps(rng, leads, plan),
    ]
    stacked = {field: np.concatenate([part[field] for part in parts]) for field in parts[0]}
    keep = np.flatnonzero(
        visible(stacked["occurred_s"], cal) | (stacked["occurred_s"] < leads.created_s[stacked["lead"]])
    )
    # One int64 sort key, lead then time (seconds from a week before the data, < 2**36), is far
    # cheaper than a lexsort; lead rows in a chunk stay well below 2**26.
    since = stacked["occurred_s"][keep] - (cal.start_s - 7 * DAY_S)
    order = keep[np.argsort((stacked["lead"][keep] << 36) + since, kind="stable")]
    return Activities(**{field: values[order] for field, values in stacked.items()})


def _rows(
    lead: np.ndarray,
    occurred_s: np.ndarray,
    channel: np.ndarray | int,
    inbound: bool,
    automated: bool,
    result: np.ndarray | int,
    actor: np.ndarray | int,
) -> dict[str, np.ndarray]:
    size = lead.size
    return {
        "lead": lead,
        "occurred_s": occurred_s.astype(np.int64),
        "channel": np.broadcast_to(channel, size).astype(np.int8),
        "inbound": np.full(size, inbound),
        "automated": np.full(size, automated),
        "result": np.broadcast_to(result, size).astype(np.int8),
        "actor": np.broadcast_to(actor, size).astype(np.int64),
    }


def _attempts(rng: np.random.Generator, leads: LeadBatch, plan: Contacts) -> dict[str, np.ndarray]:
    """The dealer's outbound contacts: mostly calls, the buyer's preferred channel when given."""
    lead = plan.at_lead
    size = lead.size
    phone, email, preferred = leads.phone[lead], leads.email[lead], leads.preferred[lead]
    u = rng.uniform(size=size)
    has_email = (email == _VALID) | (email == _SUSPICIOUS)
    channel = np.full(size, PHONE)
    channel = np.where((preferred == EMAIL) & (u < 0.4), EMAIL, channel)
    channel = np.where((preferred == WHATSAPP) & (u < 0.5), WHATSAPP, channel)
    channel = np.where((preferred == SMS) & (u < 0.4), SMS, channel)
    channel = np.where((preferred == CHAT) & (u < 0.3), CHAT, channel)
    # Without a usable number most dealers write instead; some dial the placeholder anyway.
    no_number = (phone == 1) | (phone == 2)
    channel = np.where(no_number & (u < 0.8), np.where(has_email, EMAIL, SMS), channel)
    result = 1 + np.minimum((rng.uniform(size=size)[:, None] >= _RESULT_CDF[phone]).sum(1), 3)
    last = plan.at_number == plan.attempts[lead] - 1
    result = np.where(last & plan.appointment[lead], _APPOINTMENT_SET, result)
    # E-mails and messages carry no call result; some calls are never keyed in.
    result = np.where((channel != PHONE) | (rng.uniform(size=size) < 0.05), _NO_RESULT, result)
    result = _result_stories(leads, lead, plan.at_number, result)
    return _rows(lead, plan.at_s, channel, False, False, result, plan.at_actor)


def _result_stories(leads: LeadBatch, lead: np.ndarray, number: np.ndarray, result: np.ndarray) -> np.ndarray:
    """Call results bent to tell the result-code stories (see WRONG_NUMBER_SOURCE ...)."""
    key = leads.lead_no[lead].astype(np.uint64) * np.uint64(2654435761) + number.astype(np.uint64) * np.uint64(40503)
    u = ((key * np.uint64(2246822519)) % np.uint64(1 << 31)).astype(np.float64) / float(1 << 31)
    called = result != _NO_RESULT
    source, dealer = leads.source[lead], leads.dealer[lead]
    wrong = called & (result != _APPOINTMENT_SET) & (source == WRONG_NUMBER_SOURCE) & (u < WRONG_NUMBER_SHARE)
    result = np.where(wrong, _WRONG_NUMBER, result)
    missed = (result == _REACHED) & np.isin(dealer, LOW_REACH_DEALERS) & (u < LOW_REACH_MISSED)
    result = np.where(missed, _NO_ANSWER, result)
    result = np.where(called & (dealer == UNCODED_DEALER) & (u < UNCODED_SHARE), _NO_RESULT, result)
    unknown = called & (source == UNKNOWN_CODE_SOURCE) & (u > 0.9)
    result = np.where(unknown, _UNKNOWN_CODE, result)
    return np.where((result == _REACHED) & (u > 0.98), _PADDED_REACHED, result)


def _auto_responses(rng: np.random.Generator, net: Network, leads: LeadBatch) -> dict[str, np.ndarray]:
    """The CRM's automatic 'thank you' e-mail, seconds after the lead arrived."""
    has_email = (leads.email == _VALID) | (leads.email == _SUSPICIOUS)
    lead = np.flatnonzero(net.auto_responder[leads.dealer] & has_email & (leads.delivered_s >= 0))
    sent = leads.delivered_s[lead] + rng.integers(3, 90, lead.size)
    return _rows(lead, sent, EMAIL, False, True, _NO_RESULT, -1)


def _inbound(rng: np.random.Generator, leads: LeadBatch, plan: Contacts) -> dict[str, np.ndarray]:
    """Buyers who call or write themselves, more often when nobody answered their request."""
    n = leads.created_s.size
    chase = np.where(leads.delivered_s < 0, 0.25, np.where(plan.contacted, 0.08, 0.15))
    lead = np.flatnonzero(rng.uniform(size=n) < chase)
    size = lead.size
    occurred = leads.created_s[lead] + rng.lognormal(np.log(5 * HOUR_S), 1.5, size)
    channel = np.take(
        (PHONE, EMAIL, WHATSAPP, CHAT), np.searchsorted(_INBOUND_CHANNEL_CDF, rng.uniform(size=size))
    )
    channel = np.minimum(channel, CHAT)
    actor = np.where(rng.uniform(size=size) < 0.6, plan.primary_actor[lead], -1)
    result = np.where(channel == PHONE, _REACHED, _NO_RESULT)
    return _rows(lead, occurred, channel, True, False, result, actor)


def _visits(leads: LeadBatch, plan: Contacts, outcomes: Outcomes) -> dict[str, np.ndarray]:
    """The buyer comes to the showroom for the appointment."""
    lead = np.flatnonzero(outcomes.visit_s >= 0)
    return _rows(lead, outcomes.visit_s[lead], VISIT, True, False, _NO_RESULT, plan.primary_actor[lead])


def _early_stamps(rng: np.random.Generator, leads: LeadBatch, plan: Contacts) -> dict[str, np.ndarray]:
    """A few calls logged before the lead was created: a data error the dashboard must not count."""
    n = leads.created_s.size
    lead = np.flatnonzero(rng.uniform(size=n) < 0.003)
    occurred = leads.created_s[lead] - rng.integers(60, 4 * HOUR_S, lead.size)
    return _rows(lead, occurred, PHONE, False, False, _NO_ANSWER, plan.primary_actor[lead])
