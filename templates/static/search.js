/* The search page: results from Pagefind's JavaScript API, shown with our own small list.
 *
 * Pagefind (the build writes its bundle into pagefind/) is imported only once there is
 * something to search, so no page pays for it up front. Without JavaScript, or opened from
 * disk (browsers refuse to import modules from file: URLs), the page offers the indexes.
 * Excerpts are built as text nodes and <mark> elements, never parsed as HTML. Each hit is a
 * paragraph or a note, labelled "in the text" or "in note N", and links to that passage.
 */
(function () {
  "use strict";

  /* The theme's words in the site's language, from the JSON block the page carries (the
     build fills it from the site's table and its `strings:`), with {name}s filled in. */
  var WORDS = (function () {
    var element = document.getElementById("script_words");
    try {
      return element ? JSON.parse(element.textContent) : {};
    } catch (e) {
      return {};
    }
  })();

  function word(key, values) {
    var text = Object.prototype.hasOwnProperty.call(WORDS, key) ? WORDS[key] : key;
    return text.replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  /* The form for a count: `key_one` for 1, `key_other` for any other. */
  function plural(key, n, values) {
    var all = { n: n };
    Object.keys(values || {}).forEach(function (name) {
      all[name] = values[name];
    });
    return word(key + (n === 1 ? "_one" : "_other"), all);
  }

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

  /* Chinese in a result is marked as Chinese, as the pages mark it (the site's cjk_lang). */
  var cjkLang = input.getAttribute("data-cjk-lang") || "zh-Hans";
  var CJK_RUN =
    /[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+/g;

  function appendText(parent, text) {
    var at = 0;
    text.replace(CJK_RUN, function (run, index) {
      if (index > at) parent.appendChild(document.createTextNode(text.slice(at, index)));
      var span = document.createElement("span");
      span.lang = cjkLang;
      span.textContent = run;
      parent.appendChild(span);
      at = index + run.length;
      return run;
    });
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }

  function say(text) {
    status.replaceChildren();
    appendText(status, text);
  }

  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
        // Result URLs start at the site's root, which is not the domain's under a project path.
        return module.options({ baseUrl: root.pathname }).then(function () {
          return module;
        });
      });
      pagefind.catch(function () {
        pagefind = null; // try again on the next query
      });
    }
    return pagefind;
  }

  /* Pagefind gives matches and elements with an id as word numbers. Its index is Chinese-aware,
     so a page's raw text holds its words split by zero-width spaces (else by white space): cut
     the same way here, a match is placed in its paragraph or note, and its excerpt is cut from
     that passage's own words. */
  var WORDS_AROUND = 12;
  var WORDS_AFTER = 22;
  var HITS_PER_PAGE = 4;

  function unescaped(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
  }

  /* The page's words, each with the space that follows it. */
  function words(data) {
    var raw = data.raw_content || data.content || "";
    if (raw.indexOf("\u200b") >= 0) return gluedOpeningMarks(raw.split("\u200b").map(unescaped));
    return gluedOpeningMarks(
      raw.split(/[\r\n\s]+/g).map(function (word) {
        return unescaped(word) + " ";
      })
    );
  }

  /* Pagefind separates a quotation mark from the <q> that follows it ("work. " Efforts"): a
     mark standing alone after a space opens the next word, so the space after it goes. */
  var OPENING_MARK = /^["\u201c\u2018'(\[\u300c\u300e]\s+$/;

  function gluedOpeningMarks(list) {
    return list.map(function (word, i) {
      var afterSpace = i === 0 || /\s$/.test(list[i - 1]);
      return afterSpace && OPENING_MARK.test(word) ? word.trim() : word;
    });
  }

  function folded(text) {
    return text.toLowerCase().replace(/[\s\u200b]+/g, "");
  }

  /* Where the query occurs whole from word `at`: the number of words it takes, or 0. */
  function phraseAt(list, at, query) {
    var joined = "";
    var i = at;
    while (joined.length < query.length && i < list.length) joined += folded(list[i++]);
    return query && joined.indexOf(query) === 0 ? i - at : 0;
  }

  /* Paragraphs (para_N) and notes (note_<id>) in page order; a match belongs to the last one
     that starts at or before it. Notes are numbered in page order, as the page numbers them;
     a note's body (note_<id>_body) is a region of its own but the same note, same number. */
  function regions(anchors) {
    var notes = 0;
    var lastNote = null;
    return (anchors || [])
      .filter(function (a) {
        return /^(para|note)_/.test(a.id);
      })
      .sort(function (a, b) {
        return a.location - b.location;
      })
      .map(function (a) {
        var isNote = a.id.indexOf("note_") === 0;
        if (isNote && a.id !== lastNote + "_body") {
          notes++;
          lastNote = a.id;
        }
        return { id: a.id, location: a.location, note: isNote ? notes : 0 };
      });
  }

  function regionOf(list, location) {
    var found = null;
    list.forEach(function (r) {
      if (r.location <= location) found = r;
    });
    return found;
  }

  /* The annotated span around a match in the text (a name, a quotation), when there is one:
     the nearest element starting at or before the match whose own text holds the match. */
  function spanAround(anchors, region, location, word) {
    var best = null;
    (anchors || []).forEach(function (a) {
      if (/^(para|note)_/.test(a.id) || !a.text || a.location > location) return;
      if (a.location < region.location) return;
      var size = a.text.split(/\s+/).length;
      var inside = location - a.location < size && folded(a.text).indexOf(folded(word)) >= 0;
      if (inside && (!best || a.location >= best.location)) best = a;
    });
    return best;
  }

  /* Words [from, to) of the passage [start, stop), the marked ones in <mark>. */
  function excerpt(list, span, marked) {
    var from = span[0];
    var to = span[1];
    var paragraph = document.createElement("p");
    paragraph.className = "search-excerpt";
    var text = from > span[2] ? "…" : "";
    for (var i = from; i < to; i++) {
      var word = list[i];
      if (!marked[i]) {
        text += word;
        continue;
      }
      var bare = word.trim();
      var lead = word.slice(0, word.indexOf(bare));
      appendText(paragraph, text + lead);
      var mark = document.createElement("mark");
      appendText(mark, bare);
      paragraph.appendChild(mark);
      text = word.slice(lead.length + bare.length);
    }
    text = text.replace(/\s+$/, "");
    appendText(paragraph, text + (to < span[3] ? "…" : ""));
    return paragraph;
  }

  /* One hit per paragraph or note that matches, the ones holding the whole query first. */
  function hits(data, query) {
    var list = words(data);
    var parts = regions(data.anchors);
    var whole = folded(query);
    var byRegion = {};
    var order = [];
    (data.locations || []).forEach(function (location) {
      var region = regionOf(parts, location);
      var key = region ? region.id : "";
      if (!byRegion[key]) {
        byRegion[key] = { region: region, locations: [], exact: 0, at: location };
        order.push(key);
      }
      var hit = byRegion[key];
      hit.locations.push(location);
      var size = hit.exact ? 0 : phraseAt(list, location, whole);
      if (size) {
        hit.exact = size;
        hit.at = location;
      }
    });
    var found = order.map(function (key, index) {
      var hit = byRegion[key];
      hit.index = index;
      return hit;
    });
    // Where the query occurs whole, the passages that only share a word with it are noise.
    var exact = found.filter(function (hit) {
      return hit.exact;
    });
    if (!exact.length) {
      found.sort(function (a, b) {
        return b.locations.length - a.locations.length || a.index - b.index;
      });
    }
    return (exact.length ? exact : found).slice(0, HITS_PER_PAGE).map(function (hit) {
      return describe(data, list, parts, hit);
    });
  }

  function describe(data, list, parts, hit) {
    var region = hit.region;
    var next = region ? parts[parts.indexOf(region) + 1] : parts[0];
    var start = region ? region.location : 0;
    var stop = Math.min(list.length, next ? next.location : list.length);
    var from = Math.max(start, hit.at - WORDS_AROUND);
    var to = Math.min(stop, hit.at + WORDS_AFTER);
    var marked = {};
    if (hit.exact) {
      for (var i = hit.at; i < hit.at + hit.exact; i++) marked[i] = true;
    } else {
      hit.locations.forEach(function (l) {
        marked[l] = true;
      });
    }
    var target = region ? region.id : "";
    if (region && !region.note && list[hit.at]) {
      var span = spanAround(data.anchors, region, hit.at, list[hit.at]);
      if (span) target = span.id;
    }
    return {
      url: target ? data.url + "#" + encodeURIComponent(target) : data.url,
      where: !region ? "" : region.note ? word("result_in_note", { n: region.note }) : word("result_in_text"),
      excerpt: excerpt(list, [from, Math.max(to, from + 1), start, stop], marked),
      exact: hit.exact > 0,
    };
  }

  function item(data, hit) {
    var li = document.createElement("li");
    li.className = "search-result";
    var kind = document.createElement("p");
    kind.className = "search-kind";
    kind.textContent = (data.meta && data.meta.kind) || word("kind_page");
    if (hit.where) {
      var where = document.createElement("span");
      where.className = "search-where";
      where.textContent = " · " + hit.where;
      kind.appendChild(where);
    }
    var link = document.createElement("a");
    link.className = "search-title";
    link.href = hit.url;
    appendText(link, (data.meta && data.meta.title) || data.url);
    li.append(kind, link, hit.excerpt);
    return li;
  }

  function show(query, found) {
    var results = [];
    found.forEach(function (data, page) {
      hits(data, query).forEach(function (hit, index) {
        results.push({ data: data, hit: hit, page: page, index: index });
      });
    });
    // Passages that hold the whole query come first, then Pagefind's order.
    results.sort(function (a, b) {
      return (b.hit.exact ? 1 : 0) - (a.hit.exact ? 1 : 0) || a.page - b.page || a.index - b.index;
    });
    list.replaceChildren.apply(
      list,
      results.map(function (r) {
        return item(r.data, r.hit);
      })
    );
    list.hidden = results.length === 0;
    say(
      results.length
        ? plural("search_results", results.length, { query: query })
        : word("search_none", { query: query })
    );
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
      say(word("search_from_disk"));
      return;
    }
    say(word("searching"));
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
        if (ticket === latest) say(word("search_unavailable"));
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
