// A rep's weekly trends: one Chart.js line chart per metric, the rep against their team.
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
    data: { labels: data.weeks, datasets },
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
            title: (items) => `Week of ${items[0].label}`,
            afterBody: (items) => {
              const i = items[0].dataIndex;
              const calls = [`${data.rep_calls[i]} call(s) by ${data.rep_name}`];
              if (data.team_name) calls.push(`${data.team_calls[i]} team call(s)`);
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
