// The indexing banner: while an index run fills the index (the demo's background run), poll
// /ready and say how far it has got. Included by base.html; separate from app.js on purpose.
(function () {
  "use strict";
  var POLL_MS = 3000;
  var banner = null;

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "estimating the time left";
    if (seconds < 90) return "less than 2 minutes left";
    return "about " + Math.round(seconds / 60) + " minutes left";
  }

  function number(n) {
    return Number(n || 0).toLocaleString("en");
  }

  function show(text, done) {
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "index-progress";
      banner.setAttribute("role", "status");
      banner.setAttribute("aria-live", "polite");
      // Styles through the CSSOM: the page's CSP allows no inline style attributes.
      var s = banner.style;
      s.padding = "0.4em 1em";
      s.fontSize = "0.9em";
      s.borderBottom = "1px solid #c9b458";
      s.background = "#fdf6d8";
      s.color = "#3d3300";
      var header = document.querySelector("header.top");
      if (header && header.parentNode) header.parentNode.insertBefore(banner, header.nextSibling);
      else document.body.insertBefore(banner, document.body.firstChild);
    }
    banner.textContent = text;
    banner.dataset.state = done ? "done" : "indexing";
  }

  function poll() {
    fetch("/ready", { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        var ix = body && body.indexing;
        if (ix && ix.active) {
          show(
            "Indexing the rest of the corpus in the background: " + number(ix.files_done) + " of " +
              number(ix.files_total) + " files, " + number(ix.passages) + " passages indexed, " +
              minutes(ix.eta_seconds) + ". Answers already cover what is indexed; new documents " +
              "join them as they are done.",
            false
          );
          window.setTimeout(poll, POLL_MS);
        } else if (banner) {
          show("Indexing finished: " + number(ix ? ix.passages : body.passages) + " passages searchable.", true);
        }
      })
      .catch(function () { if (banner) window.setTimeout(poll, POLL_MS * 3); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", poll);
  else poll();
})();
