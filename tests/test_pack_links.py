"""The account's CRM address (params/accounts.yaml ``base_url``) reaches the reports that link to deals as their
``deal_links`` parameter, and only those (a report without the parameter would refuse it)."""

from crmreports.batch.pack import build_jobs
from crmreports.batch.run import notebook_parameters


def test_links_go_to_the_reports_that_declare_deal_links(fixture_store, tmp_path):
    reports = ["sales_analysis", "managers", "marketing", "audit"]
    jobs = build_jobs(
        "2026-10",
        reports,
        ["team"],
        str(fixture_store),
        "ru",
        str(tmp_path),
        ("html",),
        links="https://romashka.kommo.com",
    )
    got = {j.report: dict(j.extra).get("deal_links") for j in jobs}
    assert got == {
        "sales_analysis": None,  # no deal lists with links: the parameter is not given
        "managers": "https://romashka.kommo.com",
        "marketing": "https://romashka.kommo.com",
        "audit": "https://romashka.kommo.com",
    }
    assert all("deal_links" in notebook_parameters(r) for r in ("managers", "marketing", "audit"))
    # without an address nothing is passed and the reports fall back to the store's subdomain (API accounts)
    assert all(
        not j.extra
        for j in build_jobs("2026-10", reports, ["team"], str(fixture_store), "ru", str(tmp_path), ("html",))
    )


def test_a_pack_builds_a_report_only_for_the_scopes_it_is_made_for(fixture_store, tmp_path):
    # the fixture has one group and two managers: sales_analysis gets team + 1 + 2; the audit (a team report) only
    # the team
    jobs = build_jobs(
        "2026-10",
        ["sales_analysis", "audit"],
        ["team", "groups", "managers"],
        str(fixture_store),
        "ru",
        str(tmp_path),
        ("html",),
    )
    assert [(j.report, j.scope) for j in jobs] == [
        ("sales_analysis", "team"),
        ("sales_analysis", "group-otdel-1"),
        ("sales_analysis", "anna-ivanova"),
        ("sales_analysis", "boris-petrov"),
        ("audit", "team"),
    ]
