// Province → ward selects (address forms): search-as-you-type over today's administrative
// divisions (app/web/lookup.py). The value sent is the unit's name; choosing another province
// clears the ward. Texts come from the select's data- attributes (the page's language).
$(function () {
  function messages(elem) {
    return {
      noResults: function () { return elem.data("noResults"); },
      searching: function () { return elem.data("searching"); },
      errorLoading: function () { return elem.data("errorLoading"); },
      loadingMore: function () { return elem.data("searching"); },
      removeAllItems: function () { return elem.data("placeholder"); }
    };
  }
  function byName(data) {
    return {results: data.results.map(function (r) { return {id: r.text, text: r.text}; })};
  }
  $("select.oh-province-select").each(function () {
    var elem = $(this);
    elem.select2({
      theme: "bootstrap", allowClear: true, width: "100%", minimumInputLength: 0,
      placeholder: elem.data("placeholder"), language: messages(elem),
      ajax: {url: elem.data("endpoint"), dataType: "json", delay: 150,
             data: function (params) { return {q: params.term || ""}; }, processResults: byName}
    });
  });
  $("select.oh-ward-select").each(function () {
    var elem = $(this), province = $("#" + elem.data("provinceField"));
    var language = messages(elem);
    language.noResults = function () {
      return province.val() ? elem.data("noResults") : elem.data("needsProvince");
    };
    elem.select2({
      theme: "bootstrap", allowClear: true, width: "100%", minimumInputLength: 0,
      placeholder: elem.data("placeholder"), language: language,
      ajax: {url: elem.data("endpoint"), dataType: "json", delay: 150,
             data: function (params) { return {q: params.term || "", province: province.val() || ""}; },
             processResults: byName}
    });
    province.on("change", function () {
      if (elem.data("province") !== province.val()) { elem.val(null).trigger("change"); }
      elem.data("province", province.val());
    });
    elem.data("province", province.val());
  });
});
