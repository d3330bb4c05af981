"""The access file: parsing, every problem reported at once, matching, roles, reload without restart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.access.access_file import AccessFileError, Identity, parse_access_file
from dashboard.access.roles import RESTRICTED_PAGES, Role, UserAccess
from dashboard.access.watch import current_access_file
from loaders.request.access_scope import AccessScope
from loaders.request.query import Scope

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "access.example.toml"

FILE = """
contact = "Maria, leadline@example.com"

[[grant]]
name = "brand A Italy"
role = "brand"
domains = ["brand-a.example"]
brands = ["A"]
markets = ["it"]

[[grant]]
name = "brand B"
role = "brand"
idp_groups = ["team-b"]
brands = ["B"]

[[grant]]
name = "dealer group G1"
role = "dealer_group"
emails = ["Principal@G1.example"]
dealer_groups = ["G1"]

[[grant]]
name = "dealer D7"
role = "dealer_group"
emails = ["principal@g1.example", "other@d7.example"]
dealers = ["D7"]

[[grant]]
name = "analysts"
role = "analyst"
idp_groups = ["analysts"]
brands = ["A", "C"]

[[grant]]
name = "admins"
role = "admin"
emails = ["root@example.com"]
"""


def access(who: Identity) -> UserAccess:
    return parse_access_file(FILE).access_for(who)


A_IT = Scope(brands=("A",), markets=("IT",))


@pytest.mark.parametrize(
    ("who", "roles", "scope"),
    [
        # brand: by domain; markets are upper-cased
        (Identity("anna@brand-a.example", email_verified=True), {Role.BRAND}, AccessScope.of([A_IT])),
        # a sub-domain is another domain
        (Identity("anna@eu.brand-a.example", email_verified=True), set(), AccessScope.nothing()),
        # by group claim
        (Identity("bob@elsewhere.example", ("team-b",), email_verified=True), {Role.BRAND}, AccessScope.of([Scope(brands=("B",))])),
        # matches by e-mail are case-insensitive; two entries -> the union of both grants
        (
            Identity("principal@g1.example", email_verified=True),
            {Role.DEALER_GROUP},
            AccessScope.of([Scope(dealer_group_ids=("G1",)), Scope(dealer_ids=("D7",))]),
        ),
        # several roles: brand A in IT by domain, plus brand B by group
        (
            Identity("anna@brand-a.example", ("team-b",), email_verified=True),
            {Role.BRAND},
            AccessScope.of([A_IT, Scope(brands=("B",))]),
        ),
        (Identity("ann@brand-a.example", ("analysts",), email_verified=True), {Role.BRAND, Role.ANALYST},
         AccessScope.of([A_IT, Scope(brands=("A", "C"))])),
        (Identity("root@example.com", email_verified=True), {Role.ADMIN}, AccessScope.everything()),
        # deny by default: unknown user, no e-mail, unverified e-mail
        (Identity("stranger@example.org", email_verified=True), set(), AccessScope.nothing()),
        (Identity(None), set(), AccessScope.nothing()),
        (Identity("anna@brand-a.example", email_verified=False), set(), AccessScope.nothing()),
        # an unverified e-mail still gets what the provider's groups grant
        (Identity("x@brand-a.example", ("team-b",), email_verified=False), {Role.BRAND},
         AccessScope.of([Scope(brands=("B",))])),
    ],
)  # fmt: skip
def test_matching_gives_the_union_of_matched_entries(
    who: Identity, roles: set[Role], scope: AccessScope
) -> None:
    got = access(who)
    assert got.roles == roles
    assert got.scope == scope
    assert got.has_access is bool(roles)


def test_pages_and_scopes_per_role() -> None:
    dealer = access(Identity("principal@g1.example", email_verified=True))
    assert (
        not dealer.may_open("campaigns") and dealer.may_open("overview") and not dealer.may_open("settings")
    )
    brand = access(Identity("anna@brand-a.example", email_verified=True))
    assert brand.may_open("campaigns") and not brand.may_open("settings") and not brand.is_admin
    assert brand.may_export("view") and not brand.may_export("bulk")
    analyst = access(Identity("x@example.org", ("analysts",), email_verified=True))
    assert analyst.may_export("bulk") and analyst.may_open("campaigns")
    admin = access(Identity("root@example.com", email_verified=True))
    assert admin.may_open("settings") and admin.is_admin
    nobody = access(Identity("stranger@example.org", email_verified=True))
    assert not any(nobody.may_open(p) for p in ("overview", "campaigns", "settings"))
    assert not nobody.may_export("view")


def test_a_page_shows_only_the_grants_whose_role_may_open_it() -> None:
    """A brand marketer who is also a dealer principal sees campaigns of the brand only."""
    both = parse_access_file(FILE).access_for(Identity("principal@g1.example", ("team-b",), email_verified=True))
    assert both.role is Role.BRAND  # the broadest role is named
    assert both.scope_for_page("campaigns") == AccessScope.of([Scope(brands=("B",))])
    assert both.scope_for_page("overview") == both.scope
    assert both.dealer_scope == AccessScope.of([Scope(dealer_group_ids=("G1",)), Scope(dealer_ids=("D7",))])
    assert both.scope_for_export("bulk").is_nothing


def test_restricted_pages_are_named_in_the_role_table() -> None:
    assert RESTRICTED_PAGES["campaigns"] == {Role.BRAND, Role.ANALYST, Role.ADMIN}
    assert RESTRICTED_PAGES["settings"] == {Role.ADMIN}


def test_identity_from_id_token_claims() -> None:
    parsed = parse_access_file('group_claim = "roles"\nemail_claim = "upn"\n')
    who = parsed.identity({"upn": " Anna@Brand-A.example ", "roles": "team-b", "email_verified": True})
    assert who == Identity("anna@brand-a.example", ("team-b",), True)
    default = parse_access_file("")
    assert default.identity({"email": "a@b.example", "groups": ["g1", "g2"]}).idp_groups == ("g1", "g2")
    assert default.identity({}) == Identity(None)
    assert default.contact == "your Leadline administrator" and default.entries == ()


BAD = """
contatc = "typo"

