"""The default close-reason taxonomy, used when the warehouse's ``close_reasons`` table is empty.

Built from a field list of write-off reasons used by a brand's BDC (business development
centre): each code has a category, a label, whether it is vague (it tells marketing nothing),
and where it applies, the next action sales or marketing should take.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class CloseReason:
    """One row of the ``close_reasons`` table."""

    code: str
    category: str
    label: str
    is_vague: bool = False
    next_action: str | None = None


DEFAULT_CLOSE_REASONS: tuple[CloseReason, ...] = (
    # pollution: the lead should never have been paid for
    CloseReason(
        "test_bug", "pollution", "Test or bug", next_action="Ask the lead source to filter test leads."
    ),
    CloseReason(
        "double_lead",
        "pollution",
        "Double lead",
        next_action="Ask the lead source to de-duplicate before sending.",
    ),
    CloseReason(
        "phone_missing",
        "pollution",
        "Phone number missing",
        next_action="Make the phone number mandatory on the form, or follow up by e-mail.",
    ),
    CloseReason(
        "not_for_bdc",
        "pollution",
        "Not intended for the BDC",
        next_action="Route this lead type directly to the right department.",
    ),
    CloseReason(
        "personal_data_incorrect",
        "pollution",
        "Personal data incorrect",
        next_action="Validate contact data on the form; try the other channel.",
    ),
    # not reached
    CloseReason(
        "not_reached_max_attempts",
        "not_reached",
        "Not reached after the maximum number of call attempts",
        next_action="Switch channel (SMS, e-mail, WhatsApp) before writing off.",
    ),
    CloseReason(
        "refused_call",
        "not_reached",
        "Refused the call",
        next_action="Offer the buyer's preferred channel instead of a call.",
    ),
    # no interest (specific)
    CloseReason(
        "bought_other_car",
        "no_interest",
        "Already bought another car",
        next_action="Check response time: buyers who buy elsewhere were often reached too late.",
    ),
    CloseReason(
        "trade_in_value_only",
        "no_interest",
        "Only looking for trade-in value",
        next_action="Hand over to used-car purchasing; keep in the nurture campaign.",
    ),
    CloseReason(
        "prefers_other_car",
        "no_interest",
        "Prefers another car",
        next_action="Tell marketing which model won; review the offer for this model.",
    ),
    CloseReason(
        "already_contacted_dealer",
        "no_interest",
        "Already contacted the dealer",
        next_action="Link the lead to the existing dealer contact to avoid double calls.",
    ),
    CloseReason(
        "visit_on_own_initiative",
        "no_interest",
        "Only wants to visit the dealer on own initiative",
        next_action="Send showroom hours and a contact name; do not call again.",
    ),
    CloseReason(
        "do_not_call",
        "no_interest",
        "Does not want to be called anymore",
        next_action="Record the objection and stop calls; respect it in every campaign.",
    ),
    CloseReason(
        "no_conversion_follow_up",
        "other",
        "No conversion / follow-up required",
        next_action="Schedule a follow-up task; do not close the lead.",
    ),
    CloseReason(
        "own_brand_other_dealer",
        "other",
        "Own brand, own zip code, other dealer",
        next_action="Aftersales campaign so the first service visit comes here.",
    ),
    # conversion: the lead became an appointment or a quote
    CloseReason("appointment_showroom", "conversion", "Appointment showroom"),
    CloseReason("appointment_test_drive", "conversion", "Appointment test drive"),
    CloseReason("quotation_request", "conversion", "Quotation request"),
    # vague: tells marketing nothing
    CloseReason(
        "no_interest",
        "no_interest",
        "No interest (vague)",
        is_vague=True,
        next_action="Ask the salesperson for the specific reason; coach on close codes.",
    ),
    CloseReason(
        "not_applicable",
        "other",
        "Not applicable (vague)",
        is_vague=True,
        next_action="Ask the salesperson for the specific reason; coach on close codes.",
    ),
    CloseReason(
        ".",
        "other",
        "'.' (no reason given)",
        is_vague=True,
        next_action="Make the close reason mandatory in the CRM.",
    ),
)

UNSPECIFIED_CATEGORY = "unspecified"


def default_close_reasons_frame() -> pl.DataFrame:
    """The default taxonomy as rows of the ``close_reasons`` table."""
    return pl.DataFrame(
        [r.__dict__ for r in DEFAULT_CLOSE_REASONS],
        schema={
            "code": pl.String,
            "category": pl.String,
            "label": pl.String,
            "is_vague": pl.Boolean,
            "next_action": pl.String,
        },
    )
