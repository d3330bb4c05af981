"""The administrators' settings view: secrets hidden, grants listed, names no lead has flagged."""

from __future__ import annotations

from dashboard.access.access_file import parse_access_file
from dashboard.access.auth_config import AuthConfig
from dashboard.ui.settings_view import grant_rows, settings_rows, sign_in_summary, unknown_names

FILE = parse_access_file(
    '[[grant]]\nname = "A in IT"\nrole = "brand"\ndomains = ["a.example"]\nbrands = ["A", "Zeta"]\nmarkets = ["IT"]\n'
    '[[grant]]\nrole = "dealer_group"\nemails = ["p@g.example"]\nidp_groups = ["g"]\ndealers = ["D1", "D404"]\n'
)


def test_secrets_are_never_shown() -> None:
    env = {
        "LEADLINE_PSEUDONYM_SECRET": "very-secret-key",
        "LEADLINE_WAREHOUSE_URL": "postgresql+psycopg://reader:hunter2@db.example/leads",
    }
    rows = {r["setting"]: r["value"] for r in settings_rows(env).iter_rows(named=True)}
    assert rows["pseudonym_secret"] == "set"
    assert "hunter2" not in rows["warehouse_url"] and "***" in rows["warehouse_url"]
    bad = {
        r["setting"]: r["value"]
        for r in settings_rows({"LEADLINE_MIN_GROUP_SIZE": "zero"}).iter_rows(named=True)
    }
    assert bad["min_group_size"].startswith("unusable:")


def test_grants_and_names_no_lead_has() -> None:
    rows = grant_rows(FILE).rows()
    assert rows == [
        ("A in IT", "brand", "@a.example", "brands A, Zeta in markets IT"),
        ("grant #2", "dealer_group", "p@g.example, group g", "dealers D1, D404"),
    ]
    known = {"brand": {"A": "A"}, "market": {"IT": "IT"}, "dealer_id": {"D1": "Dealer 1"}}
    assert unknown_names(FILE, known) == [
        "A in IT: brands Zeta: no leads in this period (a typo?)",
        "grant #2: dealers D404: no leads in this period (a typo?)",
    ]


def test_sign_in_summary() -> None:
    assert sign_in_summary(None).startswith("Demo mode")
    assert "Microsoft, Okta" in sign_in_summary(AuthConfig(("microsoft", "okta"), "https://x/oauth2callback"))
