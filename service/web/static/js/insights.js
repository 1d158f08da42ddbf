// Team insights: a forest plot, one Chart.js row per judged feature (a floating bar for the 95%
// interval of the win-rate ratio, a point for the estimate), all on one log axis with a line at 1.
import { t } from "./i18n.js";

const data = JSON.parse(document.getElementById("forest-data").textContent);
const Chart = window.Chart;
const SIG = "#0b5cad";
const NOT_SIG = "#8c959f";
const TICKS = [0.1, 0.25, 0.5, 1, 2, 4, 10];

const judged = data.rows.filter((r) => r.ratio !== null);
const lows = judged.map((r) => r.low).filter((x) => x !== null && x > 0);
const highs = judged.map((r) => r.high).filter((x) => x !== null && Number.isFinite(x));
const axisMin = Math.max(0.05, Math.min(1, ...lows) / 1.15);
const axisMax = Math.min(20, Math.max(1, ...highs) * 1.15);
const clamp = (x, fallback) => (x === null || !(x > 0) || !Number.isFinite(x) ? fallback : Math.min(axisMax, Math.max(axisMin, x)));

function xAxis(showTicks) {
  return {
    type: "logarithmic",
    min: axisMin,
    max: axisMax,
    afterBuildTicks: (scale) => {
      scale.ticks = TICKS.filter((v) => v >= axisMin && v <= axisMax).map((value) => ({ value }));
    },
    grid: {
      // The only line drawn is the one at 1: no difference between calls with and without.
      color: (ctx) => (ctx.tick && ctx.tick.value === 1 ? "#1b1f24" : "rgba(0,0,0,0.06)"),
      lineWidth: (ctx) => (ctx.tick && ctx.tick.value === 1 ? 1.5 : 1),
      drawTicks: showTicks,
    },
    border: { display: false },
    ticks: { display: showTicks, callback: (v) => `${v}×` },
  };
}

function rowChart(canvas, row) {
  const colour = row.significant ? SIG : NOT_SIG;
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: [row.label],
      datasets: [
        { label: t("95%% interval"), data: [[clamp(row.low, axisMin), clamp(row.high, axisMax)]],
          backgroundColor: colour, barThickness: 8, borderRadius: 4 },
        { type: "line", label: t("estimate"), indexAxis: "y", showLine: false, data: [{ x: row.ratio, y: row.label }],
          pointRadius: 6, pointHoverRadius: 7, pointStyle: "rectRot", backgroundColor: "#fff", borderColor: colour,
          borderWidth: 2 },
      ],
    },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      layout: { padding: { left: 4, right: 8 } },
      scales: { x: xAxis(false), y: { display: false } },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: () => row.label,
            label: () => t("ratio %(ratio)s (95%% CI %(low)s to %(high)s)", { ratio: row.ratio, low: row.low ?? "?", high: row.high ?? "?" }),
          },
        },
      },
    },
  });
}

for (const canvas of document.querySelectorAll("canvas[data-row]")) {
  rowChart(canvas, data.rows[Number(canvas.dataset.row)]);
}
const axis = document.getElementById("forest-axis");
if (axis) {
  new Chart(axis, {
    type: "bar",
    data: { labels: [""], datasets: [] },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      layout: { padding: { left: 4, right: 8 } },
      scales: { x: { ...xAxis(true), position: "top" }, y: { display: false } },
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
    },
  });
}
