// Entering counts: Enter goes to the next visible line (and sends the form after the last); the
// filter box hides the lines whose SKU or name does not contain what is typed.
$(function () {
  var inputs = $(".count-input");
  inputs.on("keydown", function (e) {
    if (e.key !== "Enter") { return; }
    e.preventDefault();
    var visible = inputs.filter(":visible"), i = visible.index(this);
    if (i + 1 < visible.length) { visible.eq(i + 1).focus().select(); }
    else { $("#count-form").submit(); }
  });
  $("#count-filter").on("input", function () {
    var q = this.value.toLowerCase();
    $("#count-lines tbody tr").each(function () {
      $(this).toggle((this.getAttribute("data-search") || "").indexOf(q) >= 0);
    });
  }).on("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); inputs.filter(":visible").first().focus(); }
  });
});
