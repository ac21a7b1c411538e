// The payroll run page while its calculation runs: poll the JSON status and
// update the bar; reload the page when the calculation has finished or failed
// (the server then renders the register or the error).  Without JavaScript the
// page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("run-progress-bar");
  var label = document.getElementById("run-progress-label");
  var url = box.getAttribute("data-url");
  var failures = 0;

  function show(data) {
    if (bar && typeof data.percent === "number") { bar.value = data.percent; bar.textContent = data.percent + "%"; }
    if (label && data.label) {
      label.textContent = data.label + (data.phase === "computing" && data.total ? " · " + data.done + " / " + data.total : "");
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        show(data);
        if (data.active) { window.setTimeout(poll, 700); }
        else { window.location.replace(window.location.pathname + (data.failed ? "" : "?done=calculated")); }
      })
      .catch(function () {
        failures += 1;
        window.setTimeout(poll, Math.min(5000, 1000 * failures));
      });
  }

  window.setTimeout(poll, 500);
})();
