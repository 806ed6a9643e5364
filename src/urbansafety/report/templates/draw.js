/* Draws every chart of the page from its inline Vega-Lite spec (urbansafety). */
(function () {
  "use strict";
  var views = document.querySelectorAll("[data-vega-spec]");
  var drawn = Array.prototype.map.call(views, function (el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-vega-spec")).textContent);
    return vegaEmbed(el, spec, { renderer: "svg", actions: false, mode: "vega-lite" })
      .catch(function (error) {
        el.textContent = el.getAttribute("data-error");
        el.classList.add("chart-error");
        console.error(error);
      });
  });
  Promise.all(drawn).then(function () {
    document.body.setAttribute("data-charts", "drawn");
  });
  // A printed report shows every chart's data table.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
})();
