// The order page's line editing (templates/orderhub/_order_lines_edit.html): a remove button asks
// first, and choosing a variant in "Add line" puts its price, grouped the reader's way, in the
// price box (left as it is when the clerk already typed one).
$(function () {
  $("form.oh-line-remove[data-confirm]").on("submit", function () {
    return window.confirm(this.dataset.confirm);
  });
  var form = $("form.oh-add-line");
  if (!form.length) { return; }
  var grouping = form.get(0).dataset.grouping || ",";
  var price = form.find("input[name=unit_price]");
  var chosenPrice = null;
  form.find("select[name=variant]").on("select2:select", function (e) {
    var data = e.params && e.params.data;
    if (!data || data.price === undefined || data.price === null) { return; }
    var shown = String(Math.round(Number(data.price))).replace(/\B(?=(\d{3})+(?!\d))/g, grouping);
    if (!price.val() || price.val() === chosenPrice) {
      price.val(shown);
      chosenPrice = shown;
    }
  });
});
