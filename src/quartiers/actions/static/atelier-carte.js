// Workshop page: the map where a participant clicks to place an action's site. The site
// is written into the action's longitude and latitude fields, which stay the keyboard way
// of giving it; the what-if and the roadmap read those fields. Same MapLibre build and
// offline background (fond.js) as the territory page; no tile server.
"use strict";

(function () {
  const node = document.getElementById("config-atelier");
  const container = document.getElementById("carte-atelier");
  const status = document.getElementById("carte-atelier-etat");
  if (!node || !container || !window.Carto) {
    return;
  }
  const cfg = JSON.parse(node.textContent);
  const sites = Array.from(document.querySelectorAll(".reglage.lieu"));
  if (!window.maplibregl || !Carto.webglAvailable()) {
    container.dataset.etat = "indisponible";
    return;
  }

  const map = Carto.newMap(container, cfg, cfg.bbox);
  window.quartiersCarteAtelier = map;
  const markers = {};
  let active = null;

  function field(action, axis) {
    return document.getElementById(axis + "-" + action);
  }

  function number(input) {
    const text = String(input.value || "").trim().replace(",", ".");
    const value = Number(text);
    return text === "" || !isFinite(value) ? null : value;
  }

  function place(p) {
    const action = p.dataset.action;
    const lon = number(field(action, "lon"));
    const lat = number(field(action, "lat"));
    if (lon === null || lat === null || Math.abs(lon) > 180 || Math.abs(lat) > 90) {
      if (markers[action]) { markers[action].remove(); delete markers[action]; }
      return;
    }
    if (!markers[action]) {
      const el = document.createElement("span");
      el.className = "repere-action";
      el.textContent = p.dataset.rang;
      el.title = p.dataset.titre;
      markers[action] = new maplibregl.Marker({ element: el });
    }
    markers[action].setLngLat([lon, lat]).addTo(map);
  }

  function setActive(p) {
    sites.forEach(function (other) {
      const b = other.querySelector(".bouton-placer");
      if (b) { b.setAttribute("aria-pressed", other === p ? "true" : "false"); }
    });
    active = p;
    container.classList.toggle("carte-choix", p !== null);
  }

  sites.forEach(function (p) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "bouton-placer";
    button.textContent = "Placer sur la carte";
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-describedby", "aide-carte-atelier");
    p.appendChild(button);
    button.addEventListener("click", function () {
      if (active === p) {
        setActive(null);
        status.textContent = "Placement annulé.";
        return;
      }
      setActive(p);
      status.textContent = "Cliquez sur la carte pour placer : " + p.dataset.titre + ".";
      container.scrollIntoView({ block: "center" });
    });
    ["lon", "lat"].forEach(function (axis) {
      field(p.dataset.action, axis).addEventListener("input", function () { place(p); });
    });
  });

  map.on("click", function (e) {
    if (!active) { return; }
    const p = active;
    const action = p.dataset.action;
    const lon = Math.round(e.lngLat.lng * 1e6) / 1e6;
    const lat = Math.round(e.lngLat.lat * 1e6) / 1e6;
    field(action, "lon").value = String(lon);
    field(action, "lat").value = String(lat);
    const box = document.getElementById("choix-" + action);
    if (box && !box.checked) { box.checked = true; }
    // the form's change listener marks the roadmap as not simulated for these choices
    field(action, "lon").dispatchEvent(new Event("change", { bubbles: true }));
    place(p);
    setActive(null);
    status.textContent = "Lieu placé pour « " + p.dataset.titre + " » : longitude " +
      lon.toFixed(5) + ", latitude " + lat.toFixed(5) + ".";
    setTimeout(function () {
      p.scrollIntoView({ block: "center" });
      p.querySelector(".bouton-placer").focus({ preventScroll: true });
    }, 0);
  });

  map.on("load", function () {
    map.addSource("qpv", { type: "geojson", data: cfg.qpv });
    map.addLayer({ id: "qpv-fond", type: "fill", source: "qpv",
      paint: { "fill-color": "#000091", "fill-opacity": 0.06 } });
    Carto.raiseBasemap(map);
    map.addLayer({ id: "qpv-contour", type: "line", source: "qpv",
      paint: { "line-color": "#000091", "line-width": 3 } });
    sites.forEach(place);
    container.classList.add("carte-prete");
    map.once("idle", function () { container.dataset.etat = "prete"; });
    map.triggerRepaint();
  });
}());
