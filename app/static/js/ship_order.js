// Create shipment: the chosen carrier and service go to hidden fields, and the fees are quoted
// again as the clerk changes weight, size, COD or payer. The quote address is a data- attribute,
// the words come from the JSON block #ship-form-words; answers are written with textContent.
(function () {
  var form = document.getElementById("ship-form");
  if (!form) { return; }
  var status = document.getElementById("quote-status"), timer = null;
  var words = JSON.parse(document.getElementById("ship-form-words").textContent);
  var fields = ["cod_amount", "fee_payer", "weight_g", "length_cm", "width_cm", "height_cm"];

  form.querySelectorAll("input[name=choice]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var parts = radio.value.split("|");
      document.getElementById("carrier").value = parts[0];
      document.getElementById("service").value = parts[1];
    });
  });

  function requote() {
    var params = new URLSearchParams();
    fields.forEach(function (n) { params.set(n, form.elements[n].value); });
    status.textContent = words.quoting;
    fetch(form.dataset.quoteUrl + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (body) { return [r.status, body]; }); })
      .then(function (res) {
        var body = res[1];
        if (res[0] !== 200) { status.textContent = body.message || words.no_quote; return; }
        Object.keys(body).forEach(function (carrier) {
          ["fast", "economy"].forEach(function (service) {
            var cell = document.getElementById("fee-" + carrier + "-" + service), q = body[carrier][service];
            if (cell) { cell.textContent = q ? q.fee_text : "—"; }
          });
        });
        status.textContent = words.quoted;
      })
      .catch(function () { status.textContent = words.no_quote; });
  }
  fields.forEach(function (n) {
    form.elements[n].addEventListener("change", requote);
    form.elements[n].addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(requote, 600); });
  });
  document.getElementById("requote").addEventListener("click", requote);
})();
