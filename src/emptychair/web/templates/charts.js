// Render every Vega-Lite spec of the page with the vendored vega-embed (no network).
document.querySelectorAll("figure.chart[data-spec]").forEach(function (figure) {
  var spec = JSON.parse(figure.getAttribute("data-spec"));
  figure.setAttribute("role", "img");
  figure.setAttribute("aria-label", typeof spec.title === "string" ? spec.title : "chart");
  vegaEmbed(figure, spec, { actions: false, renderer: "svg" });
});
