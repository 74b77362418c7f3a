/* Interaction checker: shows the interactions between the medicines a reader picks, from the
   JSON file the build writes next to the page. Without JavaScript the form stays hidden and the
   page shows the full table of pairs instead; with it, the table is hidden. Text is inserted with textContent only. */
(function () {
  "use strict";

  var form = document.getElementById("checker-form");
  var results = document.getElementById("checker-results");
  var status = document.getElementById("checker-status");
  if (!form || !results || !status || !window.fetch) return;

  var dataUrl = new URL(form.getAttribute("data-src"), document.baseURI);
  var data = null;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function link(text, url) {
    var a = el("a", text);
    a.href = new URL(url, dataUrl).href;
    return a;
  }

  function labelled(label, text) {
    var p = el("p");
    p.appendChild(el("strong", label + " "));
    p.appendChild(document.createTextNode(text));
    return p;
  }

  // The severity's word in a tag whose colour and icon (interactions.css) tell the levels
  // apart at a glance; the word says it without colour.
  function severityTag(level) {
    return el("span", level.label, "severity-tag severity-tag--" + level.id);
  }

  function lower(name) {
    return name.charAt(0).toLowerCase() + name.slice(1);
  }

  function joinNames(names) {
    if (names.length < 2) return names.join("");
    return names.slice(0, -1).join(", ") + " and " + names[names.length - 1];
  }

  function show(chosen) {
    var byId = {}, severity = {};
    data.medicines.forEach(function (m) { byId[m.id] = m; });
    data.severities.forEach(function (s) { severity[s.id] = s; });
    var pairs = {};
    data.pairs.forEach(function (p) { pairs[p.medicines.join("+")] = p; });

    results.textContent = "";
    var heading = el("h2", "Your results");
    heading.id = "checker-results-heading";
    heading.tabIndex = -1;
    results.appendChild(heading);

    // Between the chosen medicines: every pair, said plainly when nothing is recorded.
    results.appendChild(el("h3", "Between your medicines"));
    var found = 0;
    for (var i = 0; i < chosen.length; i++) {
      for (var j = i + 1; j < chosen.length; j++) {
        var ids = [chosen[i], chosen[j]].sort();
        var a = byId[ids[0]], b = byId[ids[1]];
        var title = a.name + " and " + lower(b.name);
        var pair = pairs[ids.join("+")];
        var item = el("div", null, "checker__item checker__item--" + (pair ? pair.severity : "none"));
        item.appendChild(el("h4", title));
        if (pair) {
          found++;
          var serious = el("p");
          serious.appendChild(el("strong", "How serious: "));
          serious.appendChild(severityTag(severity[pair.severity]));
          serious.appendChild(document.createTextNode("."));
          item.appendChild(serious);
          item.appendChild(el("p", pair.summary));
          item.appendChild(labelled("What to do:", pair.what_to_do));
          var more = el("p");
          more.appendChild(link("Read more about " + lower(title), pair.url));
          item.appendChild(more);
        } else {
          item.appendChild(el("p", "No interaction between these two is recorded in this guide. " +
            "That does not mean they are safe together. Ask your pharmacist to check them."));
        }
        results.appendChild(item);
      }
    }

    // With classes, alcohol and other medicines: grouped by what the other side is.
    var groups = {}, order = [];
    data.others.forEach(function (o) {
      if (chosen.indexOf(o.medicine) < 0) return;
      if (!groups[o.side]) { groups[o.side] = []; order.push(o.side); }
      groups[o.side].push(o);
    });
    function worst(side) {
      return Math.max.apply(null, groups[side].map(function (o) { return severity[o.severity].rank; }));
    }
    order.sort(function (x, y) {
      return worst(y) - worst(x) || data.sides[x].name.localeCompare(data.sides[y].name);
    });
    // Each one folds to a line (its name and how serious it is at worst), so the results stay
    // short; its details open in place, and serious ones start open. Each link says where it
    // leads.
    if (order.length) {
      results.appendChild(el("h3", "With alcohol and other medicines"));
      results.appendChild(el("p", "If you also take or use any of these, tell your prescriber and pharmacist."));
      order.forEach(function (side) {
        var info = data.sides[side];
        var level = data.severities.filter(function (s) { return s.rank === worst(side); })[0];
        var box = el("details", null, "checker__item checker__item--" + level.id);
        box.open = level.id === "major";  // serious ones are never folded away
        var summary = el("summary", null, "checker__summary");
        summary.appendChild(el("h4", info.name));
        summary.appendChild(document.createTextNode(" "));
        summary.appendChild(severityTag(level));
        box.appendChild(summary);
        if (info.examples.length) box.appendChild(el("p", "Examples: " + joinNames(info.examples) + "."));
        var list = el("ul");
        groups[side].forEach(function (o) {
          var li = el("li");
          var medicine = lower(byId[o.medicine].name);
          li.appendChild(el("strong", "With " + medicine + ": "));
          li.appendChild(severityTag(severity[o.severity]));
          li.appendChild(document.createTextNode(". "));
          li.appendChild(document.createTextNode(o.what_happens + " What to do: " + o.what_to_do + " "));
          li.appendChild(link("More about " + medicine + " with " + lower(info.name), o.url));
          list.appendChild(li);
        });
        box.appendChild(list);
        results.appendChild(box);
      });
    }

    var reminder = el("p", "This checker only knows the medicines in this guide, and it does not " +
      "list every interaction. Ask your pharmacist to check everything you take before you start, " +
      "stop or change anything.", "checker__reminder");
    results.appendChild(reminder);
    results.hidden = false;

    var names = joinNames(chosen.map(function (id) { return byId[id].name; }));
    status.textContent = (found === 0 ? "No interactions recorded between " :
      found === 1 ? "1 interaction found between " : found + " interactions found between ") +
      names + ". See your results below.";
    heading.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = Array.prototype.map.call(
      form.querySelectorAll('input[name="medicine"]:checked'), function (box) { return box.value; });
    if (chosen.length < 2) {
      results.hidden = true;
      status.textContent = "Choose at least two medicines.";
      return;
    }
    if (data) {
      show(chosen);
      return;
    }
    status.textContent = "Loading…";
    fetch(dataUrl.href).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (json) {
      data = json;
      show(chosen);
    }).catch(function () {
      showTable(true);
      status.textContent = "Sorry, the checker could not load. Use the table of every pair below.";
    });
  });

  // The table of every pair is for readers without this script (or when the data cannot load).
  function showTable(shown) {
    var table = document.getElementById("all-pairs-table");
    var entry = document.querySelector('.toc a[href="#all-pairs"]');
    if (table) table.hidden = !shown;
    if (entry && table) entry.parentNode.hidden = !shown;
  }

  showTable(false);
  form.hidden = false;
})();
