// Bar chart of department quality scores; data comes from the page's json_script block.
(function () {
  var holder = document.getElementById("quality-chart");
  var source = document.getElementById("quality-data");
  if (!holder || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    grid: { left: 8, right: 48, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: "value", min: 0, max: 100 },
    yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { width: 140, overflow: "truncate" } },
    series: [{ type: "bar", data: data.scores, label: { show: true, position: "right" }, itemStyle: { color: "#1a5fb4" } }],
    tooltip: { trigger: "axis" }
  });
  holder.style.height = Math.max(200, data.names.length * 32 + 40) + "px";
  chart.resize();
  window.addEventListener("resize", function () { chart.resize(); });
})();
