/* Search as you type for a field that takes an id or a code (data-lookup: the API address,
   ending in its search parameter): up to ten suggestions in the field's datalist, each the value
   to enter with a label to recognise it by. Without JavaScript the field takes the value typed. */
(function () {
  "use strict";
  function read(row, path) {
    return path.split(".").reduce(function (value, key) { return value == null ? value : value[key]; }, row);
  }
  document.querySelectorAll("input[data-lookup]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var labels = input.getAttribute("data-lookup-label").split(" ");
    var valueKey = input.getAttribute("data-lookup-value");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var typed = input.value.trim();
      if (typed.length < 2) {
        return;
      }
      timer = setTimeout(function () {
        fetch(input.getAttribute("data-lookup") + encodeURIComponent(typed), {
          headers: { Accept: "application/json" }, credentials: "same-origin"
        })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.textContent = "";
            (data.results || []).slice(0, 10).forEach(function (row) {
              var option = document.createElement("option");
              option.value = read(row, valueKey);
              option.label = labels.map(function (path) { return read(row, path); }).filter(Boolean).join(" · ");
              list.appendChild(option);
            });
          })
          .catch(function () { /* no suggestions: the field still takes what is typed */ });
      }, 250);
    });
  });
})();
