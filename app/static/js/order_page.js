// The order page's next-step buttons: a step that asks first (data-confirm) is sent only on yes.
$(function () {
  $("form.oh-step[data-confirm]").on("submit", function () {
    return window.confirm(this.getAttribute("data-confirm"));
  });
});
