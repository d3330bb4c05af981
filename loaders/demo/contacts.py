"""What each demo lead's dealer does with it: whether and when it calls, how often, who calls.

The plan is made per lead first (is it followed up, how fast, will it end in an appointment,
a sale or a write-off), then expanded into one row per outbound attempt. Times are planned
without looking at the end of the data; ``Contacts.visible`` then drops what would lie after it,
which is why the most recent leads look less contacted and less closed, as in any live CRM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loaders.demo.calendar import HOUR_S, Calendar, next_opening
from loaders.demo.leads import LeadBatch
from loaders.demo.network import Network

# Follow-up by phone status (valid, missing, placeholder, invalid) is the dealer's rate raised to
# these powers: no number, fewer contacts; a diligent dealer writes instead, a careless one gives up.
_PHONE_FOLLOW_UP_POWER = np.array([1.0, 2.5, 2.2, 1.5])
_SERVICE, _OTHER, _TEST_DRIVE = 6, 7, 2
MAX_ATTEMPTS = 7
# Two busy dealers fell behind in the last days (a salesperson off sick, a CRM queue nobody
# watches): nearly all their leads of the last BACKLOG_DAYS before the data's end are not called
# yet, so the Follow-up page's "Waiting now" panel has a story today. Every BACKLOG_SPARED-th
# lead still gets its call.
BACKLOG_DAYS = 5
BACKLOG_SPARED = 8
_BACKLOG_DELAY_S = 8 * 86_400  # the backlog is swept after the data ends


@dataclass
class Contacts:
    """Per lead: the plan. Per attempt (``at_*``): the planned outbound contacts, in lead order."""

    contacted: np.ndarray  # planned to be contacted (the first attempt may still lie after the data's end)
    first_s: np.ndarray  # planned first contact, -1 if none
    last_s: np.ndarray  # planned last attempt, -1 if none
    attempts: np.ndarray  # planned number of attempts
    appointment: np.ndarray  # the last attempt sets an appointment
    sold: np.ndarray  # the lead is meant to end in a sale
    lost: np.ndarray  # the lead is meant to be written off
    hasty: np.ndarray  # written off right after the first attempt
    primary_actor: np.ndarray  # index into Network.actor_keys
    at_lead: np.ndarray  # per attempt: row of its lead in the batch
    at_number: np.ndarray  # 0 for the first attempt of a lead
    at_s: np.ndarray
    at_actor: np.ndarray  # -1: the CRM did not record who called


def plan_contacts(rng: np.random.Generator, net: Network, cal: Calendar, leads: LeadBatch) -> Contacts:
    """The follow-up plan of every lead in ``leads``."""
    n = leads.created_s.size
    d = leads.dealer
    p_follow = net.follow_rate[d] ** _PHONE_FOLLOW_UP_POWER[leads.phone]
    p_follow *= np.select([leads.lead_type == _SERVICE, leads.lead_type == _OTHER], [0.8, 0.7], 1.0)
    # A lead that never reached the CRM is only followed up if the buyer chases it.
    p_follow *= np.where(leads.delivered_s < 0, 0.03, 1.0)
    contacted = rng.uniform(size=n) < p_follow
    delay = rng.lognormal(np.log(net.response_median_s[d]), 1.6, n).astype(np.int64)
    # Some leads sit in a queue until someone sweeps the backlog days later: the long tail.
    backlog = rng.uniform(size=n) < 0.06
    delay += np.where(backlog, rng.exponential(3 * 86_400, n), 0).astype(np.int64)
    delay += np.where(stalled_today(net, cal, leads), _BACKLOG_DELAY_S, 0)
    start = np.maximum(leads.created_s, leads.delivered_s)
    first = np.where(contacted, next_opening(cal, start + delay, net.tz[d], rng), -1)
    response_h = (first - leads.created_s) / HOUR_S

    speed = np.select([response_h <= 1, response_h > 24], [1.25, 0.7], 1.0)
    skill = net.sales_skill[d]
    p_appointment = 0.36 * skill * speed * np.where(leads.lead_type == _TEST_DRIVE, 1.3, 1.0)
    appointment = contacted & (rng.uniform(size=n) < p_appointment)
    u = rng.uniform(size=n)
    sold = np.where(appointment, u < 0.5 * skill, np.where(contacted, u < 0.05 * skill, u < 0.01))
    p_write_off = np.where(contacted, 0.85, 0.55)
    lost = ~sold & ~appointment & (rng.uniform(size=n) < p_write_off)
    hasty = lost & contacted & (rng.uniform(size=n) < net.hasty_rate[d])

    attempts = 1 + np.minimum(rng.poisson(net.extra_attempts[d]), MAX_ATTEMPTS - 1)
    attempts = np.where(hasty, 1, attempts)
    attempts = np.where(contacted, attempts, 0)
    primary = net.actor_start[d] + (rng.uniform(size=n) * net.actor_count[d]).astype(np.int64)

    at_lead = np.repeat(np.arange(n), attempts)
    group_start = np.cumsum(attempts) - attempts
    at_number = np.arange(at_lead.size) - np.repeat(group_start, attempts)
    # Attempts after the first come hours to days apart, always inside opening hours.
    gap = np.where(at_number == 0, 0, rng.lognormal(np.log(20 * HOUR_S), 1.0, at_lead.size)).astype(np.int64)
    cumulative = np.cumsum(gap)
    raw = (
        first[at_lead] + cumulative - np.repeat(cumulative[group_start[attempts > 0]], attempts[attempts > 0])
    )
    at_s = np.where(at_number == 0, raw, next_opening(cal, raw, net.tz[d][at_lead], rng))
    last = np.full(n, -1, dtype=np.int64)
    if at_lead.size:
        last[attempts > 0] = np.maximum.reduceat(at_s, group_start[attempts > 0])
    at_actor = _actors(rng, net, d, primary, contacted, attempts, at_lead, at_number)
    return Contacts(
        contacted=contacted,
        first_s=first,
        last_s=last,
        attempts=attempts,
        appointment=appointment,
        sold=sold,
        lost=lost,
        hasty=hasty,
        primary_actor=primary,
        at_lead=at_lead,
        at_number=at_number,
        at_s=at_s,
        at_actor=at_actor,
    )


def backlog_dealers(net: Network) -> np.ndarray:
    """The two dealers with a backlog today: the busiest two apart from the CRM-switch dealer
    (indices into the network's dealers; which ones follows the seed, as every weight does)."""
    by_volume = [int(d) for d in np.argsort(-net.weight, kind="stable") if d != net.crm_switch_dealer]
    return np.array(sorted(by_volume[:2]))


def stalled_today(net: Network, cal: Calendar, leads: LeadBatch) -> np.ndarray:
    """Leads of a backlog dealer created in its last BACKLOG_DAYS before the data's end, that nobody
    calls before it ends. Chosen without drawing random numbers, so every other story stays as it was."""
    recent = leads.created_s >= cal.cutoff_s - BACKLOG_DAYS * 86_400
    spared = np.arange(leads.created_s.size) % BACKLOG_SPARED == 0
    return np.isin(leads.dealer, backlog_dealers(net)) & recent & ~spared


def _actors(
    rng: np.random.Generator,
    net: Network,
    dealer: np.ndarray,
    primary: np.ndarray,
    contacted: np.ndarray,
    attempts: np.ndarray,
    at_lead: np.ndarray,
    at_number: np.ndarray,
) -> np.ndarray:
    """Who made each attempt: the lead's salesperson, and at some dealers a second or third one too."""
    n = dealer.size
    count, start = net.actor_count[dealer], net.actor_start[dealer]
    own = primary - start
    # Distinct colleagues: offsets 1 + r and 2 + r from the primary never wrap back onto it.
    r = (rng.uniform(size=n) * (count - 2)).astype(np.int64)
    second = start + (own + 1 + r) % count
    third = start + (own + 2 + r) % count
    shared = contacted & (attempts >= 2) & (rng.uniform(size=n) < net.second_actor_rate[dealer])
    three = shared & (attempts >= 3) & (rng.uniform(size=n) < 0.25)
    lead_shared, lead_three = shared[at_lead], three[at_lead]
    takes_over = (at_number == 1) | (rng.uniform(size=at_lead.size) < 0.5)
    actor = np.where(lead_shared & (at_number >= 1) & takes_over, second[at_lead], primary[at_lead])
    actor = np.where(lead_three & (at_number == 2), third[at_lead], actor)
    # A few CRMs do not record who made the call.
    return np.where(rng.uniform(size=at_lead.size) < 0.03, -1, actor)


def visible(seconds: np.ndarray, cal: Calendar) -> np.ndarray:
    """True where a planned time (-1: none) is recorded by the end of the data."""
    return (seconds >= 0) & (seconds < cal.cutoff_s)
