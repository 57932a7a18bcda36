/* Offline background map (the diagnostic's fond_de_carte/ folder): MapLibre layers per zoom
   band — water, green areas and buildings under the cells, streets and rivers above them —
   and names as HTML markers (text layers would need a glyph server). Shared by the web maps
   (bands fetched from the app when the zoom reaches them) and carte.html (bands inline). */
(function () {
  "use strict";

  var EMPTY = { type: "FeatureCollection", features: [] };
  var STREETS = [
    ["chemin", "#ffffff", [[14, 0.4], [18, 2]], 15, [2, 1]],
    ["locale", "#ffffff", [[12, 0.5], [15, 2.5], [18, 8]], 12, null],
    ["secondaire", "#fff4c9", [[9, 0.6], [13, 2], [18, 10]], 0, null],
    ["principale", "#fcd6a4", [[8, 0.8], [13, 3], [18, 12]], 0, null]
  ];
  /* Layers drawn above the cells (lines stay readable through the colours). */
  var ABOVE = ["fond-eau-cours", "fond-contours-communes"].concat(
    STREETS.map(function (s) { return "fond-voie-" + s[0]; })
  );

  function widths(stops) {
    var out = ["interpolate", ["linear"], ["zoom"]];
    stops.forEach(function (s) { out.push(s[0], s[1]); });
    return out;
  }

  function bandLayers(src, band) {
    var range = { minzoom: band.minzoom, maxzoom: band.maxzoom };
    function layer(id, spec) {
      spec.id = id + "-" + band.file;
      spec.source = src;
      spec.metadata = { fond: id };
      return Object.assign(spec, range);
    }
    var isArea = ["==", ["geometry-type"], "Polygon"];
    var out = [
      layer("fond-vert", { type: "fill", filter: ["all", ["==", ["get", "l"], "vert"], isArea],
        paint: { "fill-color": "#cfe6c0" } }),
      layer("fond-eau", { type: "fill", filter: ["all", ["==", ["get", "l"], "eau"], isArea],
        paint: { "fill-color": "#a9cdea" } }),
      layer("fond-bati", { type: "fill", filter: ["==", ["get", "l"], "bati"],
        paint: { "fill-color": "#d9d0c9", "fill-outline-color": "#bfb4ab" } }),
      layer("fond-eau-cours", { type: "line",
        filter: ["all", ["==", ["get", "l"], "eau"], ["==", ["geometry-type"], "LineString"]],
        paint: { "line-color": "#6aa6d6", "line-width": widths([[10, 1], [16, 4]]) } })
    ];
    STREETS.forEach(function (s) {
      var spec = layer("fond-voie-" + s[0], { type: "line",
        filter: ["all", ["==", ["get", "l"], "voie"], ["==", ["get", "k"], s[0]]],
        layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": s[1], "line-width": widths(s[2]), "line-opacity": 0.9 } });
      if (s[4]) { spec.paint["line-dasharray"] = s[4]; }
      spec.minzoom = Math.max(band.minzoom, s[3]);
      if (spec.minzoom < spec.maxzoom) { out.push(spec); }
    });
    return out;
  }

  /* Add the background's sources and layers to a style (before any data layer).
     fond: {bands: [{file, minzoom, maxzoom, url|data}], contours: url|data, attribution}. */
  function addToStyle(style, fond) {
    (fond.bands || []).forEach(function (band) {
      var src = "fond_" + band.file;
      // only the far band is drawn at once; closer ones are handed over at their zoom
      var now = band.minzoom === 0 && band.data ? band.data : EMPTY;
      style.sources[src] = { type: "geojson", data: now,
        attribution: fond.attribution, maxzoom: 18 };
      bandLayers(src, band).forEach(function (l) { style.layers.push(l); });
    });
    if (fond.contours) {
      style.sources.fond_contours = { type: "geojson", data: fond.contours, attribution: fond.attribution };
      style.layers.push({ id: "fond-contours-communes", type: "line", source: "fond_contours",
        metadata: { fond: "fond-contours-communes" },
        filter: ["==", ["get", "l"], "commune"],
        paint: { "line-color": "#6b6b6b", "line-width": 1.2, "line-dasharray": [3, 2] } });
      style.layers.push({ id: "fond-contours-qpv", type: "line", source: "fond_contours",
        metadata: { fond: "fond-contours-qpv" },
        filter: ["==", ["get", "l"], "qpv"],
        paint: { "line-color": "#3a3a3a", "line-width": 1 } });
    }
    return style;
  }

  /* Move the street, river and commune lines above the layers added since (the cells). */
  function raise(map) {
    map.getStyle().layers.forEach(function (l) {
      var role = l.metadata && l.metadata.fond;
      if (role && (ABOVE.indexOf(role) >= 0 || role.indexOf("fond-voie-") === 0)) { map.moveLayer(l.id); }
    });
  }

  /* Give a band its data when the zoom first comes near it: fetched by URL (web) or
     inline (carte.html), so that the buildings are not processed for the far view. */
  function loadBandsOnZoom(map, fond) {
    var loaded = {};
    function check() {
      var z = map.getZoom();
      (fond.bands || []).forEach(function (band) {
        var payload = band.url || band.data;
        if (!payload || loaded[band.file] || (band.data && band.minzoom === 0)) { return; }
        if (z < band.minzoom - 0.5 || z > band.maxzoom) { return; }
        loaded[band.file] = true;
        map.getSource("fond_" + band.file).setData(payload);
      });
    }
    map.on("zoomend", check);
    map.on("moveend", check);
    check();
  }

  /* Names as HTML markers: those whose zoom is reached, in view, without overlap. */
  function labels(map, collection, maxCount) {
    var shown = [];
    var items = collection.features.map(function (f) {
      return { name: f.properties.n, kind: f.properties.k, zoom: f.properties.z || 0,
        lngLat: f.geometry.coordinates };
    }).sort(function (a, b) { return a.zoom - b.zoom; });
    function update() {
      shown.forEach(function (m) { m.remove(); });
      shown = [];
      var z = map.getZoom();
      var bounds = map.getBounds();
      var boxes = [];
      for (var i = 0; i < items.length && shown.length < (maxCount || 80); i++) {
        var it = items[i];
        if (it.zoom > z || !bounds.contains(it.lngLat)) { continue; }
        var p = map.project(it.lngLat);
        var w = it.name.length * 6.5 + 8;
        var box = [p.x - w / 2, p.y - 9, p.x + w / 2, p.y + 9];
        var hit = boxes.some(function (b) { return box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]; });
        if (hit) { continue; }
        boxes.push(box);
        var el = document.createElement("span");
        el.className = "fond-nom fond-nom-" + it.kind;
        el.textContent = it.name;
        shown.push(new maplibregl.Marker({ element: el }).setLngLat(it.lngLat).addTo(map));
      }
    }
    map.on("moveend", update);
    update();
  }

  window.Fond = { addToStyle: addToStyle, raise: raise, loadBandsOnZoom: loadBandsOnZoom, labels: labels };
})();
