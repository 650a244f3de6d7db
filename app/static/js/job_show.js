// A job's page follows the job while it runs: its state, bar and count from the progress URL
// every second, then the page reloads to show the outcome.
(function () {
  var box = document.querySelector(".oh-job");
  if (!box || ["queued", "started"].indexOf(box.dataset.status) < 0) { return; }
  var bar = box.querySelector(".progress-bar"), count = box.querySelector(".oh-job-count");
  var state = box.querySelector(".oh-job-status");
  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (j) {
      box.dataset.done = j.done; box.dataset.total = j.total; box.dataset.status = j.status;
      state.textContent = j.state;
      if (j.total) {
        var pct = Math.round(100 * j.done / j.total);
        bar.style.width = pct + "%"; bar.textContent = pct + "%"; bar.setAttribute("aria-valuenow", pct);
        count.textContent = j.done + " / " + j.total;
      }
      if (j.running) { setTimeout(poll, 1000); } else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
