/* Territory overview: cells and QPV coloured by the chosen indicator and horizon, legend,
   QPV pop-ups, layer switches; the QPV table column follows the chosen indicator. */
(function () {
  "use strict";
  var cfg = window.Carto && Carto.readConfig();
  var container = document.getElementById("carte");
  if (!cfg || !container) { return; }

  var selectIndicator = document.getElementById("indicateur");
  var selectHorizon = document.getElementById("horizon");
  var legendBox = document.getElementById("legende");
  var info = document.getElementById("carte-info");
  var texts = document.getElementById("textes-carte");
  /* Sentences written by the page (so a --zones run speaks of zones), by key. */
  function text(key) {
    var span = texts && texts.content.querySelector('[data-cle="' + key + '"]');
    return span ? span.textContent : "";
  }
  var state = { indicator: cfg.initial.indicator, horizon: cfg.initial.horizon };
  var data = { cells: null, qpv: null };
  var map = null;

  function legendNow() {
    return cfg.legends[Carto.legendKey(cfg, state.indicator, state.horizon)];
  }

  function updateTable() {
    var key = Carto.legendKey(cfg, state.indicator, state.horizon);
    var shown = cfg.qpv_display[key] || {};
    document.querySelectorAll("#tableau-qpv tbody tr").forEach(function (tr) {
      var cell = tr.querySelector(".valeur-indicateur");
      if (cell && shown[tr.dataset.code] !== undefined) { cell.textContent = shown[tr.dataset.code]; }
    });
    var head = document.getElementById("colonne-indicateur");
    var ind = Carto.indicatorInfo(cfg, state.indicator);
    if (head && ind) {
      head.textContent = ind.label + (ind.climate ? " — " + cfg.horizons[state.horizon] : "");
    }
  }

  function updateUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("indicateur", state.indicator);
    url.searchParams.set("horizon", state.horizon);
    window.history.replaceState(null, "", url.toString());
  }

  function recolour() {
    var legend = legendNow();
    if (legend) { Carto.renderLegend(legendBox, legend); }
    updateTable();
    updateUrl();
    if (!map || !data.qpv) { return; }
    document.querySelectorAll("#carte .maplibregl-popup").forEach(function (p) { p.remove(); });
    Carto.colourise(cfg, data.qpv, state.indicator, state.horizon, "qpv");
    map.getSource("qpv").setData(data.qpv);
    var fill = Carto.fillColour(legend);
    if (cfg.tiles) {
      /* paint first: a new fill expression set right after setTiles cancels the tiles'
         reload in MapLibre 5 (the old tiles would stay, coloured by the new legend) */
      map.setPaintProperty("cells-fill", "fill-color", Carto.tileFill(legend));
      map.getSource("cells").setTiles([Carto.tileUrl(cfg, state.indicator, state.horizon)]);
    } else {
      Carto.colourise(cfg, data.cells, state.indicator, state.horizon, "cell");
      map.getSource("cells").setData(data.cells);
      map.setPaintProperty("cells-fill", "fill-color", fill);
    }
    map.setPaintProperty("qpv-fill", "fill-color", fill);
    container.dataset.indicateur = state.indicator;
    container.dataset.horizon = state.horizon;
  }

  /* The page carries the QPV values of the quantity shown first; the others come from the
     API (qpv_values_url) the first time they are chosen, then stay in cfg. */
  function ensureValues(id, horizon) {
    var key = Carto.legendKey(cfg, id, horizon);
    if (cfg.qpv_display[key]) { return Promise.resolve(); }
    var url = cfg.qpv_values_url + "?indicator=" + encodeURIComponent(id) +
      "&horizon=" + encodeURIComponent(horizon);
    return Carto.fetchJSON(url).then(function (body) {
      cfg.qpv_display[key] = body.display;
      if (Carto.indicatorInfo(cfg, id).climate) {
        cfg.qpv_values[id] = cfg.qpv_values[id] || {};
        cfg.qpv_values[id][horizon] = body.values;
      }
    });
  }

  function onChange() {
    if (!Carto.indicatorInfo(cfg, selectIndicator.value)) { return; }
    var id = selectIndicator.value;
    var horizon = selectHorizon.value;
    ensureValues(id, horizon).then(function () {
      if (selectIndicator.value !== id || selectHorizon.value !== horizon) { return; }
      state.indicator = id;
      state.horizon = horizon;
      recolour();
    }).catch(function (err) {
      info.textContent = text("echec-valeurs") + err.message;
    });
  }
  if (selectIndicator) { selectIndicator.addEventListener("change", onChange); }
  if (selectHorizon) { selectHorizon.addEventListener("change", onChange); }

  function qpvPopup(props) {
    var box = Carto.el("div");
    box.appendChild(Carto.el("h3", {}, props.lib_qp + " (" + props.code_qp + ")"));
    box.appendChild(Carto.el("p", {}, props.communes));
    var key = Carto.legendKey(cfg, state.indicator, state.horizon);
    var ind = Carto.indicatorInfo(cfg, state.indicator);
    var shown = (cfg.qpv_display[key] || {})[props.code_qp];
    if (ind && shown) { box.appendChild(Carto.el("p", {}, ind.label + " : " + shown)); }
    var rank = props.rank ? ("rang " + props.rank + " sur " + props.ranked_of) : "non classé";
    box.appendChild(Carto.el("p", {}, "Classement dans le territoire : " + rank));
    var p = Carto.el("p");
    p.appendChild(Carto.el("a", { href: props.url }, text("voir-page")));
    box.appendChild(p);
    return box;
  }

  if (!window.maplibregl || !Carto.webglAvailable()) {
    container.dataset.etat = "indisponible";
    return;
  }

  map = Carto.newMap(container, cfg);
  window.quartiersCarte = map;

  map.on("load", function () {
    /* National size: the cells come as vector tiles, never as one GeoJSON. */
    var cells = cfg.tiles ? Promise.resolve(null) : Carto.loadCells(cfg);
    Promise.all([cells, Carto.fetchJSON(cfg.qpv_url)]).then(function (res) {
      data.cells = res[0];
      data.qpv = res[1];
      Carto.colourise(cfg, data.qpv, state.indicator, state.horizon, "qpv");
      var fill = Carto.fillColour(legendNow());
      var cellPaint = { "fill-opacity": 0.8, "fill-outline-color": "rgba(58,58,58,0.25)" };
      if (cfg.tiles) {
        map.addSource("cells", { type: "vector", minzoom: 0, maxzoom: cfg.tiles.maxzoom,
          tiles: [Carto.tileUrl(cfg, state.indicator, state.horizon)] });
        cellPaint["fill-color"] = Carto.tileFill(legendNow());
        map.addLayer({ id: "cells-fill", type: "fill", source: "cells",
          "source-layer": cfg.tiles.layer, paint: cellPaint });
      } else {
        Carto.colourise(cfg, data.cells, state.indicator, state.horizon, "cell");
        map.addSource("cells", { type: "geojson", data: data.cells });
        cellPaint["fill-color"] = fill;
        map.addLayer({ id: "cells-fill", type: "fill", source: "cells", paint: cellPaint });
      }
      map.addSource("qpv", { type: "geojson", data: data.qpv });
      map.addLayer({ id: "qpv-fill", type: "fill", source: "qpv",
        paint: { "fill-color": fill, "fill-opacity": 0.9 } });
      Carto.raiseBasemap(map);
      map.addLayer({ id: "qpv-line", type: "line", source: "qpv",
        paint: { "line-color": "#000091", "line-width": 3 } });
      Carto.toggleLayers(map, "couche-carreaux", ["cells-fill"]);
      Carto.toggleLayers(map, "couche-qpv", ["qpv-fill", "qpv-line"]);
      map.on("click", "qpv-fill", function (e) {
        if (window.quartiersChoixLieu && window.quartiersChoixLieu(e)) { return; }
        var props = e.features[0].properties;
        new maplibregl.Popup({ maxWidth: "22rem" }).setLngLat(e.lngLat).setDOMContent(qpvPopup(props)).addTo(map);
        info.textContent = text("selection") + props.lib_qp + " (" + props.code_qp + ")";
      });
      map.on("mouseenter", "qpv-fill", function () { map.getCanvas().style.cursor = "pointer"; });
      map.on("mouseleave", "qpv-fill", function () { map.getCanvas().style.cursor = ""; });
      return Carto.addOptionalLayers(map, cfg);
    }).then(function () {
      Carto.toggleLayers(map, "couche-hotspots", ["hotspots-line"]);
      Carto.toggleLayers(map, "couche-places", ["places-point"]);
      Carto.toggleLayers(map, "couche-contributions", ["contributions-point"]);
      if (map.getLayer("contributions-point")) {
        map.on("click", "contributions-point", function (e) {
          new maplibregl.Popup().setLngLat(e.lngLat).setDOMContent(Carto.contributionPopup(e.features[0].properties)).addTo(map);
        });
      }
      container.classList.add("carte-prete");
      container.dataset.indicateur = state.indicator;
      container.dataset.horizon = state.horizon;
      map.once("idle", function () { container.dataset.etat = "prete"; });
      map.triggerRepaint();
    }).catch(function (err) {
      container.dataset.etat = "erreur";
      info.textContent = "La carte n'a pas pu charger ses données : " + err.message;
    });
  });
})();
