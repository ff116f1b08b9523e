"""The console in headless Chromium: filter, open a finding, suppress it with a note, check through boto3."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.hub.conftest import make_finding

pytestmark = pytest.mark.browser
SCREENSHOT = Path("/tmp/secpipe-hub-console.png")


def _seed(securityhub) -> None:
    securityhub.batch_import_findings(Findings=[
        make_finding("sqli", Title="SQL injection in login handler", Severity={"Label": "CRITICAL"},
                     GeneratorId="semgrep/python.sqlalchemy.security.sqli",
                     Description="User input reaches a raw SQL query.",
                     Remediation={"Recommendation": {"Text": "Use bound parameters.",
                                                     "Url": "https://owasp.org/www-community/attacks/SQL_Injection"}},
                     Resources=[{"Type": "Other", "Id": "shop@main:app/login.py", "Details": {"Other": {
                         "path": "app/login.py", "startLine": "42", "repository": "shop"}}}],
                     Vulnerabilities=[{"Id": "CWE-89", "CodeVulnerabilities": [{"Cwes": ["CWE-89"]}]}],
                     ProductFields={"secpipe/tool": "semgrep", "secpipe/repo": "shop", "secpipe/branch": "main"}),
        make_finding("lodash", Title="lodash prototype pollution", Severity={"Label": "HIGH"},
                     GeneratorId="trivy/CVE-2021-23337",
                     Vulnerabilities=[{"Id": "CVE-2021-23337", "Cvss": [{"Version": "3.1", "BaseScore": 7.2,
                                       "BaseVector": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
                                       "VulnerablePackages": [{"Name": "lodash", "Version": "4.17.20",
                                                               "FixedInVersion": "4.17.21", "PackageManager": "npm"}]}],
                     ProductFields={"secpipe/tool": "trivy", "secpipe/repo": "shop", "secpipe/branch": "main"}),
        make_finding("hsts", Title="Strict-Transport-Security header not set", Severity={"Label": "LOW"},
                     GeneratorId="zap/10035",
                     Resources=[{"Type": "Other", "Id": "https://shop.test/login", "Details": {"Other": {
                         "url": "https://shop.test/login", "method": "GET", "parameter": "none"}}}],
                     ProductFields={"secpipe/tool": "zap", "secpipe/repo": "shop", "secpipe/branch": "dev"}),
        make_finding("assert", Title="Assert used", Severity={"Label": "LOW"},
                     ProductFields={"secpipe/tool": "bandit", "secpipe/repo": "tools", "secpipe/branch": "main"}),
    ])


def test_filter_open_suppress_with_note_then_boto3_sees_it(browser, hub, securityhub):
    _seed(securityhub)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(hub.console_url)
    assert page.locator("table.findings tbody tr").count() == 4

    page.check("input[name=severity][value=LOW]")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("table.findings tbody tr").count() == 2
    page.select_option("select[name=tool]", "zap")  # submits on change
    page.wait_for_url("**tool=zap**")
    rows = page.locator("table.findings tbody tr")
    assert rows.count() == 1
    assert "Strict-Transport-Security" in rows.first.inner_text()

    page.click("a.title")
    page.wait_for_selector("#workflow-form")
    assert "https://shop.test/login" in page.inner_text("body")
    page.select_option("#workflow-form select[name=status]", "SUPPRESSED")
    page.fill("#workflow-form input[name=note]", "HSTS is set by the CDN in front of the app")
    page.fill("#workflow-form input[name=updated_by]", "reviewer")
    page.click("#workflow-form button[type=submit]")
    page.wait_for_selector(".flash")
    assert page.inner_text("#workflow-status") == "SUPPRESSED"
    assert "HSTS is set by the CDN" in page.inner_text("ol.notes")

    found = securityhub.get_findings(Filters={"Id": [{"Value": "hsts", "Comparison": "EQUALS"}]})["Findings"][0]
    assert found["Workflow"]["Status"] == "SUPPRESSED"
    assert found["Note"]["Text"] == "HSTS is set by the CDN in front of the app"
    assert found["Note"]["UpdatedBy"] == "reviewer"
    others = securityhub.get_findings(Filters={"WorkflowStatus": [{"Value": "NEW", "Comparison": "EQUALS"}]})
    assert {f["Id"] for f in others["Findings"]} == {"sqli", "lodash", "assert"}

    # The detail view of a code finding and of a dependency finding.
    page.goto(hub.console_url)
    page.click("text=SQL injection in login handler")
    body = page.inner_text("body")
    assert "app/login.py" in body and "42" in body and "CWE-89" in body and "Use bound parameters." in body
    page.goto(hub.console_url)
    page.click("text=lodash prototype pollution")
    body = page.inner_text("body")
    assert "CVE-2021-23337" in body and "4.17.21" in body and "7.2" in body
    page.goto(hub.console_url)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
