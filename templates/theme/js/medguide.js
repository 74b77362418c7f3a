/* medguide: small enhancements. Every page works without this script. */
(function () {
  "use strict";

  /* "Print this page" buttons are hidden until this script can make them work. */
  function setUpPrintButtons() {
    document.querySelectorAll("[data-print-page]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  /* On paper, a link shows its full web address (the print stylesheet adds it after the link
     text). Addresses are made absolute from the page's canonical address, so a printout points
     to the public site even when printed from a preview. */
  function setUpPrintedAddresses() {
    var canonical = document.querySelector('link[rel="canonical"]');
    var base = canonical ? canonical.href : window.location.href;
    document.querySelectorAll(".page-body a[href]").forEach(function (link) {
      var href = link.getAttribute("href");
      if (!href || href.charAt(0) === "#" || /^(mailto|tel):/i.test(href)) { return; }
      try {
        link.setAttribute("data-print-href", new URL(href, base).href);
      } catch (error) { /* an address the browser cannot parse stays as it is */ }
    });
  }

  /* Search page: results from the Pagefind index in /pagefind/. */
  var MAX_RESULTS = 20;

  function excerptNodes(html) {
    /* Pagefind marks matched words with <mark>; keep those and plain text only. */
    var template = document.createElement("template");
    template.innerHTML = html;
    var fragment = document.createDocumentFragment();
    template.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(node.textContent));
      }
    });
    return fragment;
  }

  function setUpSearch() {
    var form = document.querySelector("[data-search-form]");
    if (!form) { return; }
    var input = form.querySelector('input[name="q"]');
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var root = new URL(form.getAttribute("data-site-root"), window.location.href);
    var pagefind = null;

    function load() {
      if (!pagefind) {
        pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
          return module.options({ baseUrl: root.pathname }).then(function () { return module; });
        });
      }
      return pagefind;
    }

    function show(query, results, total) {
      list.replaceChildren();
      if (!total) {
        status.textContent = "No pages found for \u201c" + query + "\u201d. Check the spelling, " +
          "or try a different word.";
        return;
      }
      status.textContent = (total === 1 ? "1 page" : total + " pages") + " found for \u201c" +
        query + "\u201d" + (total > results.length ? ". Showing the first " + results.length + "." : ".");
      groupByMedicine(results, query).forEach(function (group) {
        if (!group.medicine) {
          list.appendChild(resultItem(group.results[0], "h2", group.results[0].meta.title));
          return;
        }
        var item = document.createElement("li");
        item.className = "search-group";
        var name = document.createElement("h2");
        name.className = "search-group__name";
        name.textContent = group.medicine;
        var pages = document.createElement("ol");
        pages.className = "search-group__results";
        group.results.forEach(function (result) {
          pages.appendChild(resultItem(result, "h3", result.meta.page || result.meta.title));
        });
        item.appendChild(name);
        item.appendChild(pages);
        list.appendChild(item);
      });
    }

    function groupByMedicine(results, query) {
      /* Pages of one medicine together, where its best-ranked page came, in rank order; but
         a search for just the medicine's name lists its overview first (brand names reach
         the overview through the index's weights). Pages of no medicine stay where they
         ranked. */
      var asked = query.trim().toLowerCase();
      var groups = [];
      var byMedicine = {};
      results.forEach(function (result) {
        result.meta = result.meta || {};
        var medicine = result.meta.medicine;
        if (!medicine) {
          groups.push({ medicine: null, results: [result] });
          return;
        }
        if (!byMedicine[medicine]) {
          byMedicine[medicine] = { medicine: medicine, results: [] };
          groups.push(byMedicine[medicine]);
        }
        var pages = byMedicine[medicine].results;
        if (result.meta.overview && asked === medicine.toLowerCase()) {
          pages.unshift(result);
        } else {
          pages.push(result);
        }
      });
      return groups;
    }

    function resultItem(result, headingTag, title) {
      var item = document.createElement("li");
      item.className = "search-result";
      var heading = document.createElement(headingTag);
      heading.className = "search-result__title";
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = title || result.url;
      heading.appendChild(link);
      var excerpt = document.createElement("p");
      excerpt.className = "search-result__excerpt";
      excerpt.appendChild(excerptNodes(result.excerpt || ""));
      item.appendChild(heading);
      item.appendChild(excerpt);
      return item;
    }

    function run(query) {
      query = query.trim();
      if (!query) {
        list.replaceChildren();
        status.textContent = "Type a word or two, then choose Search.";
        return Promise.resolve();
      }
      status.textContent = "Searching\u2026";
      return load()
        .then(function (module) { return module.search(query); })
        .then(function (search) {
          return Promise.all(search.results.slice(0, MAX_RESULTS).map(function (r) { return r.data(); }))
            .then(function (results) { show(query, results, search.results.length); });
        })
        .catch(function () {
          list.replaceChildren();
          status.textContent = "Search is not working right now. You can find every medicine " +
            "on the Medicines A\u2013Z page.";
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      window.history.replaceState(null, "", url);
      run(input.value);
    });

    var initial = new URLSearchParams(window.location.search).get("q");
    if (initial) {
      input.value = initial;
      run(initial);
    }
  }

  setUpPrintButtons();
  setUpPrintedAddresses();
  setUpSearch();
}());
