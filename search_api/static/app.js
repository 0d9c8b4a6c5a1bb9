// Progressive enhancement only: the page works without JavaScript.
(function () {
  "use strict";
  // Copy a citation to the clipboard.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.copy");
    if (!btn) return;
    var text = btn.getAttribute("data-copy") || "";
    var done = function () {
      btn.classList.add("done");
      btn.textContent = "Copied";
      setTimeout(function () { btn.classList.remove("done"); btn.textContent = "Copy citation"; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
    } else { fallback(text); done(); }
  });
  function fallback(text) {
    var ta = document.createElement("textarea");
    ta.value = text; ta.setAttribute("readonly", ""); ta.style.position = "absolute"; ta.style.left = "-9999px";
    document.body.appendChild(ta); ta.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to do */ }
    document.body.removeChild(ta);
  }
  // Refresh the filter options with counts for the current query, from /facets.
  var form = document.getElementById("search-form");
  var q = document.getElementById("q");
  if (!form || !q || !q.value.trim()) return;
  fetch("/facets?limit=300&q=" + encodeURIComponent(q.value.trim()))
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data) return;
      document.querySelectorAll("select[data-facet]").forEach(function (sel) {
        var values = data.facets[sel.getAttribute("data-facet")] || [];
        var current = sel.value;
        var seen = {};
        while (sel.options.length > 1) sel.remove(1);
        values.forEach(function (f) {
          var opt = document.createElement("option");
          opt.value = String(f.value); opt.textContent = f.value + " (" + f.count + " in these results)";
          if (String(f.value) === current) opt.selected = true;
          seen[String(f.value)] = true;
          sel.appendChild(opt);
        });
        if (current && !seen[current]) {
          var keep = document.createElement("option");
          keep.value = current; keep.textContent = current; keep.selected = true; sel.appendChild(keep);
        }
      });
    })
    .catch(function () { /* keep the server-rendered options */ });
})();
