// The Import page follows a background check or import: the bar moves with the job's progress
// and the page reloads to show the report (or the bad rows) when the job is done.
(function () {
  "use strict";
  var box = document.querySelector(".oh-import-job[data-running='1']");
  if (!box) { return; }
  var bar = box.querySelector(".progress-bar"), count = box.querySelector(".oh-import-count");
  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (j) {
      if (j.total) {
        var pct = Math.round(100 * j.done / j.total);
        bar.style.width = pct + "%"; bar.textContent = pct + "%"; bar.setAttribute("aria-valuenow", pct);
        count.textContent = j.done + " / " + j.total;
      }
      if (j.running) { setTimeout(poll, 700); } else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 500);
})();
