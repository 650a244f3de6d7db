// Search-as-you-type selects for large relations (customers, variants): select2 asks the server
// for at most 20 matches of what the clerk typed, instead of loading the whole table.
$(function () {
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
});
