// Daily exchange calls and errors; data comes from the page's json_script block.
(function () {
  var holder = document.getElementById("exchange-chart");
  var source = document.getElementById("exchange-data");
  if (!holder || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    legend: { data: ["调用", "错误"] },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.days },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "调用", type: "line", data: data.calls, itemStyle: { color: "#1a5fb4" } },
      { name: "错误", type: "line", data: data.errors, itemStyle: { color: "#c01c28" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