[[grant]]
role = "brnad"
emails = "ok@example.com"

[[grant]]
name = "dealer with brands"
role = "dealer_group"
domains = ["@dealer.example"]
brands = ["A"]

[[grant]]
name = "nobody"
role = "analyst"
brands = []

[[grant]]
name = "admin limited"
role = "admin"
emails = ["a@example.com"]
markets = ["IT"]
dealres = ["D1"]

[[grant]]
name = "brand without brands"
role = "brand"
emails = [1]
"""


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(AccessFileError) as caught:
        parse_access_file(BAD, "access.toml")
    problems = caught.value.problems
    expected = [
        "top level: unknown key 'contatc'. Did you mean 'contact'?",
        "[[grant]] #1: role 'brnad' is not one of: brand, dealer_group, analyst, admin",
        "[[grant]] #2 (dealer with brands): domain '@dealer.example' holds '@'",
        "[[grant]] #2 (dealer with brands): dealer_group entries cannot limit brands",
        "[[grant]] #2 (dealer with brands): dealer_group entries need dealer_groups or dealers",
        "[[grant]] #3 (nobody): says nobody it applies to",
        "[[grant]] #3 (nobody): brands is empty, so the entry grants nothing",
        "[[grant]] #4 (admin limited): unknown key 'dealres'. Did you mean 'dealers'?",
        "[[grant]] #4 (admin limited): admin entries cannot limit markets",
        "[[grant]] #5 (brand without brands): emails must be a list of non-empty strings",
        "[[grant]] #5 (brand without brands): brand entries need brands",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), f"missing: {text}\nin: {problems}"
    assert len(problems) == len(expected)
    assert "access.toml has 11 problem(s)" in caught.value.describe()
    assert "docs/access.md" in caught.value.describe()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("grant = 3", "grant must be an array of tables"),
        ("[[grant]\n", "not valid TOML"),
        ("contact = ''", "contact must be a non-empty string"),
        ("grant = [1]", "[[grant]] #1: must be a table"),
    ],
)
def test_malformed_files(text: str, problem: str) -> None:
    with pytest.raises(AccessFileError) as caught:
        parse_access_file(text)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_the_example_file_is_valid_and_covers_every_role() -> None:
    parsed = parse_access_file(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE)
    assert {e.role for e in parsed.entries} == set(Role)
    assert parsed.access_for(Identity("someone@aurelia.example", email_verified=True)).scope == AccessScope.of(
        [Scope(brands=("Aurelia",))]
    )


def test_the_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text('[[grant]]\nrole = "admin"\nemails = ["a@example.com"]\n', encoding="utf-8")
    who = Identity("a@example.com", email_verified=True)
    assert current_access_file(path).access_for(who).is_admin
    stat = path.stat()
    # Same size and modification time, other content: still noticed.
    path.write_text('[[grant]]\nrole = "admin"\nemails = ["b@example.com"]\n', encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert not current_access_file(path).access_for(who).has_access
    # An invalid file fails closed, then recovers once fixed.
    path.write_text('[[grant]]\nrole = "boss"\n', encoding="utf-8")
    with pytest.raises(AccessFileError):
        current_access_file(path)
    path.write_text('[[grant]]\nrole = "admin"\nemails = ["a@example.com"]\n', encoding="utf-8")
    assert current_access_file(path).access_for(who).is_admin
    path.unlink()
    with pytest.raises(AccessFileError, match="does not exist"):
        current_access_file(path)


def test_everything_is_an_admin_grant() -> None:
    demo = UserAccess.everything()
    assert demo.is_admin and demo.scope.is_everything and demo.may_open("settings")
    assert UserAccess().role is None and not UserAccess().has_access
