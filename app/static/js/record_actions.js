// The action buttons of Flask-AppBuilder's record and list pages, without inline script.
// Each button carries its form's address and its question in data- attributes; the question is
// shown as text in the confirmation dialog (never as markup), and OK sends the form, or follows
// the action's own link where the action leaves for another site (Connect).
$(function () {
  var modal = $("#modal-confirm"), pending = null;

  function ask(question, proceed) {
    if (!question) { proceed(); return; }
    pending = proceed;
    modal.find(".modal-text").text(question);
    modal.modal("show");
  }

  $("#modal-confirm-ok").on("click", function (e) {
    if (!pending) { return; }
    e.preventDefault();
    var proceed = pending;
    pending = null;
    proceed();
  });

  function send(form, url) {
    if (url) { form.attr("action", url); }
    form.trigger("submit");
  }

  // A record page's action: its own hidden form sits just before the button.
  $(document).on("click", "a.oh-action", function (e) {
    e.preventDefault();
    var button = this;
    ask(button.getAttribute("data-confirm"), function () {
      var link = button.getAttribute("data-action-link");
      if (link) { window.location.assign(link); return; }
      var form = $(button).prev("form");
      send(form.length ? form : $("#action_form").first(), button.getAttribute("data-action-url"));
    });
  });

  // A list's actions menu: the rows ticked in that list go with the action's name.
  $(document).on("click", "a.oh-action-multiple", function (e) {
    e.preventDefault();
    var name = this.getAttribute("data-action"), list = $(this).parents().filter(function () {
      return $(this).find("form.oh-action-list").length > 0;
    }).first();
    var form = list.find("form.oh-action-list").first(), ticked = list.find("input.action_check:checked");
    if (!ticked.length) {
      $("#modal-alert .modal-text").text(this.getAttribute("data-none-selected") || "");
      $("#modal-alert").modal("show");
      return;
    }
    ask(this.getAttribute("data-confirm"), function () {
      form.find("input[name=action]").val(name);
      form.find("input.action_check").remove();
      ticked.each(function () { form.append($(this).clone()); });
      send(form);
    });
  });

  // A list's delete button.
  $(document).on("click", "a.oh-delete", function (e) {
    e.preventDefault();
    var url = this.getAttribute("data-action-url");
    ask(this.getAttribute("data-confirm"), function () {
      send($("#action_form, #delete_form").first(), url);
    });
  });

  // Ticking rows: the header box ticks them all; a ticked row is highlighted.
  $(document).on("change", "input.action_check", function () {
    $(this).closest("tr").toggleClass("success", this.checked);
  });
  $(document).on("click", "input.action_check_all", function () {
    $(this).closest("table").find("input.action_check").prop("checked", this.checked).trigger("change");
  });
});
