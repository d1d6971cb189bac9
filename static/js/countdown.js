/* Ticks the server-rendered countdown to a call's deadline; the page reads fine without it. */
(function () {
  "use strict";
  var MINUTE = 60 * 1000;

  function start(el) {
    var target = Date.parse(el.getAttribute("data-target"));
    if (isNaN(target)) {
      return;
    }
    var timer = null;
    function tick() {
      var left = Math.max(0, target - Date.now());
      var minutes = Math.floor(left / MINUTE);
      var hours = Math.floor(minutes / 60);
      var days = Math.floor(hours / 24);
      if (left === 0) {
        el.textContent = el.getAttribute("data-over");
        el.classList.add("closed");
        if (timer) {
          clearInterval(timer);
        }
      } else if (days > 0) {
        el.textContent = el.getAttribute("data-long").replace("{d}", days).replace("{h}", hours % 24);
      } else {
        el.textContent = el.getAttribute("data-short").replace("{h}", hours).replace("{m}", minutes % 60);
      }
    }
    tick();
    timer = setInterval(tick, 15 * 1000);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-countdown]"), start);
})();
