/* Draws the statistics pages' charts with the vendored Chart.js. Each <figure data-chart="id">
   names the json_script element holding its figures:
     {"horizontal": bool, "labels": [...], "datasets": [{"label", "axis": "x"|"x2"|"y", "data"}]}
   A dataset on axis "x2" gets a scale of its own along the top (student places beside project
   counts). The figures are also in the table beside each chart, which is what screen readers and
   browsers without JavaScript get: the figure stays hidden unless a chart was drawn. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var COLOURS = ["#0b5cad", "#c0392b", "#1a7f37", "#9a6700"];
  var BAR = 14;          // pixels per bar, horizontal charts
  var GROUP_GAP = 12;    // pixels between groups of bars
  var locale = document.documentElement.lang || "zh-hans";
  var format = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });

  function valueScale(position, colour, title, ownGrid) {
    return {
      type: "linear",
      position: position,
      beginAtZero: true,
      grid: { drawOnChartArea: ownGrid },
      ticks: { color: colour, callback: function (value) { return format.format(value); } },
      title: { display: Boolean(title), text: title, color: colour }
    };
  }

  function config(spec) {
    var valueAxes = {};
    var datasets = spec.datasets.map(function (set, index) {
      var colour = COLOURS[index % COLOURS.length];
      var axis = set.axis || (spec.horizontal ? "x" : "y");
      (valueAxes[axis] = valueAxes[axis] || []).push({ label: set.label, colour: colour });
      var dataset = { label: set.label, data: set.data, backgroundColor: colour, borderWidth: 0 };
      dataset[spec.horizontal ? "xAxisID" : "yAxisID"] = axis;
      return dataset;
    });
    var scales = {};
    var several = Object.keys(valueAxes).length > 1;
    Object.keys(valueAxes).forEach(function (axis) {
      var sets = valueAxes[axis];
      var position = axis.slice(-1) === "2" ? (spec.horizontal ? "top" : "right")
                                            : (spec.horizontal ? "bottom" : "left");
      // With one scale per series, colour and title say which scale belongs to which bars.
      scales[axis] = valueScale(position, several ? sets[0].colour : "#5b6470",
                                several ? sets[0].label : "", axis.slice(-1) !== "2");
    });
    scales[spec.horizontal ? "y" : "x"] = { ticks: { autoSkip: false, color: "#1f2328" },
                                            grid: { display: false } };
    return {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: locale,
        scales: scales,
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var value = spec.horizontal ? item.parsed.x : item.parsed.y;
                return item.dataset.label + ": " + format.format(value);
              }
            }
          }
        }
      }
    };
  }

  function draw(figure) {
    var source = document.getElementById(figure.getAttribute("data-chart"));
    var canvas = figure.querySelector("canvas");
    if (!source || !canvas) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    if (!spec.labels.length) {
      return;
    }
    if (spec.horizontal) {
      var height = spec.labels.length * (spec.datasets.length * BAR + GROUP_GAP) + 110;
      canvas.parentNode.style.height = Math.max(height, 200) + "px";
    }
    figure.hidden = false;
    new window.Chart(canvas, config(spec));
  }

  Array.prototype.forEach.call(document.querySelectorAll("figure[data-chart]"), draw);
})();
