// Charts of the report pages: each [data-chart] element draws the figure whose JSON sits in the
// <script type="application/json"> of the same id (no inline script: the CSP forbids it). A click
// on a bar opens the list behind it when the figure gives a link for that bar.
(function () {
  "use strict";
  const PALETTE = ["#1c7ed6", "#2f9e44", "#f59f00", "#e03131", "#7048e8", "#0c8599", "#e8590c", "#5c940d"];

  function option(fig) {
    const line = fig.kind === "line";
    const unit = fig.unit || "";
    return {
      color: PALETTE,
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: fig.categories, axisLabel: { interval: 0, rotate: fig.categories.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", axisLabel: { formatter: "{value}" + unit }, max: unit === "%" ? 100 : null, minInterval: unit ? 0 : 1 },
      series: fig.series.map((s) => ({
        name: s.name,
        type: line ? "line" : "bar",
        stack: fig.stacked ? "total" : undefined,
        data: s.data,
        connectNulls: true,
        itemStyle: s.color ? { color: s.color } : undefined,
        cursor: "pointer",
      })),
    };
  }

  function draw(el) {
    const source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) return;
    const fig = JSON.parse(source.textContent);
    const chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option(fig));
    chart.on("click", (params) => {
      const links = fig.links && fig.links[params.seriesIndex];
      const url = links && links[params.dataIndex];
      if (url) window.location.assign(url);
    });
    window.addEventListener("resize", () => chart.resize());
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
