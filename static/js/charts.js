// Statistics: draw each table's numbers as a Chart.js bar chart.
// The tables are the record; the charts are decoration (aria-hidden) and the
// page reads the same without this script.
(function () {
  if (typeof Chart === "undefined") return;
  const ink = getComputedStyle(document.body).color;
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) continue;
    const data = JSON.parse(source.textContent);
    // A horizontal chart is as tall as its table's rows (set here: no inline styles, CSP).
    const rows = Number(canvas.parentElement.dataset.rows);
    if (rows) canvas.parentElement.style.height = `${rows * 26}px`;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ data: data.values, backgroundColor: data.colours, borderWidth: 0 }],
      },
      options: {
        indexAxis: data.axis,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false }, tooltip: { enabled: true } },
        scales: {
          x: { ticks: { color: ink, precision: 0 }, beginAtZero: true },
          y: { ticks: { color: ink, precision: 0, autoSkip: false }, beginAtZero: true },
        },
      },
    });
  }
})();
