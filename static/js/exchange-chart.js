// Daily exchange calls and errors, and daily calls per key of the chosen dimension
// (resource, department or system); data comes from the page's json_script block.
(function () {
  var source = document.getElementById("exchange-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(id, legend, series) {
    var holder = document.getElementById(id);
    if (!holder) return;
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 8, right: 24, top: 48, bottom: 8, containLabel: true },
      legend: { data: legend, type: "scroll" },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.days },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    });
    charts.push(chart);
  }

  draw("exchange-chart", ["调用", "错误"], [
    { name: "调用", type: "line", data: data.calls, itemStyle: { color: "#1a5fb4" } },
    { name: "错误", type: "line", data: data.errors, itemStyle: { color: "#c01c28" } }
  ]);
  var lines = data.series || [];
  draw("exchange-dimension-chart", lines.map(function (s) { return s.name; }),
    lines.map(function (s) { return { name: s.name, type: "line", data: s.calls }; }));
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
