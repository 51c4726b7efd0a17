// twhooks inspector: the live list (polls the feed every second) and the copy buttons.
// Plain JavaScript, no build step. Every value from the feed is untrusted: it is only ever
// put in the page as text (textContent), never as HTML.
(function () {
  "use strict";
  var POLL_MS = 1000;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }

  function cell(row, parts) {
    var td = document.createElement("td");
    parts.forEach(function (p) { if (p) td.appendChild(p); });
    row.appendChild(td);
    return td;
  }

  function rowFor(r) {
    var tr = el("tr", "row new" + (r.verified ? "" : " unverified"));
    tr.setAttribute("data-id", String(r.id));
    var link = el("a", null, r.time);
    link.href = r.detail;
    cell(tr, [link]).className = "nowrap";
    cell(tr, [document.createTextNode(r.kind), r.replay ? el("span", "tag", "retry") : null]).className = "nowrap";
    cell(tr, [document.createTextNode(r.from + " \u2192 " + r.to), r.body ? el("div", "body", r.body) : null]).className = "nums";
    cell(tr, [el("span", "verdict v-" + r.verdict.replace(/[^a-z_-]/g, ""), r.verdict), r.reason ? el("div", "reason", r.reason) : null]);
    cell(tr, [document.createTextNode(r.handler || "\u2014"), r.why ? el("div", "why", r.why) : null]);
    cell(tr, [document.createTextNode(String(r.status))]).className = "nowrap";
    cell(tr, [document.createTextNode(r.duration_ms + " ms")]).className = "nowrap";
    return tr;
  }

  function startLive(table) {
    var tbody = table.querySelector("tbody");
    var last = parseInt(table.getAttribute("data-last"), 10) || 0;
    var query = table.getAttribute("data-query") || "";
    // From location.origin, which never holds a user name or password: a page opened as
    // http://user:pass@host/... resolves a relative URL with them, and fetch() refuses those.
    var feed = new URL(table.getAttribute("data-feed"), window.location.origin).href;
    var state = document.getElementById("live-state");
    var dot = document.getElementById("live-dot");
    var empty = document.getElementById("empty");
    var busy = false;

    function poll() {
      if (busy) return;
      busy = true;
      var url = feed + "?" + (query ? query + "&" : "") + "after=" + last;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (resp) {
          if (!resp.ok) throw new Error("HTTP " + resp.status);
          return resp.json();
        })
        .then(function (data) {
          var rows = data.rows || [];
          for (var i = rows.length - 1; i >= 0; i--) {
            if (table.querySelector('tr[data-id="' + rows[i].id + '"]')) continue;
            tbody.insertBefore(rowFor(rows[i]), tbody.firstChild);
          }
          while (tbody.children.length > 200) tbody.removeChild(tbody.lastChild);
          if (data.last > last) last = data.last;
          if (rows.length && empty) empty.classList.add("hidden");
          if (state) state.textContent = "live: updated " + new Date().toLocaleTimeString();
          if (dot) dot.className = "dot on";
        })
        .catch(function (err) {
          if (state) state.textContent = "offline (" + err.message + "), retrying\u2026";
          if (dot) dot.className = "dot off";
        })
        .then(function () { busy = false; });
    }
    poll();
    setInterval(poll, POLL_MS);
  }

  function copyText(text, button) {
    function done(ok) {
      var label = button.getAttribute("data-label") || button.textContent;
      button.setAttribute("data-label", label);
      button.textContent = ok ? "Copied" : "Select and copy below";
      setTimeout(function () { button.textContent = label; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      return;
    }
    // Plain http on another host than localhost: the old way.
    var area = el("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    done(ok);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("webhooks");
    if (table) startLive(table);
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () { copyText(button.getAttribute("data-copy"), button); });
    });
  });
})();
