/* The search page: results from Pagefind's JavaScript API, shown with our own small list.
 *
 * Pagefind (the build writes its bundle into pagefind/) is imported only once there is
 * something to search, so no page pays for it up front. Without JavaScript, or opened from
 * disk (browsers refuse to import modules from file: URLs), the page offers the indexes.
 * Excerpts are built as text nodes and <mark> elements, never parsed as HTML.
 */
(function () {
  "use strict";

  var input = document.getElementById("search_query");
  if (!input) return;
  var form = input.form;
  var status = document.getElementById("search_status");
  var list = document.getElementById("search_results");
  var root = new URL(input.getAttribute("data-root") || "../", location.href);
  var MAX_RESULTS = 20;
  var DELAY_MS = 200;
  var pagefind = null; // a promise of the loaded module
  var latest = 0; // only the newest query may write its results
  var timer = 0;

  document.getElementById("search_nojs").hidden = true;

  function say(text) {
    status.textContent = text;
  }

  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
        // Result URLs start at the site's root, which is not the domain's under a project path.
        return module.options({ baseUrl: root.pathname, excerptLength: 24 }).then(function () {
          return module;
        });
      });
      pagefind.catch(function () {
        pagefind = null; // try again on the next query
      });
    }
    return pagefind;
  }

  /* Pagefind escapes the page text's < and > and wraps each match in <mark>; nothing else.
     An excerpt is kept as [text, marked] pieces and becomes text nodes and <mark>s. */
  function pieces(html) {
    var inside = false;
    var found = [];
    html.split(/(<\/?mark>)/).forEach(function (part) {
      if (part === "<mark>" || part === "</mark>") inside = part === "<mark>";
      else if (part) found.push([part.replace(/&lt;/g, "<").replace(/&gt;/g, ">"), inside]);
    });
    return found;
  }

  /* Pagefind matches words, and splits a Chinese term such as 网络强国 into words; a reader
     wants the places where what they typed occurs whole. Those results come first, with
     their excerpt cut around the phrase. */
  function phrase(query) {
    var words = query.split(/\s+/).map(function (word) {
      return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    });
    return new RegExp(words.join("\\s+"), "i");
  }

  function around(content, match) {
    var text = content.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
    var found = match.exec(text);
    if (!found) return null;
    var start = Math.max(0, text.lastIndexOf(" ", Math.max(0, found.index - 90)) + 1);
    var stop = found.index + found[0].length;
    var end = text.indexOf(" ", Math.min(text.length, stop + 90));
    end = end < 0 ? text.length : end;
    return [
      [(start > 0 ? "…" : "") + text.slice(start, found.index), false],
      [found[0], true],
      [text.slice(stop, end) + (end < text.length ? "…" : ""), false],
    ];
  }

  function excerpt(parts) {
    var paragraph = document.createElement("p");
    paragraph.className = "search-excerpt";
    parts.forEach(function (part) {
      var text = document.createTextNode(part[0]);
      if (!part[1]) return paragraph.appendChild(text);
      var mark = document.createElement("mark");
      mark.appendChild(text);
      paragraph.appendChild(mark);
    });
    return paragraph;
  }

  /* The element with an id nearest before the first match: the passage, not just the page;
     and, for a phrase found whole, a text fragment that takes the browser to it. */
  function passage(data, exact) {
    var first = data.locations.length ? data.locations[0] : -1;
    var best = null;
    (data.anchors || []).forEach(function (anchor) {
      if (anchor.id !== "main_content" && anchor.location <= first) best = anchor;
    });
    var hash = best ? encodeURIComponent(best.id) : "";
    if (exact) hash += ":~:text=" + encodeURIComponent(exact).replace(/-/g, "%2D");
    return hash ? data.url + "#" + hash : data.url;
  }

  function item(result) {
    var data = result.data;
    var li = document.createElement("li");
    li.className = "search-result";
    var kind = document.createElement("p");
    kind.className = "search-kind";
    kind.textContent = (data.meta && data.meta.kind) || "Page";
    var link = document.createElement("a");
    link.className = "search-title";
    link.href = passage(data, result.exact && result.exact[1][0]);
    link.textContent = (data.meta && data.meta.title) || data.url;
    li.append(kind, link, excerpt(result.exact || pieces(data.excerpt || "")));
    return li;
  }

  function show(query, found) {
    var match = phrase(query);
    var results = found.map(function (data) {
      return { data: data, exact: around(data.content || "", match) };
    });
    var whole = results.filter(function (r) {
      return r.exact;
    });
    results = whole.concat(
      results.filter(function (r) {
        return !r.exact;
      })
    );
    list.replaceChildren.apply(list, results.map(item));
    list.hidden = results.length === 0;
    var count = results.length === 1 ? "1 result" : results.length + " results";
    say(results.length ? count + " for “" + query + "”" : "Nothing found for “" + query + "”.");
  }

  function remember(query) {
    var url = new URL(location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    history.replaceState(null, "", url.href);
  }

  function search(query) {
    var ticket = ++latest;
    query = query.trim();
    remember(query);
    if (!query) {
      list.replaceChildren();
      list.hidden = true;
      say("");
      return;
    }
    if (location.protocol === "file:") {
      say(
        "Search works only when the site is served over the web (or by `site-builder serve`): " +
          "this page was opened from a file on disk. Browse the lists below instead."
      );
      return;
    }
    say("Searching…");
    load()
      .then(function (module) {
        return module.search(query);
      })
      .then(function (found) {
        return Promise.all(
          found.results.slice(0, MAX_RESULTS).map(function (result) {
            return result.data();
          })
        );
      })
      .then(function (results) {
        if (ticket === latest) show(query, results);
      })
      .catch(function () {
        if (ticket === latest) say("Search is unavailable: its index could not be loaded.");
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    search(input.value);
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      search(input.value);
    }, DELAY_MS);
  });

  var initial = new URLSearchParams(location.search).get("q") || "";
  input.value = initial;
  if (initial) search(initial);
  else input.focus();
})();
