// MEMon's page script: times in the viewer's zone, and on the live
// overview a quiet refresh every few seconds (no full reload) plus filters
// that apply as you type. Everything works without it.
(function () {
  "use strict";
  // The viewer's zone, written as the server writes every time
  // ("2026-12-01 20:55:00 CET"): 24-hour whatever the locale, so a cell
  // never mixes "07:55 PM" with "20:55".
  var parts = new Intl.DateTimeFormat("en-CA", {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    hourCycle: "h23", timeZoneName: "short"
  });
  function localTime(d) {
    var p = {};
    parts.formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + ":" + p.second + " " + p.timeZoneName;
  }
  function localize(root) {
    root.querySelectorAll("time[data-local]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      if (!t.title) t.title = t.textContent;
      t.textContent = localTime(d);
      t.removeAttribute("data-local");
    });
  }
  localize(document);
  document.documentElement.classList.add("js");

  var events = document.getElementById("events");
  if (!document.body.dataset.live || !events) return;

  var form = document.querySelector("form.filters");
  var busy = false, again = false, timer = null;
  function target() {
    if (!form) return location.pathname + location.search;
    var p = new URLSearchParams(new FormData(form));
    ["q", "status", "tag"].forEach(function (k) { if (!p.get(k)) p.delete(k); });
    var s = p.toString();
    return location.pathname + (s ? "?" + s : "");
  }
  function swap(doc, sel) {
    var from = doc.querySelector(sel), to = document.querySelector(sel);
    if (from && to) to.innerHTML = from.innerHTML;
  }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var url = target();
    fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        swap(doc, "#events"); swap(doc, ".counts"); swap(doc, "#updated");
        localize(document);
        document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
        document.body.classList.remove("stale");
      })
      .catch(function () { document.body.classList.add("stale"); })
      .finally(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  function schedule() {
    clearInterval(timer);
    // data-live is the refresh period in seconds: 5 on memon-config ui, 60 on
    // the hosted status page (whose key shares one request rate).
    var every = Math.max(5, Number(document.body.dataset.live) || 5);
    timer = setInterval(function () { if (document.visibilityState === "visible") refresh(); }, every * 1000);
  }
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") refresh(); });
  if (form) {
    var wait = null;
    var apply = function () {
      history.replaceState(null, "", target());
      refresh();
    };
    form.addEventListener("input", function () { clearTimeout(wait); wait = setTimeout(apply, 150); });
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  }
  schedule();
})();
