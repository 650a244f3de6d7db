// Behaviour shared by OrderHub's pages, wired from markup (no inline script, no on*= handlers).
$(function () {
  // Search-as-you-type selects for large relations (customers, variants): select2 asks the server
  // for at most 20 matches of what the clerk typed, instead of loading the whole table.
  $("select.oh-search-select").each(function () {
    var elem = $(this);
    elem.select2({
      theme: "bootstrap",
      allowClear: true,
      placeholder: elem.data("placeholder") || "Type to search",
      minimumInputLength: 1,
      ajax: {
        url: elem.data("endpoint"),
        dataType: "json",
        delay: 200,
        data: function (params) { return {q: params.term}; },
        processResults: function (data) { return {results: data.results}; }
      }
    });
  });

  // <select data-autosubmit>: choosing an entry sends its form (a filter such as the warehouse).
  $(document).on("change", "select[data-autosubmit]", function () { this.form.submit(); });

  // <input type="checkbox" data-check-all="selector">: ticks or clears every box the selector names.
  $(document).on("change", "input[data-check-all]", function () {
    $(this.getAttribute("data-check-all")).prop("checked", this.checked);
  });
});
