/* Residents' contribution form: choose a point on the map (click after « Choisir sur la
   carte », or the map centre) or only a QPV, then send it to /api/contributions. The text
   typed by the resident is always inserted as text, never as HTML. */
(function () {
  "use strict";
  var form = document.getElementById("form-contribution");
  if (!form) { return; }
  var map = window.quartiersCarte || null;
  var status = document.getElementById("lieu-etat");
  var feedback = document.getElementById("contribution-retour");
  var centre = document.getElementById("lieu-centre");
  var texts = document.getElementById("textes-contribution");
  /* Sentences written by the page (so a --zones run speaks of zones), by key. */
  function text(key) {
    var span = texts && texts.content.querySelector('[data-cle="' + key + '"]');
    return span ? span.textContent : "";
  }
  var point = null;
  var marker = null;
  var picking = false;

  var pick = document.createElement("button");
  pick.type = "button";
  pick.id = "lieu-carte";
  pick.className = "bouton bouton-secondaire";
  pick.textContent = "Choisir le lieu sur la carte";
  pick.setAttribute("aria-pressed", "false");
  centre.parentNode.insertBefore(pick, centre);
  centre.parentNode.insertBefore(document.createTextNode(" "), centre);

  function setPoint(lngLat, how) {
    point = { lon: Math.round(lngLat.lng * 1e6) / 1e6, lat: Math.round(lngLat.lat * 1e6) / 1e6 };
    status.textContent = "Lieu choisi " + how + " : longitude " + point.lon.toFixed(5) + ", latitude " + point.lat.toFixed(5) + ".";
    if (map) {
      if (!marker) { marker = new maplibregl.Marker({ color: "#000091" }); }
      marker.setLngLat([point.lon, point.lat]).addTo(map);
    }
  }

  if (!map) {
    pick.disabled = true;
    centre.disabled = true;
    status.textContent = text("sans-carte");
  } else {
    window.quartiersChoixLieu = function () { return picking; };
    pick.addEventListener("click", function () {
      picking = !picking;
      pick.setAttribute("aria-pressed", picking ? "true" : "false");
      if (picking) {
        status.textContent = "Cliquez sur la carte à l'endroit concerné.";
        map.getContainer().scrollIntoView({ block: "center" });
      }
    });
    map.on("click", function (e) {
      if (!picking) { return; }
      setPoint(e.lngLat, "sur la carte");
      setTimeout(function () {
        picking = false;
        pick.setAttribute("aria-pressed", "false");
        // back to the form, where the chosen place is announced
        form.scrollIntoView({ block: "start" });
        form.elements.category.focus({ preventScroll: true });
      }, 0);
    });
    centre.addEventListener("click", function () { setPoint(map.getCenter(), "au centre de la carte"); });
  }

  function show(kind, lines) {
    feedback.textContent = "";
    feedback.className = kind === "ok" ? "succes" : "erreur-texte";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      feedback.appendChild(p);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {
      territory: form.dataset.territoire,
      category: form.elements.category.value,
      text: form.elements.text.value
    };
    var qp = form.elements.code_qp.value;
    if (qp) { body.code_qp = qp; }
    if (point) { body.lon = point.lon; body.lat = point.lat; }
    if (form.elements.age_band.value) { body.age_band = form.elements.age_band.value; }
    if (form.elements.period.value) { body.period = form.elements.period.value; }
    if (form.elements.email.value.trim()) { body.email = form.elements.email.value.trim(); }
    if (!point && !qp) {
      show("erreur", [text("sans-lieu")]);
      return;
    }
    fetch("/api/contributions", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; },
        function () { return { status: r.status, data: {} }; });
    }).then(function (res) {
      if (res.status === 201) {
        show("ok", [res.data.message || "Merci ! Votre contribution sera publiée après relecture."]);
        form.elements.text.value = "";
        return;
      }
      var detail = res.data.detail;
      if (Array.isArray(detail)) {
        show("erreur", detail.map(function (d) { return (d.loc ? d.loc[d.loc.length - 1] + " : " : "") + d.msg; }));
      } else {
        show("erreur", [detail || ("Envoi impossible (erreur " + res.status + ").")]);
      }
    }).catch(function () {
      show("erreur", ["Envoi impossible : le serveur ne répond pas."]);
    });
  });
})();
