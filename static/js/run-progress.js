/* Polls a matching run's or a bulk job's progress once a second and moves the server-rendered
   bar; reloads the page when it has finished (data-finished: the final statuses), so it shows
   the results or the error. Without JavaScript the page asks to be reloaded. */
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box || !box.hasAttribute("data-progress-url")) {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("run-progress-bar");
  var statusText = box.querySelector("[data-status]");
  var percentText = box.querySelector("[data-percent]");
  var hint = document.getElementById("reload-hint");
  var finished = (box.getAttribute("data-finished") || "succeeded failed").split(" ");
  if (hint) {
    hint.hidden = true;
  }

  function show(state) {
    var percent = Math.max(0, Math.min(100, Number(state.progress) || 0));
    bar.value = percent;
    bar.textContent = percent + "%";
    percentText.textContent = String(percent);
    statusText.textContent = box.getAttribute("data-label-" + state.status) || state.status;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (finished.indexOf(state.status) >= 0) {
          window.location.reload();
        } else {
          setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        // A dropped connection or a restarting server: try again, a little later.
        setTimeout(poll, 3000);
      });
  }

  setTimeout(poll, 1000);
})();
