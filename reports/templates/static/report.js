// Findings table: filter, sort, page, and details on demand. Every finding string is
// placed with textContent; nothing from the data is ever parsed as HTML.
(function () {
  "use strict";
  var PAGE = 250;
  var data = JSON.parse(document.getElementById("findings-data").textContent);
  var body = document.getElementById("findings-body");
  var more = document.getElementById("show-more");
  var countEl = document.getElementById("match-count");
  var controls = {
    severity: document.getElementById("filter-severity"),
    tool: document.getElementById("filter-tool"),
    stage: document.getElementById("filter-stage"),
    text: document.getElementById("filter-text"),
    suppressed: document.getElementById("filter-suppressed")
  };
  var RANK = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };
  var sortKey = "rank", sortDir = -1, shown = 0, matches = data;

  data.forEach(function (f) {
    // One lower-case haystack per finding, built once, so typing stays fast with 10,000 rows.
    f._text = [f.title, f.rule, f.tool, f.loc, f.id, f.desc || "", (f.vulns || []).join(" "),
      (f.cwes || []).join(" "), (f.pkgs || []).map(function (p) { return p.name; }).join(" ")].join("\n").toLowerCase();
  });

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function compare(a, b) {
    var x = a[sortKey], y = b[sortKey];
    if (typeof x === "string") { x = x.toLowerCase(); y = String(y).toLowerCase(); }
    if (x < y) return -sortDir;
    if (x > y) return sortDir;
    return b.rank - a.rank || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0);
  }

  function apply() {
    var minRank = controls.severity.value ? RANK[controls.severity.value] : -1;
    var tool = controls.tool.value, stage = controls.stage.value;
    var words = controls.text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var withSuppressed = controls.suppressed.checked;
    matches = data.filter(function (f) {
      if (f.rank < minRank) return false;
      if (tool && f.tool !== tool) return false;
      if (stage && f.stage !== stage) return false;
      if (!withSuppressed && f.supp) return false;
      for (var i = 0; i < words.length; i++) if (f._text.indexOf(words[i]) < 0) return false;
      return true;
    });
    matches.sort(compare);
    countEl.textContent = String(matches.length);
    body.textContent = "";
    shown = 0;
    draw();
  }

  function draw() {
    var end = Math.min(matches.length, shown + PAGE);
    var frag = document.createDocumentFragment();
    for (var i = shown; i < end; i++) frag.appendChild(row(matches[i]));
    body.appendChild(frag);
    shown = end;
    more.hidden = shown >= matches.length;
    more.textContent = "Show " + Math.min(PAGE, matches.length - shown) + " more (" + (matches.length - shown) + " not shown)";
  }

  function row(f) {
    var tr = el("tr", "finding-row" + (f.supp ? " suppressed" : ""));
    var sev = el("td"); sev.appendChild(el("span", "sev sev-" + f.sev, f.sev));
    tr.appendChild(sev);
    tr.appendChild(el("td", "nowrap", f.tool));
    tr.appendChild(el("td", "nowrap", f.stage.toUpperCase()));
    tr.appendChild(el("td", "mono", f.rule));
    var title = el("td", "title", f.title);
    if (f.supp) title.appendChild(el("span", "tag", "suppressed"));
    if (f.gate) title.appendChild(el("span", "tag gate", "counts against gate"));
    tr.appendChild(title);
    tr.appendChild(el("td", "loc mono", f.loc));
    tr.addEventListener("click", function () { toggle(tr, f); });
    return tr;
  }

  function toggle(tr, f) {
    var next = tr.nextSibling;
    if (next && next.classList && next.classList.contains("details")) { next.remove(); return; }
    var d = el("tr", "details"), td = el("td");
    td.colSpan = 6;
    td.appendChild(details(f));
    d.appendChild(td);
    tr.parentNode.insertBefore(d, tr.nextSibling);
  }

  function details(f) {
    var box = el("div", "details"), dl = el("dl");
    function add(label, value, cls) {
      if (value === undefined || value === null || value === "" || (value.length === 0)) return;
      dl.appendChild(el("dt", "", label));
      var dd = el("dd", cls || "");
      if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
      dl.appendChild(dd);
    }
    function links(urls) {
      var list = el("div");
      urls.forEach(function (u) {
        var line = el("div");
        if (/^https?:\/\//i.test(u)) {
          var a = el("a", "", u); a.href = u; a.rel = "noopener noreferrer"; a.target = "_blank";
          line.appendChild(a);
        } else line.textContent = u;
        list.appendChild(line);
      });
      return list;
    }
    add("Finding Id", f.id, "mono");
    add("Severity", f.sev + (f.native ? " (tool: " + f.native + ")" : "") + (f.conf ? ", confidence " + f.conf : ""));
    add("Category", f.cat);
    add("Description", f.desc);
    (f.code || []).forEach(function (c) {
      add("File", c.path + (c.line ? ":" + c.line + (c.end && c.end !== c.line ? "-" + c.end : "") : "") + (c.col ? " col " + c.col : ""), "mono");
      if (c.snippet) { var pre = el("pre", "", c.snippet); add("Code", pre); }
    });
    (f.web || []).forEach(function (w) {
      add("URL", (w.method ? w.method.toUpperCase() + " " : "") + w.url, "mono");
      add("Parameter", w.param, "mono");
      add("Attack", w.attack, "mono");
      add("Evidence", w.evidence, "mono");
    });
    if (f.iac) {
      add("Template", f.iac.template + (f.iac.line ? ":" + f.iac.line : ""), "mono");
      add("Resource", (f.iac.logical || "") + (f.iac.type ? " (" + f.iac.type + ")" : ""), "mono");
    }
    add("Vulnerabilities", (f.vulns || []).join(", "));
    add("CWE", (f.cwes || []).join(", "));
    (f.cvss || []).forEach(function (c) {
      add("CVSS " + c.v, (c.score !== undefined ? c.score : "") + (c.vector ? "  " + c.vector : "") + (c.source ? "  (" + c.source + ")" : ""), "mono");
    });
    (f.pkgs || []).forEach(function (p) {
      add("Package", p.name + (p.version ? " " + p.version : "") + (p.fixed ? "  → fixed in " + p.fixed : "  (no fixed version)")
        + (p.eco ? "  [" + p.eco + "]" : "") + (p.file ? "  " + p.file : ""), "mono");
    });
    add("Remediation", f.rem);
    if (f.remUrl) add("Remediation link", links([f.remUrl]));
    var refs = (f.refs || []).filter(function (u) { return u !== f.remUrl; });
    if (refs.length) add("References", links(refs));
    if (f.supp) add("Suppressed", f.suppReason || "yes (no reason given)");
    if (f.verdict && !f.supp) add("Gate", f.verdict);
    box.appendChild(dl);
    return box;
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.findings th.sortable"), function (th) {
    th.addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      sortDir = key === sortKey ? -sortDir : (key === "rank" ? -1 : 1);
      sortKey = key;
      Array.prototype.forEach.call(th.parentNode.children, function (o) { o.classList.remove("sorted-asc", "sorted-desc"); });
      th.classList.add(sortDir > 0 ? "sorted-asc" : "sorted-desc");
      apply();
    });
  });
  var timer = null;
  controls.text.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
  ["severity", "tool", "stage", "suppressed"].forEach(function (k) { controls[k].addEventListener("change", apply); });
  more.addEventListener("click", draw);
  document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  apply();
})();
