/* A form sent back with errors: focus moves to its error summary, so that a keyboard or screen
   reader user starts from what needs correcting. */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) {
    return;
  }
  if (!summary.hasAttribute("tabindex")) {
    summary.setAttribute("tabindex", "-1");
  }
  summary.focus();
})();
