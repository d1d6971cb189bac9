/* A list's "select all on this page" box ticks every row's box, and the bulk button counts the
   boxes ticked. Without JavaScript the box stays hidden and each row is ticked by hand; "all
   matching these filters" works either way. */
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var form = all.form;
    var name = all.getAttribute("data-select-all");
    var rows = function () {
      return Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="' + name + '"]'));
    };
    var count = function () {
      var ticked = rows().filter(function (box) { return box.checked; }).length;
      form.querySelectorAll("[data-selected-count]").forEach(function (out) { out.textContent = String(ticked); });
      all.checked = ticked > 0 && ticked === rows().length;
    };
    all.hidden = false;
    all.addEventListener("change", function () {
      rows().forEach(function (box) { box.checked = all.checked; });
      count();
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === name) {
        count();
      }
    });
    count();
  });
})();
