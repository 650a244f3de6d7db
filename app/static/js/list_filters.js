// Flask-AppBuilder's list filters, started from the JSON blocks its search widget leaves in the page.
$(function () {
  $("form.oh-filter-form").each(function () {
    var data = {};
    $(this).nextAll("script.oh-filter-data").each(function () {
      data[this.getAttribute("data-name")] = JSON.parse(this.textContent);
    });
    new AdminFilters(this, data.labels, data.form, data.filters, data.active);
  });
});
