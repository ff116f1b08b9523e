"""A page on another origin, in headless Chromium, tries to write to the hub's API
(issue 12 item 8): the "simple" text/plain POST a browser sends without asking, and the
JSON + Authorization one that needs a preflight. Neither changes the finding."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.hub.conftest import PRODUCT_ARN, make_finding

pytestmark = pytest.mark.browser

ATTACK = """<!doctype html><title>cute cats</title><script>
const forged = JSON.stringify({Findings: [FINDING]});
window.attempts = Promise.allSettled([
  fetch("HUB/findings/import", {method: "POST", mode: "no-cors", body: forged,
                                headers: {"Content-Type": "text/plain"}}),
  fetch("HUB/findings/import", {method: "POST", body: forged,
                                headers: {"Content-Type": "application/json",
                                          "Authorization": "AWS4-HMAC-SHA256 Credential=x, Signature=0"}}),
  fetch("HUB/findings", {method: "POST", body: "{}", headers: {"Content-Type": "application/json"}})
    .then(r => r.text()),
]).then(results => results.map(r => r.status + ":" + (r.value === undefined ? "" : String(r.value).slice(0, 80))));
</script>"""


@pytest.fixture
def evil_origin(hub, securityhub) -> Iterator[str]:
    forged = make_finding("target", Title="retitled by another site", RecordState="ARCHIVED")
    page = ATTACK.replace("HUB", hub.endpoint_url).replace("FINDING", json.dumps(forged)).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_on_another_origin_cannot_write_or_read_findings(browser, hub, securityhub, evil_origin):
    securityhub.batch_import_findings(Findings=[make_finding("target", Title="real title")])
    page = browser.new_page()
    page.goto(evil_origin)
    outcomes = page.evaluate("window.attempts")
    page.close()
    found = securityhub.get_findings(Filters={"Id": [{"Value": "target", "Comparison": "EQUALS"}],
                                              "ProductArn": [{"Value": PRODUCT_ARN, "Comparison": "EQUALS"}]})
    finding = found["Findings"][0]
    assert (finding["Title"], finding["RecordState"]) == ("real title", "ACTIVE"), outcomes
    # The no-cors POST settles opaquely; the preflighted ones and the cross-origin read are refused.
    assert outcomes[1].startswith("rejected") and outcomes[2].startswith("rejected"), outcomes
