// The product form's variant matrix: name up to three attributes (Màu, Size…), list their values,
// generate every combination as a variant with a SKU from a pattern, edit each row (SKU, prices,
// weight, size, barcode, opening stock per warehouse), and send it all as JSON in the form's
// hidden field. Built with the DOM only (textContent / value), never with HTML strings.
(function () {
  "use strict";
  var root = document.getElementById("variant-matrix");
  if (!root) { return; }
  var hidden = root.querySelector("input[type=hidden]");
  var config = JSON.parse(document.getElementById("variant-matrix-config").textContent);
  var L = config.labels, warehouses = config.warehouses;
  var NUMBERS = [["selling_price", L.sellingPrice], ["cost_price", L.costPrice], ["weight_g", L.weight],
                 ["length_cm", L.length], ["width_cm", L.width], ["height_cm", L.height]];
  var state;
  try { state = JSON.parse(hidden.value || "{}"); } catch (e) { state = {}; }
  state.attributes = state.attributes || [];
  state.rows = state.rows || [];
  state.pattern = state.pattern || "{sku}-{1}-{2}-{3}";
  var defaults = {};

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "text") { node.textContent = props[key]; }
      else if (key === "class") { node.className = props[key]; }
      else if (key.indexOf("data-") === 0) { node.setAttribute(key, props[key]); }
      else { node[key] = props[key]; }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toUpperCase().replace(/[^A-Z0-9]+/g, " ").trim().split(" ").join("-");
  }

  function productSku() {
    var input = document.getElementById("sku");
    return input ? input.value.trim() : "";
  }

  function skuFor(values) {
    var text = (state.pattern || "{sku}-{1}-{2}-{3}").replace(/\{(sku|[123])\}/g, function (_, key) {
      return key === "sku" ? productSku() : fold(values[Number(key) - 1] || "");
    });
    return text.replace(/-{2,}/g, "-").replace(/^[-_ ]+|[-_ ]+$/g, "");
  }

  // The attributes in use: named or given values (an unnamed one is refused by the server with a
  // message, rather than its values lost).
  function named() {
    return state.attributes.filter(function (a) { return (a.name || "").trim() || a.values.length; });
  }

  function key(values) {
    return values.map(function (v) { return fold(v); }).join("|");
  }

  function combinations(lists) {
    return lists.reduce(function (acc, list) {
      var out = [];
      acc.forEach(function (prefix) { list.forEach(function (v) { out.push(prefix.concat([v])); }); });
      return out;
    }, [[]]);
  }

  function generate() {
    var attributes = named();
    var combos = attributes.length ? combinations(attributes.map(function (a) { return a.values; })) : [[]];
    var byKey = {};
    state.rows.forEach(function (row) { byKey[key(row.values || [])] = row; });
    var rows = [];
    combos.forEach(function (values) {
      var found = byKey[key(values)];
      if (found) { found.values = values; rows.push(found); delete byKey[key(values)]; return; }
      var row = {id: null, values: values, sku: skuFor(values), active: true, barcode: "", opening: {}};
      NUMBERS.forEach(function (n) { row[n[0]] = defaults[n[0]] || ""; });
      rows.push(row);
    });
    // Saved variants outside the new combinations stay (untick "Active" to stop selling one).
    Object.keys(byKey).forEach(function (k) { if (byKey[k].id) { rows.push(byKey[k]); } });
    state.rows = rows;
    drawTable();
  }

  // --- attributes ---------------------------------------------------------------------------
  var attributeBox = el("div", {class: "oh-matrix-attributes"});
  function drawAttributes() {
    attributeBox.textContent = "";
    state.attributes.forEach(function (attribute, index) {
      var name = el("input", {class: "form-control oh-attr-name", value: attribute.name || "",
                              placeholder: L.attributeName, "data-index": index});
      name.addEventListener("input", function () { attribute.name = name.value; drawHead(); });
      var values = el("input", {class: "form-control oh-attr-values", value: attribute.values.join(", "),
                                placeholder: L.values});
      values.addEventListener("input", function () {
        attribute.values = values.value.split(",").map(function (v) { return v.trim(); })
          .filter(function (v, i, all) { return v && all.indexOf(v) === i; });
      });
      var remove = el("button", {type: "button", class: "btn btn-default btn-sm oh-attr-remove", text: "✕",
                                 title: L.remove});
      remove.addEventListener("click", function () {
        state.attributes.splice(index, 1);
        drawAttributes(); drawHead();
      });
      attributeBox.appendChild(el("div", {class: "oh-matrix-attribute form-inline"}, [
        el("label", {text: L.attribute + " " + (index + 1)}), name, values, remove]));
    });
    addButton.disabled = state.attributes.length >= 3;
  }
  var addButton = el("button", {type: "button", class: "btn btn-default btn-sm oh-attr-add", text: L.addAttribute});
  addButton.addEventListener("click", function () {
    if (state.attributes.length < 3) { state.attributes.push({name: "", values: []}); drawAttributes(); }
  });

  // --- pattern, defaults, generate ----------------------------------------------------------
  var pattern = el("input", {class: "form-control oh-pattern", value: state.pattern});
  pattern.addEventListener("input", function () { state.pattern = pattern.value; });
  var generateButton = el("button", {type: "button", class: "btn btn-primary btn-sm oh-generate", text: L.generate});
  generateButton.addEventListener("click", generate);
  var defaultInputs = NUMBERS.map(function (n) {
    var input = el("input", {class: "form-control input-sm oh-default", placeholder: n[1], title: n[1],
                             "data-key": n[0]});
    input.addEventListener("input", function () { defaults[n[0]] = input.value.trim(); });
    return input;
  });
  var applyAll = el("button", {type: "button", class: "btn btn-default btn-sm oh-apply-all", text: L.applyAll});
  applyAll.addEventListener("click", function () {
    state.rows.forEach(function (row) {
      NUMBERS.forEach(function (n) { if (defaults[n[0]]) { row[n[0]] = defaults[n[0]]; } });
    });
    drawTable();
  });

  // --- the variants table -------------------------------------------------------------------
  var table = el("table", {class: "table table-condensed table-bordered oh-matrix-table"});
  var thead = el("thead"), tbody = el("tbody");
  table.appendChild(thead); table.appendChild(tbody);
  var count = el("p", {class: "text-muted oh-matrix-count"});

  function drawHead() {
    thead.textContent = "";
    var cells = named().map(function (a, i) {
      return el("th", {class: "oh-attr-title", text: (a.name || "").trim() || L.attribute + " " + (i + 1)});
    });
    cells.push(el("th", {text: L.sku}));
    NUMBERS.forEach(function (n) { cells.push(el("th", {text: n[1]})); });
    cells.push(el("th", {text: L.barcode}));
    warehouses.forEach(function (w) { cells.push(el("th", {text: L.opening + " " + w.code, title: w.name})); });
    cells.push(el("th", {text: L.active}));
    thead.appendChild(el("tr", {}, cells));
  }

  function cellInput(row, field, extra) {
    var input = el("input", Object.assign({class: "form-control input-sm", value: row[field] == null ? "" : row[field],
                                           "data-field": field}, extra || {}));
    input.addEventListener("input", function () { row[field] = input.value.trim(); });
    return el("td", {}, [input]);
  }

  function drawTable() {
    drawHead();
    tbody.textContent = "";
    var width = named().length;
    state.rows.forEach(function (row, index) {
      var cells = [];
      for (var i = 0; i < width; i++) { cells.push(el("td", {class: "oh-value", text: (row.values || [])[i] || ""})); }
      cells.push(cellInput(row, "sku", {required: true}));
      NUMBERS.forEach(function (n) {
        cells.push(cellInput(row, n[0], n[0] === "selling_price" || n[0] === "cost_price" ? {placeholder: L.blankPrice} : {}));
      });
      cells.push(cellInput(row, "barcode"));
      row.opening = row.opening || {};
      warehouses.forEach(function (w) {
        var stocked = row.stocked && Object.prototype.hasOwnProperty.call(row.stocked, String(w.id));
        if (stocked) {
          cells.push(el("td", {class: "text-muted oh-stocked", text: row.stocked[String(w.id)] + " (" + L.hasStock + ")"}));
          return;
        }
        var input = el("input", {class: "form-control input-sm oh-opening", value: row.opening[w.id] || "",
                                 "data-warehouse": w.code});
        input.addEventListener("input", function () { row.opening[w.id] = input.value.trim(); });
        cells.push(el("td", {}, [input]));
      });
      if (row.id) {
        var box = el("input", {type: "checkbox", checked: row.active !== false, class: "oh-active"});
        box.addEventListener("change", function () { row.active = box.checked; });
        cells.push(el("td", {}, [box]));
      } else {
        var remove = el("button", {type: "button", class: "btn btn-link btn-sm oh-row-remove", text: "✕", title: L.remove});
        remove.addEventListener("click", function () { state.rows.splice(index, 1); drawTable(); });
        cells.push(el("td", {}, [remove]));
      }
      tbody.appendChild(el("tr", {class: "oh-matrix-row", "data-sku": row.sku || ""}, cells));
    });
    count.textContent = state.rows.length ? L.variants.replace("%(count)s", state.rows.length) : L.noVariants;
  }

  root.appendChild(el("div", {class: "oh-matrix-setup"}, [
    attributeBox, el("p", {}, [addButton]),
    el("div", {class: "form-inline oh-matrix-pattern"}, [el("label", {text: L.pattern}), pattern,
      el("small", {class: "text-muted", text: " " + L.patternHelp})]),
    el("div", {class: "form-inline oh-matrix-defaults"}, [el("label", {text: L.defaults})]
      .concat(defaultInputs).concat([applyAll])),
    el("p", {}, [generateButton])]));
  root.appendChild(count);
  root.appendChild(el("div", {class: "table-responsive"}, [table]));
  drawAttributes();
  drawTable();

  var form = root.closest("form");
  if (form) {
    form.addEventListener("submit", function () {
      hidden.value = JSON.stringify({
        attributes: named().map(function (a) { return {name: (a.name || "").trim(), values: a.values}; }),
        pattern: state.pattern,
        rows: state.rows.map(function (row) {
          var out = {id: row.id || null, values: row.values || [], sku: row.sku, active: row.active !== false,
                     barcode: row.barcode || "", opening: row.opening || {}};
          NUMBERS.forEach(function (n) { out[n[0]] = row[n[0]] == null ? "" : row[n[0]]; });
          return out;
        })
      });
    });
  }
})();
