/* Shared map helpers (MapLibre GL JS served locally, no CDN, no external font or tile
   unless an online basemap is configured). Everything shown to users is French; values
   and legend labels are formatted by the server. */
(function () {
  "use strict";

  var FR = {
    "AttributionControl.ToggleAttribution": "Afficher ou masquer les sources",
    "AttributionControl.MapFeedback": "Signaler une erreur de carte",
    "FullscreenControl.Enter": "Plein écran",
    "FullscreenControl.Exit": "Quitter le plein écran",
    "GeolocateControl.FindMyLocation": "Me localiser",
    "GeolocateControl.LocationNotAvailable": "Position non disponible",
    "LogoControl.Title": "Logo MapLibre",
    "Map.Title": "Carte",
    "Marker.Title": "Repère",
    "NavigationControl.ResetBearing": "Remettre le nord en haut",
    "NavigationControl.ZoomIn": "Zoomer",
    "NavigationControl.ZoomOut": "Dézoomer",
    "Popup.Close": "Fermer",
    "ScaleControl.Feet": "ft",
    "ScaleControl.Meters": "m",
    "ScaleControl.Kilometers": "km",
    "GlobeControl.Enable": "Activer le globe",
    "GlobeControl.Disable": "Désactiver le globe",
    "TerrainControl.Enable": "Activer le relief",
    "TerrainControl.Disable": "Désactiver le relief",
    "CooperativeGesturesHandler.WindowsHelpText": "Ctrl + molette pour zoomer",
    "CooperativeGesturesHandler.MacHelpText": "⌘ + molette pour zoomer",
    "CooperativeGesturesHandler.MobileHelpText": "Deux doigts pour déplacer la carte"
  };

  var NO_DATA = "#d0d0d0";
  var CATEGORY_COLOURS = {
    trop_chaud: "#ce0500",
    frais: "#0063cb",
    besoin: "#7d4e5b",
    ressource: "#18753c",
    idee: "#6a6af4"
  };

  function readConfig() {
    var node = document.getElementById("config-carte");
    return node ? JSON.parse(node.textContent) : null;
  }

  function webglAvailable() {
    try {
      var canvas = document.createElement("canvas");
      return !!(canvas.getContext("webgl2") || canvas.getContext("webgl"));
    } catch (e) {
      return false;
    }
  }

  function baseStyle(cfg) {
    var style = {
      version: 8,
      sources: {},
      layers: [{ id: "fond", type: "background", paint: { "background-color": "#f2efe9" } }]
    };
    if (cfg.basemap && cfg.basemap.url) {
      style.sources.fond_en_ligne = {
        type: "raster",
        tiles: [cfg.basemap.url],
        tileSize: 256,
        attribution: cfg.basemap.attribution || "Fond de carte en ligne"
      };
      style.layers.push({ id: "fond-en-ligne", type: "raster", source: "fond_en_ligne" });
    }
    if (cfg.fond && window.Fond) {
      window.Fond.addToStyle(style, cfg.fond);
    }
    return style;
  }

  function fetchJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        return r.json().then(
          function (body) { throw new Error(body.detail || ("erreur " + r.status)); },
          function () { throw new Error("erreur " + r.status); }
        );
      }
      return r.json();
    });
  }

  /* Split a lon/lat box into tiles under the API's area limit (km²). */
  function splitBbox(bbox, maxKm2) {
    var mid = ((bbox[1] + bbox[3]) / 2) * Math.PI / 180;
    var w = (bbox[2] - bbox[0]) * 111.32 * Math.cos(mid);
    var h = (bbox[3] - bbox[1]) * 110.574;
    var n = Math.max(1, Math.ceil(Math.sqrt((w * h) / (maxKm2 * 0.9))));
    var out = [];
    for (var i = 0; i < n; i++) {
      for (var j = 0; j < n; j++) {
        out.push([
          bbox[0] + (bbox[2] - bbox[0]) * i / n,
          bbox[1] + (bbox[3] - bbox[1]) * j / n,
          bbox[0] + (bbox[2] - bbox[0]) * (i + 1) / n,
          bbox[1] + (bbox[3] - bbox[1]) * (j + 1) / n
        ]);
      }
    }
    return out;
  }

  /* Load every cell touching the box, page after page, tile after tile. */
  function loadCells(cfg, bbox) {
    var seen = {};
    var features = [];
    function page(url) {
      return fetchJSON(url).then(function (fc) {
        fc.features.forEach(function (f) {
          if (!seen[f.id]) { seen[f.id] = true; features.push(f); }
        });
        return fc.next ? page(fc.next) : null;
      });
    }
    var tiles = splitBbox(bbox || cfg.bbox, cfg.max_bbox_km2);
    return tiles.reduce(function (chain, box) {
      return chain.then(function () {
        return page(cfg.cells_url + "?limit=" + cfg.max_page + "&bbox=" + box.map(function (v) { return v.toFixed(6); }).join(","));
      });
    }, Promise.resolve()).then(function () {
      return { type: "FeatureCollection", features: features };
    });
  }

  function indicatorInfo(cfg, id) {
    for (var i = 0; i < cfg.indicators.length; i++) {
      if (cfg.indicators[i].id === id) { return cfg.indicators[i]; }
    }
    return null;
  }

  function legendKey(cfg, id, horizon) {
    var info = indicatorInfo(cfg, id);
    return id + "|" + (info && info.climate ? horizon : cfg.run_horizon);
  }

  /* Value of a feature for an indicator at a horizon (climate: the commune's value). */
  function valueOf(cfg, props, id, horizon, kind) {
    var info = indicatorInfo(cfg, id);
    if (info && info.climate && horizon !== cfg.run_horizon) {
      if (kind === "qpv") {
        var q = ((cfg.qpv_values[id] || {})[horizon] || {})[props.code_qp];
        return q === undefined ? null : q;
      }
      var c = ((cfg.climate[id] || {})[horizon] || {})[props.insee_com];
      return c === undefined ? null : c;
    }
    var v = props[id];
    return typeof v === "number" ? v : null;
  }

  /* Class like quartiers.method.rank.classify: a value equal to a break goes below. */
  function classOf(value, breaks) {
    if (value === null || value === undefined || !isFinite(value)) { return -1; }
    var k = 0;
    while (k < breaks.length && value > breaks[k]) { k++; }
    return k;
  }

  function colourise(cfg, fc, id, horizon, kind) {
    var legend = cfg.legends[legendKey(cfg, id, horizon)];
    var breaks = legend ? legend.breaks : [];
    var hasClasses = legend && legend.colours.length > 0;
    fc.features.forEach(function (f) {
      var v = valueOf(cfg, f.properties, id, horizon, kind);
      f.properties._v = v;
      f.properties._c = hasClasses ? classOf(v, breaks) : -1;
    });
    return fc;
  }

  function fillColour(legend) {
    var expr = ["match", ["get", "_c"]];
    (legend ? legend.colours : []).forEach(function (c, k) { expr.push(k, c); });
    if (expr.length === 2) { return NO_DATA; }
    expr.push(NO_DATA);
    return expr;
  }

  /* Fill of the vector tiles' squares: the class of their value "v" (as classOf). */
  function tileFill(legend) {
    var colours = legend ? legend.colours : [];
    if (!colours.length) { return NO_DATA; }
    var expr = ["case", ["!", ["has", "v"]], NO_DATA];
    legend.breaks.forEach(function (b, k) {
      expr.push(["<=", ["get", "v"], b], colours[Math.min(k, colours.length - 1)]);
    });
    expr.push(colours[colours.length - 1]);
    return expr;
  }

  /* Absolute URL of the tiles of a quantity at a horizon ({z}/{x}/{y} left for the map). */
  function tileUrl(cfg, indicator, horizon) {
    return window.location.origin + cfg.tiles.url + "?indicator=" + encodeURIComponent(indicator) +
      "&horizon=" + encodeURIComponent(horizon);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function swatch(colour) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "pastille");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var rect = document.createElementNS(ns, "rect");
    rect.setAttribute("x", "0.5");
    rect.setAttribute("y", "0.5");
    rect.setAttribute("width", "21");
    rect.setAttribute("height", "15");
    rect.setAttribute("fill", colour);
    rect.setAttribute("stroke", "#3a3a3a");
    svg.appendChild(rect);
    return svg;
  }

  function renderLegend(container, legend) {
    var idBase = container.id || "legende";
    container.textContent = "";
    container.appendChild(el("p", { "class": "legende-titre", id: idBase + "-titre" }, legend.title));
    if (legend.labels.length) {
      var list = el("ul", { "class": "legende-classes", "aria-labelledby": idBase + "-titre" });
      legend.labels.forEach(function (label, k) {
        var li = el("li");
        li.appendChild(swatch(legend.colours[k]));
        li.appendChild(el("span", {}, label));
        list.appendChild(li);
      });
      var none = el("li");
      none.appendChild(swatch(legend.no_data_colour));
      none.appendChild(el("span", {}, legend.no_data_label));
      list.appendChild(none);
      container.appendChild(list);
    }
    container.appendChild(el("p", { "class": "legende-note" }, legend.note));
  }

  function newMap(container, cfg, bbox) {
    var map = new maplibregl.Map({
      container: container,
      style: baseStyle(cfg),
      bounds: bbox || cfg.bbox,
      fitBoundsOptions: { padding: 20 },
      locale: FR,
      attributionControl: { compact: false },
      dragRotate: false,
      pitchWithRotate: false
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    if (cfg.fond && window.Fond) {
      map.on("load", function () {
        window.Fond.loadBandsOnZoom(map, cfg.fond);
        fetchJSON(cfg.fond.labels).then(function (fc) { window.Fond.labels(map, fc); })
          .catch(function () { /* names unavailable: the map still works */ });
      });
    }
    return map;
  }

  /* Put the background's streets and rivers back above the layers added so far. */
  function raiseBasemap(map) {
    if (window.Fond) { window.Fond.raise(map); }
  }

  function addOptionalLayers(map, cfg, filterQpv) {
    var jobs = [];
    if (cfg.layers.hotspots) {
      jobs.push(fetchJSON(cfg.layers.hotspots).then(function (fc) {
        map.addSource("hotspots", { type: "geojson", data: fc });
        map.addLayer({ id: "hotspots-line", type: "line", source: "hotspots",
          paint: { "line-color": "#6e445a", "line-width": 2, "line-dasharray": [2, 1] } });
      }));
    }
    if (cfg.layers.places) {
      jobs.push(fetchJSON(cfg.layers.places).then(function (fc) {
        map.addSource("places", { type: "geojson", data: fc });
        map.addLayer({ id: "places-point", type: "circle", source: "places",
          filter: ["==", ["geometry-type"], "Point"],
          paint: { "circle-radius": 4, "circle-color": "#18753c", "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 } });
      }));
    }
    if (cfg.layers.contributions) {
      jobs.push(fetchJSON(cfg.layers.contributions).then(function (fc) {
        map.addSource("contributions", { type: "geojson", data: fc });
        var colour = ["match", ["get", "category"]];
        Object.keys(CATEGORY_COLOURS).forEach(function (k) { colour.push(k, CATEGORY_COLOURS[k]); });
        colour.push("#3a3a3a");
        map.addLayer({ id: "contributions-point", type: "circle", source: "contributions",
          paint: { "circle-radius": 6, "circle-color": colour, "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } });
      }).catch(function () { /* contributions unavailable: the map still works */ }));
    }
    return Promise.all(jobs);
  }

  function toggleLayers(map, checkboxId, layerIds) {
    var box = document.getElementById(checkboxId);
    if (!box) { return; }
    box.addEventListener("change", function () {
      layerIds.forEach(function (id) {
        if (map.getLayer(id)) { map.setLayoutProperty(id, "visibility", box.checked ? "visible" : "none"); }
      });
    });
  }

  function contributionPopup(props) {
    var box = el("div");
    box.appendChild(el("h3", {}, props.category_label || "Contribution"));
    box.appendChild(el("p", {}, props.text || ""));
    if (props.created_on) { box.appendChild(el("p", { "class": "date" }, "Publiée le " + props.created_on)); }
    return box;
  }

  window.Carto = {
    FR: FR,
    NO_DATA: NO_DATA,
    readConfig: readConfig,
    webglAvailable: webglAvailable,
    fetchJSON: fetchJSON,
    loadCells: loadCells,
    indicatorInfo: indicatorInfo,
    legendKey: legendKey,
    valueOf: valueOf,
    classOf: classOf,
    colourise: colourise,
    fillColour: fillColour,
    tileFill: tileFill,
    tileUrl: tileUrl,
    renderLegend: renderLegend,
    newMap: newMap,
    addOptionalLayers: addOptionalLayers,
    raiseBasemap: raiseBasemap,
    toggleLayers: toggleLayers,
    contributionPopup: contributionPopup,
    el: el
  };
})();
