// Charts of the supervision pages (电子监察); data comes from each page's json_script block.
(function () {
  if (!window.echarts) return;

  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function draw(holderId, option) {
    var holder = document.getElementById(holderId);
    if (!holder) return;
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var grid = { left: 8, right: 24, top: 32, bottom: 8, containLabel: true };

  var trend = read("card-trend-data");
  if (trend) {
    draw("card-trend-chart", {
      grid: grid, tooltip: { trigger: "axis" }, legend: { data: ["亮牌", "红牌"] },
      xAxis: { type: "category", data: trend.days },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "亮牌", type: "line", data: trend.issued, itemStyle: { color: "#e5a50a" } },
        { name: "红牌", type: "line", data: trend.red, itemStyle: { color: "#c01c28" } }
      ]
    });
  }

  var kpi = read("kpi-data");
  if (kpi) {
    var axis = { type: "category", data: kpi.names, axisLabel: { interval: 0, rotate: kpi.names.length > 6 ? 30 : 0 } };
    draw("kpi-volume-chart", {
      grid: grid, tooltip: { trigger: "axis" }, legend: { data: ["收件", "办结"] },
      xAxis: axis, yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "收件", type: "bar", data: kpi.received, itemStyle: { color: "#1a5fb4" } },
        { name: "办结", type: "bar", data: kpi.finished, itemStyle: { color: "#26a269" } }
      ]
    });
    draw("kpi-rate-chart", {
      grid: grid, tooltip: { trigger: "axis" }, legend: { data: ["按时办结率", "满意率"] },
      xAxis: axis, yAxis: { type: "value", min: 0, max: 100 },
      series: [
        { name: "按时办结率", type: "line", data: kpi.on_time, connectNulls: false, itemStyle: { color: "#1a5fb4" } },
        { name: "满意率", type: "line", data: kpi.satisfaction, connectNulls: false, itemStyle: { color: "#c64600" } }
      ]
    });
  }
})();
