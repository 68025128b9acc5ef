// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";
  // Ask before approving (buttons with data-confirm).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    // Long operations: show that something is happening and prevent a second submit.
    if (button && button.dataset.busy) {
      window.setTimeout(function () { button.disabled = true; button.textContent = button.dataset.busy; }, 0);
    }
  });
  // A job's page follows its progress live instead of reloading.
  var job = document.getElementById("job");
  if (!job || job.dataset.state !== "running") { return; }
  var stateText = job.querySelector(".job-state");
  var bar = job.querySelector("progress");
  var count = job.querySelector(".job-count");
  function poll() {
    fetch(job.dataset.jobUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.percent !== null) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
        count.textContent = count.textContent.replace(/\d+\s*\/\s*(\d+|\?)/, data.done + " / " + (data.total === null ? "?" : data.total));
        if (data.state === "running") { window.setTimeout(poll, 1000); return; }
        stateText.textContent = stateText.dataset["label" + data.state.charAt(0).toUpperCase() + data.state.slice(1)];
        window.location.reload();
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
