// Quick order: search-as-you-type for the customer and the variants, and the order's lines.
// Search hits and lines are built as DOM nodes whose text is set with textContent: a customer's
// name or a product's label is data, never markup. The page gives its addresses in data-
// attributes and its words in the JSON block #quick-order-words.
$(function () {
  var form = document.getElementById("quick-order");
  if (!form) { return; }
  var words = JSON.parse(document.getElementById("quick-order-words").textContent);
  var customerHits = document.getElementById("customer_hits");
  var variantHits = document.getElementById("variant_hits");
  var customerTimer, variantTimer, lastCustomers = [], lastVariants = [];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function hitLink(cls, index, text) {
    var a = el("a", {href: "#", tabindex: "-1", "class": "list-group-item " + cls}, text);
    a.dataset.i = String(index);
    return a;
  }
  function fill(list, nodes) { list.replaceChildren.apply(list, nodes); }

  $("#customer_search").on("input", function () {
    clearTimeout(customerTimer);
    var q = this.value;
    customerTimer = setTimeout(function () {
      $.getJSON(form.dataset.customersUrl, {q: q}, function (hits) {
        lastCustomers = hits;
        fill(customerHits, hits.map(function (h, i) {
          return hitLink("customer-hit", i, h.name + " — " + (h.phone || "") + " (" + h.orders + " " +
                         words.orders + ", " + h.failed + " " + words.failed + ")");
        }));
      });
    }, 200);
  });
  $(customerHits).on("click", ".customer-hit", function (e) {
    e.preventDefault();
    var h = lastCustomers[Number(this.dataset.i)];
    $("#customer_id").val(h.id); $("#name").val(h.name); $("#phone").val(h.phone);
    fill(customerHits, []);
    showRisk(h);
  });
  function showRisk(h) {
    if (h && h.risky) { $("#customer_warning").text(h.warning).show(); }
    else { $("#customer_warning").hide(); }
  }
  $("#name, #phone").on("input", function () { $("#customer_id").val(""); });
  // A known phone typed in full: the server says whose it is and how their orders went.
  $("#phone").on("change blur", function () {
    var phone = this.value;
    if (phone.replace(/\D/g, "").length < 9) { return; }
    $.getJSON(form.dataset.customerUrl, {phone: phone}, showRisk);
  });

  function cell(children) {
    var td = el("td");
    children.forEach(function (c) { td.append(c); });
    return td;
  }
  function addLine(v) {
    var remove = el("a", {href: "#", "class": "remove-line", tabindex: "-1"}, "✕");
    var row = el("tr");
    row.append(
      cell([v.sku, el("input", {type: "hidden", name: "line_variant", value: String(v.id)})]),
      cell([v.label]),
      cell([String(v.available)]),
      cell([el("input", {"class": "form-control line-qty", name: "line_qty", value: "1", size: "4"})]),
      cell([el("input", {"class": "form-control", name: "line_price", value: String(v.price)})]),
      cell([remove]));
    document.querySelector("#lines tbody").append(row);
    fill(variantHits, []);
    $("#variant_search").val("").focus();
  }
  $("#variant_search").on("input", function () {
    clearTimeout(variantTimer);
    var q = this.value;
    variantTimer = setTimeout(function () {
      $.getJSON(form.dataset.variantsUrl, {q: q, warehouse_id: $("#warehouse_id").val()}, function (hits) {
        lastVariants = hits;
        fill(variantHits, hits.map(function (v, i) {
          var hit = hitLink("variant-hit", i, v.sku + " — " + v.label + " — " + v.available + " " + words.available);
          if (v.image) {  // the product's cover picture, before its text
            hit.insertBefore(el("img", {src: v.image, "class": "oh-thumb", alt: ""}), hit.firstChild);
          }
          return hit;
        }));
      });
    }, 200);
  }).on("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); if (lastVariants.length) { addLine(lastVariants[0]); } }
  });
  $(variantHits).on("click", ".variant-hit", function (e) {
    e.preventDefault();
    addLine(lastVariants[Number(this.dataset.i)]);
  });
  $("#lines").on("click", ".remove-line", function (e) { e.preventDefault(); $(this).closest("tr").remove(); });
  // Enter in a line's box goes back to the search (the next item), never submits half an order.
  $("#lines").on("keydown", "input", function (e) {
    if (e.key === "Enter") { e.preventDefault(); $("#variant_search").focus(); }
  });
});
