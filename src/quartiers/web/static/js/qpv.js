/* QPV page: map of the cells around the QPV, coloured by a resource indicator (or the
   index), the QPV outlined; optional layers (places, hotspots, contributions). */
(function () {
  "use strict";
  var cfg = window.Carto && Carto.readConfig();
  var container = document.getElementById("carte");
  if (!cfg || !container) { return; }
  var select = document.getElementById("indicateur");
  var legendBox = document.getElementById("legende");
  var state = { indicator: cfg.initial.indicator, horizon: cfg.initial.horizon };
  var cells = null;
  var map = null;

  function recolour() {
    var legend = cfg.legends[Carto.legendKey(cfg, state.indicator, state.horizon)];
    if (legend) { Carto.renderLegend(legendBox, legend); }
    if (!map || !cells) { return; }
    Carto.colourise(cfg, cells, state.indicator, state.horizon, "cell");
    map.getSource("cells").setData(cells);
    map.setPaintProperty("cells-fill", "fill-color", Carto.fillColour(legend));
    container.dataset.indicateur = state.indicator;
  }

  if (select) {
    select.addEventListener("change", function () {
      if (!Carto.indicatorInfo(cfg, select.value)) { return; }
      state.indicator = select.value;
      recolour();
    });
  }

  if (!window.maplibregl || !Carto.webglAvailable()) {
    container.dataset.etat = "indisponible";
    return;
  }
  map = Carto.newMap(container, cfg, cfg.bbox);
  window.quartiersCarte = map;
  map.on("load", function () {
    Promise.all([Carto.loadCells(cfg, cfg.bbox), Carto.fetchJSON(cfg.qpv_url)]).then(function (res) {
      cells = res[0];
      var legend = cfg.legends[Carto.legendKey(cfg, state.indicator, state.horizon)];
      Carto.colourise(cfg, cells, state.indicator, state.horizon, "cell");
      map.addSource("cells", { type: "geojson", data: cells });
      map.addSource("qpv", { type: "geojson", data: res[1] });
      map.addLayer({ id: "cells-fill", type: "fill", source: "cells",
        paint: { "fill-color": Carto.fillColour(legend), "fill-opacity": 0.8, "fill-outline-color": "rgba(58,58,58,0.25)" } });
      Carto.raiseBasemap(map);
      map.addLayer({ id: "qpv-autres", type: "line", source: "qpv",
        filter: ["!=", ["get", "code_qp"], cfg.focus_qpv],
        paint: { "line-color": "#3a3a3a", "line-width": 1.5, "line-dasharray": [2, 2] } });
      map.addLayer({ id: "qpv-focus", type: "line", source: "qpv",
        filter: ["==", ["get", "code_qp"], cfg.focus_qpv],
        paint: { "line-color": "#000091", "line-width": 4 } });
      return Carto.addOptionalLayers(map, cfg);
    }).then(function () {
      if (map.getLayer("contributions-point")) {
        map.on("click", "contributions-point", function (e) {
          new maplibregl.Popup().setLngLat(e.lngLat).setDOMContent(Carto.contributionPopup(e.features[0].properties)).addTo(map);
        });
      }
      container.classList.add("carte-prete");
      container.dataset.indicateur = state.indicator;
      map.once("idle", function () { container.dataset.etat = "prete"; });
      map.triggerRepaint();
    }).catch(function (err) {
      container.dataset.etat = "erreur";
      document.getElementById("carte-info").textContent = "La carte n'a pas pu charger ses données : " + err.message;
    });
  });
})();
