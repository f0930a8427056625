// Draws every .bpmn-viewer holder with bpmn-js (vendored): the XML comes from the json_script
// block named by data-source; element ids in data-highlight get the data-highlight-class marker.
(function () {
  if (!window.BpmnJS) return;
  document.querySelectorAll(".bpmn-viewer[data-source]:not([data-rendered])").forEach(function (holder) {
    holder.setAttribute("data-rendered", "1");
    var source = document.getElementById(holder.getAttribute("data-source"));
    if (!source) return;
    var highlight = (holder.getAttribute("data-highlight") || "").split(",").filter(Boolean);
    var marker = holder.getAttribute("data-highlight-class") || "bpmn-current";
    var viewer = new window.BpmnJS({ container: holder });
    viewer.importXML(JSON.parse(source.textContent)).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      highlight.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, marker); });
      holder.setAttribute("data-ready", "1");
    }).catch(function (err) {
      holder.textContent = "流程图无法显示：" + (err && err.message ? err.message : err);
      holder.classList.add("error");
    });
  });
})();
