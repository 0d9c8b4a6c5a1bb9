// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // Copy a citation (or a wording and its citation) to the clipboard.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.copy");
    if (!btn) return;
    var text = btn.getAttribute("data-copy") || "";
    var label = btn.getAttribute("data-label") || btn.textContent;
    btn.setAttribute("data-label", label);
    var done = function () {
      btn.classList.add("done");
      btn.textContent = btn.getAttribute("data-done") || "Copied";
      setTimeout(function () { btn.classList.remove("done"); btn.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
    } else { fallback(text); done(); }
  });
  function fallback(text) {
    var ta = document.createElement("textarea");
    ta.value = text; ta.setAttribute("readonly", ""); ta.className = "offscreen";
    document.body.appendChild(ta); ta.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to do */ }
    document.body.removeChild(ta);
  }
  // Print the report, every detail open.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.print");
    if (btn) window.print();
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  // The upload form: sent in the background, so that an error (a wrong API key) leaves the
  // chosen file in place; a report replaces the page's main part.
  function initUpload() {
    var upload = document.getElementById("upload-form");
    if (!upload || !window.fetch || !window.FormData || !window.DOMParser) return;
    upload.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var status = document.getElementById("upload-status");
      var failed = upload.getAttribute("data-failed") || "The upload failed.";
      var button = upload.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      if (status) status.textContent = upload.getAttribute("data-working") || "";
      fetch(upload.action, { method: "POST", body: new FormData(upload), headers: { "Accept": "text/html" } })
        .then(function (r) { return r.text().then(function (html) { return { ok: r.ok, html: html }; }); })
        .then(function (res) {
          var doc = new DOMParser().parseFromString(res.html, "text/html");
          var main = doc.querySelector("main");
          if (res.ok && main && doc.getElementById("report")) {
            document.querySelector("main").replaceWith(document.adoptNode(main));
            document.title = doc.title;
            initUpload();
            var report = document.getElementById("report");
            if (report) report.scrollIntoView();
            return;
          }
          var err = doc.querySelector("[role=alert]");
          if (status) status.textContent = err ? err.textContent.trim() : failed;
          if (button) button.disabled = false;
        })
        .catch(function () {
          if (status) status.textContent = failed;
          if (button) button.disabled = false;
        });
    });
  }
  initUpload();
})();
