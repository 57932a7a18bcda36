/* Sortable QPV table: the header links sort on the server without JavaScript; with it, the
   rows are sorted in place, aria-sort is updated and the new order is announced. */
(function () {
  "use strict";
  var table = document.getElementById("tableau-qpv");
  /* one page of a longer list: sorting it in place would mislead, the server sorts */
  if (!table || table.dataset.pagine === "oui") { return; }
  var tbody = table.tBodies[0];
  var caption = document.getElementById("tri-etat");
  var labels = { nom: "nom", indice: "indice", rang: "rang", intervalle: "intervalle de rang" };
  var live = document.createElement("p");
  live.className = "sr-only";
  live.setAttribute("aria-live", "polite");
  table.parentNode.insertBefore(live, table.nextSibling);

  function num(v) { return v === "" || v === undefined ? null : Number(v); }

  function keyOf(tr, key) {
    var d = tr.dataset;
    if (key === "nom") { return [d.nom.toLocaleLowerCase("fr")]; }
    if (key === "indice") { return [num(d.indice)]; }
    if (key === "rang") { return [num(d.rang)]; }
    return [num(d.bas), num(d.haut)];
  }

  function compare(a, b, desc) {
    for (var i = 0; i < a.length; i++) {
      var x = a[i], y = b[i];
      if (x === null && y === null) { continue; }
      if (x === null) { return 1; }   // missing values last, whatever the order
      if (y === null) { return -1; }
      if (x < y) { return desc ? 1 : -1; }
      if (x > y) { return desc ? -1 : 1; }
    }
    return 0;
  }

  function sortBy(th, desc) {
    var key = th.dataset.tri;
    var rows = Array.prototype.slice.call(tbody.rows).map(function (tr, i) { return { tr: tr, i: i, k: keyOf(tr, key) }; });
    rows.sort(function (a, b) { return compare(a.k, b.k, desc) || a.i - b.i; });
    rows.forEach(function (r) { tbody.appendChild(r.tr); });
    table.querySelectorAll("th[data-tri]").forEach(function (other) {
      var arrow = other.querySelector(".fleche");
      if (other === th) {
        other.setAttribute("aria-sort", desc ? "descending" : "ascending");
        if (arrow) { arrow.textContent = desc ? "▼" : "▲"; }
      } else {
        other.removeAttribute("aria-sort");
        if (arrow) { arrow.textContent = "↕"; }
      }
    });
    var text = labels[key] + " (" + (desc ? "décroissant" : "croissant") + ")";
    if (caption) { caption.textContent = text; }
    live.textContent = "Tableau trié par " + text;
    var url = new URL(window.location.href);
    url.searchParams.set("tri", key);
    url.searchParams.set("ordre", desc ? "desc" : "asc");
    window.history.replaceState(null, "", url.toString());
    var hidden = document.querySelector("#form-carte input[name=tri]");
    if (hidden) { hidden.value = key; }
  }

  table.querySelectorAll("th[data-tri]").forEach(function (th) {
    var link = th.querySelector("a.tri");
    if (!link) { return; }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var current = th.getAttribute("aria-sort");
      var desc = current ? current === "ascending" : th.dataset.descDefaut === "oui";
      sortBy(th, desc);
    });
  });
})();
