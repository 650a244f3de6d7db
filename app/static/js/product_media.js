// The product page's media panel: removing a file asks first.
(function () {
  "use strict";
  document.querySelectorAll(".oh-media-panel form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
