// Workshop page: run the what-if of the ticked actions and show the QPV before and after.
// Without this script the form still downloads the roadmap of the ticked actions.
"use strict";

(function () {
  const form = document.getElementById("atelier");
  const button = document.getElementById("bouton-simuler");
  const status = document.getElementById("etat");
  const output = document.getElementById("resultat");
  const simulated = document.getElementById("simuler");
  if (!form || !button) {
    return;
  }

  function number(value) {
    const text = String(value || "").trim().replace(",", ".");
    return text === "" ? null : Number(text);
  }

  function choices() {
    const out = [];
    form.querySelectorAll('input[name="actions"]:checked').forEach(function (box) {
      const id = box.value;
      const choice = { action: id };
      const part = document.getElementById("part-" + id);
      if (part && number(part.value) !== null) {
        choice.amount = number(part.value) / 100;
      }
      const lon = document.getElementById("lon-" + id);
      const lat = document.getElementById("lat-" + id);
      if (lon && lat && number(lon.value) !== null && number(lat.value) !== null) {
        choice.points = [[number(lon.value), number(lat.value)]];
      }
      out.push(choice);
    });
    return out;
  }

  function cell(row, text, header) {
    const element = document.createElement(header ? "th" : "td");
    if (header) {
      element.scope = "row";
    }
    element.textContent = text;
    row.appendChild(element);
    return element;
  }

  function table(caption, headers, rows) {
    const element = document.createElement("table");
    const cap = document.createElement("caption");
    cap.textContent = caption;
    element.appendChild(cap);
    const head = document.createElement("thead");
    const line = document.createElement("tr");
    headers.forEach(function (h) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = h;
      line.appendChild(th);
    });
    head.appendChild(line);
    element.appendChild(head);
    const body = document.createElement("tbody");
    rows.forEach(function (values) {
      const tr = document.createElement("tr");
      values.forEach(function (v, i) {
        const c = cell(tr, v.text === undefined ? v : v.text, i === 0);
        if (v.className) {
          c.className = v.className;
        }
      });
      body.appendChild(tr);
    });
    element.appendChild(body);
    return element;
  }

  function show(result) {
    output.textContent = "";
    const changed = result.qpv.filter(function (r) { return r.changed || r.column === "index"; });
    output.appendChild(table(
      "Le quartier avant et après les actions simulées",
      ["Indicateur", "Avant", "Après", "Écart"],
      changed.map(function (r) {
        const better = r.improved === true ? "mieux" : (r.improved === false ? "moins-bien" : "");
        return [r.label, r.before_text, r.after_text, { text: r.delta_text || "inchangé", className: better }];
      })
    ));
    output.appendChild(table(
      "Actions simulées",
      ["Action", "Ce qui a été simulé"],
      result.applied.map(function (a) {
        let done = "non représentée dans l'indice";
        if (a.simulated === false) {
          done = "non simulée : l'accès à pied n'est pas calculé pour ce territoire (pas de données de rues)";
        } else if (a.places) {
          done = a.places + " lieu(x) ouvert(s)";
        } else if (a.area_text) {
          done = a.area_text + " traités";
        }
        return [a.title, done];
      })
    ));
    const note = document.createElement("p");
    note.textContent = result.cells_changed + " carreau(x) de 200 m changent de valeur. " +
      "Les téléchargements reprennent maintenant les cibles simulées.";
    output.appendChild(note);
    if (result.notes.length) {
      const list = document.createElement("ul");
      result.notes.forEach(function (n) {
        const li = document.createElement("li");
        li.textContent = n;
        list.appendChild(li);
      });
      output.appendChild(list);
    }
  }

  button.addEventListener("click", function () {
    const chosen = choices();
    if (!chosen.length) {
      status.textContent = "Cochez au moins une action.";
      return;
    }
    button.disabled = true;
    status.textContent = "Simulation en cours : le diagnostic est recalculé, cela peut prendre une minute…";
    fetch(form.dataset.whatif, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ choices: chosen })
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(typeof data.detail === "string" ? data.detail : "requête refusée");
        }
        return data;
      });
    }).then(function (data) {
      show(data);
      simulated.value = "1";
      status.textContent = "Simulation terminée.";
    }).catch(function (error) {
      status.textContent = "Erreur : " + error.message;
    }).finally(function () {
      button.disabled = false;
    });
  });

  form.addEventListener("change", function () {
    simulated.value = "0";
  });
}());
