/* Reports page: poll each rendering report's status and update its progress; reload when it finishes or fails. */
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-report-status]");
  if (!nodes.length || !window.fetch) {
    return;
  }
  function poll(node) {
    fetch(node.getAttribute("data-report-status"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return;
        }
        if (data.status === "done" || data.status === "failed") {
          window.location.reload();
          return;
        }
        var bar = node.querySelector("progress");
        var text = node.querySelector("[data-progress-text]");
        if (bar) { bar.value = data.progress; }
        if (text) { text.textContent = data.progress + "%"; }
        window.setTimeout(function () { poll(node); }, 2000);
      })
      .catch(function () { window.setTimeout(function () { poll(node); }, 5000); });
  }
  Array.prototype.forEach.call(nodes, function (node) { window.setTimeout(function () { poll(node); }, 1500); });
})();
