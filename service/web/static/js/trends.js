// A rep's weekly trends: one Chart.js line chart per metric, the rep against their team.
import { t, tn } from "./i18n.js";

const data = JSON.parse(document.getElementById("trend-data").textContent);
const Chart = window.Chart;
const REP = "#0b5cad";
const TEAM = "#a3470b";

function chartFor(canvas, series) {
  const datasets = [{
    label: data.rep_name,
    data: series.rep,
    borderColor: REP,
    backgroundColor: REP,
    spanGaps: true,
    tension: 0.2,
  }];
  if (data.team_name) {
    datasets.push({
      label: data.team_name,
      data: series.team,
      borderColor: TEAM,
      backgroundColor: TEAM,
      borderDash: [6, 4],
      pointStyle: "rectRot",
      spanGaps: true,
      tension: 0.2,
    });
  }
  return new Chart(canvas, {
    type: "line",
    data: { labels: data.week_labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { ticks: { maxRotation: 0, autoSkipPadding: 12 } },
        y: { beginAtZero: true, title: { display: true, text: series.unit } },
      },
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true } },
        tooltip: {
          callbacks: {
            title: (items) => t("Week of %(week)s", { week: items[0].label }),
            afterBody: (items) => {
              const i = items[0].dataIndex;
              const calls = [tn("%(n)s call by %(name)s", "%(n)s calls by %(name)s", data.rep_calls[i], { name: data.rep_name })];
              if (data.team_name) calls.push(tn("%(n)s team call", "%(n)s team calls", data.team_calls[i]));
              return calls;
            },
          },
        },
      },
    },
  });
}

for (const series of data.series) {
  const canvas = document.querySelector(`canvas[data-metric="${series.metric}"]`);
  if (canvas) chartFor(canvas, series);
}
