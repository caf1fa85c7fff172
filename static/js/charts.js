// Draws every dashboard chart from the JSON data island its panel serves
// (<script type="application/json" class="chart-data">), after the page loads and after each
// htmx swap. Data islands are not executed, so the content security policy stays strict.
(function () {
  "use strict";

  var PALETTE = ["#2f6fde", "#e8833a", "#2a9d6f", "#c2415d", "#7b61c9", "#8a94a3"];

  // Durations and shares carry their unit on the axis; counts read as plain whole numbers.
  var UNITS = { "%": " %", min: " min", h: " h" };

  function suffix(unit) {
    return UNITS[unit] || "";
  }

  function config(data) {
    var unit = suffix(data.unit);
    var line = data.type === "line";
    // Many bars, or bars with long names, read better lying down: every label stays legible.
    var longest = Math.max.apply(null, data.labels.map(function (label) { return String(label).length; }).concat([0]));
    var lying = !line && (data.labels.length > 5 || longest > 12);
    var value = lying ? "x" : "y";
    var category = lying ? "y" : "x";
    var scales = {};
    scales[category] = { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12, autoSkip: !lying } };
    scales[value] = {
      beginAtZero: true,
      ticks: {
        precision: UNITS[data.unit] ? undefined : 0,
        callback: function (tick) { return tick + unit; },
      },
    };
    return {
      type: line ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          var colour = PALETTE[index % PALETTE.length];
          return {
            label: series.name,
            data: series.values,
            borderColor: colour,
            backgroundColor: line ? colour : colour + "cc",
            borderWidth: line ? 2 : 0,
            pointRadius: data.labels.length > 40 ? 0 : 2,
            spanGaps: true,
            tension: 0.25,
          };
        }),
      },
      options: {
        indexAxis: lying ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: data.series.length > 1, position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: function (item) {
                var value = lying ? item.parsed.x : item.parsed.y;
                var shown = value === null ? "–" : value + (unit || " " + (data.unit || ""));
                return item.dataset.label + ": " + shown;
              },
            },
          },
        },
        scales: scales,
      },
    };
  }

  function draw(root) {
    if (typeof window.Chart === "undefined") return;
    var islands = (root || document).querySelectorAll("script.chart-data");
    islands.forEach(function (island) {
      if (island.dataset.drawn) return;
      var canvas = island.parentElement && island.parentElement.querySelector("canvas");
      if (!canvas) return;
      try {
        new window.Chart(canvas, config(JSON.parse(island.textContent)));
        island.dataset.drawn = "1";
      } catch (error) {
        canvas.replaceWith(document.createTextNode("This chart could not be drawn; the numbers are below."));
      }
    });
  }

  function failed(event) {
    var target = event.detail && event.detail.elt;
    if (!target || !target.classList || !target.classList.contains("dash-panel")) return;
    target.classList.remove("dash-loading");
    target.removeAttribute("aria-busy");
    var note = target.querySelector("p");
    if (note) note.textContent = "This panel could not be loaded. Reload the page to try again.";
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:load", function (event) { draw(event.target); });
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
