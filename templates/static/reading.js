/* Reading aids for article pages: margin notes level with their passages on wide screens, a
 * note opened as a sheet from its number on narrow ones, popovers on people and terms, links
 * to copy (from a note, a popover, or any selected passage), and a mark where a link lands.
 *
 * The page is complete without this script: links go to their pages, the notes are listed
 * after the text, :target marks a permalink. Editors' text is only ever cloned from the page
 * (its inert <template>, its notes) or set with textContent; nothing here parses HTML.
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

  var article = document.querySelector("article.annotated");
  if (!article) return;
  var main = document.getElementById("main_content") || document.body;
  var body = article.querySelector(".article-body");
  var WIDE = window.matchMedia("(min-width: 68.75em)"); // as in style.css: the margin
  var GAP = 12; // px between two items in the margin
  var CLAMP_SLACK = 1.25; // a note is clamped only when it is this much taller than the clamp
  var KINDS = { quote: word("ann_quote"), mention: word("ann_mention"), term: word("ann_term"), note: word("ann_note") };
  var PASSAGE = word("ann_passage");

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  /* "this quotation", "this term": what a link copied from an annotated span points at. */
  function thisKind(element) {
    return word("what_this", { kind: KINDS[element.getAttribute("data-annotation-type")] || PASSAGE });
  }

  function fragments(id) {
    return all('[data-annotation-id="' + CSS.escape(id) + '"]', article);
  }

  function button(label, className) {
    var made = document.createElement("button");
    made.type = "button";
    made.className = className || "";
    made.textContent = label;
    return made;
  }

  /* --- a status line that shows and announces what just happened --- */

  var toast = document.createElement("p");
  toast.className = "toast";
  toast.setAttribute("role", "status");
  main.appendChild(toast);
  var toastTimer = 0;

  function say(text, seconds) {
    clearTimeout(toastTimer);
    toast.textContent = text;
    toastTimer = setTimeout(function () {
      toast.textContent = "";
    }, (seconds || 3) * 1000);
  }

  /* --- links to copy --- */

  var base = article.getAttribute("data-permalink-base") || location.href.split("#")[0];

  function copyLink(fragment, what) {
    var url = base + "#" + fragment;
    var copied =
      navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(url)
        : Promise.reject(new Error("no clipboard"));
    copied.then(
      function () {
        say(what ? word("link_copied_to", { what: what, url: url }) : word("link_copied", { url: url }));
      },
      function () {
        say(word("copy_this_link", { url: url }), 10);
      }
    );
    return url;
  }

  function copyButton(id, what) {
    var made = button(word("copy_link"), "copy-link");
    made.setAttribute("data-permalink", id);
    made.setAttribute("aria-label", word("copy_link_to", { what: what }));
    made.addEventListener("click", function () {
      copyLink(id, what);
      arrive(document.getElementById(id));
    });
    return made;
  }

  /* --- notes: in the margin when wide, a sheet from their number when narrow --- */

  var notes = all(".note-list > .note", article);
  var attributions = all(".attribution", body);

  function anchorOf(note) {
    return document.getElementById(note.getAttribute("data-for"));
  }

  function numberOf(note) {
    var number = note.querySelector(".note-number");
    return number ? number.textContent.trim() : "";
  }

  notes.forEach(function (note) {
    var actions = document.createElement("p");
    actions.className = "note-actions";
    var target = anchorOf(note);
    var kind = target ? KINDS[target.getAttribute("data-annotation-type")] || PASSAGE : PASSAGE;
    actions.appendChild(copyButton(note.getAttribute("data-for"), word("what_note", { kind: kind, n: numberOf(note) })));
    note.appendChild(actions);
  });

  function expander(note) {
    var toggle = note.querySelector(".note-more");
    if (!toggle) {
      toggle = button(word("note_more"), "note-more");
      toggle.setAttribute("aria-controls", note.id + "_body");
      toggle.addEventListener("click", function () {
        setClamped(note, !note.classList.contains("is-clamped"));
        layoutSoon();
      });
      note.querySelector(".note-actions").prepend(toggle);
    }
    return toggle;
  }

  function setClamped(note, clamped) {
    note.classList.toggle("is-clamped", clamped);
    note.classList.toggle("is-expanded", !clamped); // kept when the margin is laid out again
    var toggle = note.querySelector(".note-more");
    if (!toggle) return;
    toggle.textContent = clamped ? word("note_more") : word("note_less");
    toggle.setAttribute("aria-expanded", String(!clamped));
  }

  function clampLongNotes() {
    notes.forEach(function (note) {
      var text = note.querySelector(".note-body");
      var expanded = note.classList.contains("is-expanded");
      note.classList.remove("is-clamped");
      var lineHeight = parseFloat(getComputedStyle(text).lineHeight) || 20;
      var long = WIDE.matches && text.scrollHeight > 6 * lineHeight * CLAMP_SLACK;
      var toggle = note.querySelector(".note-more");
      if (long) {
        expander(note).hidden = false;
        setClamped(note, !expanded);
      } else if (toggle) {
        toggle.hidden = true;
      }
    });
  }

  function clearMargin() {
    article.classList.remove("notes-in-margin");
    article.style.minHeight = "";
    notes.concat(attributions).forEach(function (item) {
      item.style.top = "";
    });
  }

  /* Each item (a speaker's name, a note) wants to start level with its passage; in text
     order, each is moved down only as far as the one above it requires. Reads every position
     first, then writes them all, so the page is laid out once. */
  function layoutMargin() {
    if (!WIDE.matches) {
      clearMargin();
      notes.forEach(function (note) {
        note.classList.remove("is-clamped");
      });
      return;
    }
    article.classList.add("notes-in-margin");
    attributions.forEach(function (item) {
      item.style.top = "";
    });
    var origin = article.getBoundingClientRect().top;
    var bodyTop = body.getBoundingClientRect().top - origin;
    var items = attributions
      .filter(function (item) {
        return !item.closest(".speakers-under");
      })
      .map(function (item, order) {
        return { element: item, want: item.getBoundingClientRect().top - origin, order: order, offset: bodyTop };
      })
      .concat(
        notes.map(function (note, order) {
          var anchor = anchorOf(note);
          var line = anchor ? anchor.getClientRects()[0] || anchor.getBoundingClientRect() : null;
          return {
            element: note,
            want: line ? line.top - origin : 0,
            order: attributions.length + order,
            offset: 0,
          };
        })
      );
    items.forEach(function (item) {
      item.height = item.element.getBoundingClientRect().height;
    });
    items.sort(function (a, b) {
      return a.want - b.want || a.order - b.order;
    });
    var floor = 0;
    items.forEach(function (item) {
      item.top = Math.max(item.want, floor);
      item.element.style.top = Math.round(item.top - item.offset) + "px";
      floor = item.top + item.height + GAP;
    });
    article.style.minHeight = Math.ceil(floor) + "px";
    return items;
  }

  /* A name the notes leave no room for beside its quotation goes under its paragraph, as on
     phones; decided with the column, not when a note expands (that never moves the text). */
  function placeSpeakers() {
    all(".speakers-under", body).forEach(function (para) {
      para.classList.remove("speakers-under");
    });
    for (var pass = 0; pass <= attributions.length; pass++) {
      var late = (layoutMargin() || []).filter(function (item) {
        return item.element.matches(".attribution") && item.top > item.want + 8;
      });
      if (!late.length) return;
      late.forEach(function (item) {
        item.element.closest(".para").classList.add("speakers-under");
      });
    }
  }

  var layoutFrame = 0;

  function layoutSoon() {
    cancelAnimationFrame(layoutFrame);
    layoutFrame = requestAnimationFrame(layoutMargin);
  }

  function relayout() {
    closeSheet(false);
    clampLongNotes();
    placeSpeakers();
  }

  /* Hovering a note or its passage marks the other one. */
  function pair(target, on) {
    var note = target.closest(".note-list > .note");
    var span = target.closest("[data-annotation-id]");
    var id = note ? note.getAttribute("data-for") : span ? span.getAttribute("data-annotation-id") : "";
    if (!id) return;
    var partner = document.getElementById("note_" + id);
    if (!partner) return;
    fragments(id).concat([partner]).forEach(function (element) {
      element.classList.toggle("is-paired", on);
    });
  }

  /* --- narrow screens: a note as a sheet over the bottom of the window --- */

  var sheet = null;
  var sheetOpener = null;

  function openSheet(note, opener) {
    closeSheet(false);
    sheet = note;
    sheetOpener = opener;
    note.classList.add("is-sheet");
    var close = button(word("close"), "sheet-close");
    close.setAttribute("aria-label", word("close_note", { n: numberOf(note) }));
    close.addEventListener("click", function () {
      closeSheet(true);
    });
    note.prepend(close);
    note.focus({ preventScroll: true });
  }

  function closeSheet(returnFocus) {
    if (!sheet) return;
    var closing = sheet;
    sheet = null;
    closing.classList.remove("is-sheet");
    var close = closing.querySelector(".sheet-close");
    if (close) close.remove();
    if (returnFocus && sheetOpener) sheetOpener.focus({ preventScroll: true });
    sheetOpener = null;
  }

  function openNote(ref, event) {
    var note = document.getElementById(ref.getAttribute("href").slice(1));
    if (!note) return;
    event.preventDefault(); // the note is here: no jump to the end of the page
    if (WIDE.matches) {
      setClamped(note, false);
      layoutMargin();
      arrive(note);
      var box = note.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) note.scrollIntoView({ block: "nearest" });
      note.focus({ preventScroll: true });
    } else {
      openSheet(note, ref);
    }
  }

  /* --- arriving at a permalink: show its note, mark every fragment of the span --- */

  function hashTarget() {
    try {
      return location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    } catch (e) {
      return null; // a malformed address: nothing to arrive at
    }
  }

  function arrive(target) {
    if (!target) return;
    if (target.matches(".note.is-clamped")) {
      setClamped(target, false);
      layoutMargin();
    }
    var annotation = target.getAttribute("data-annotation-id");
    var marked = annotation ? fragments(annotation) : [target];
    marked.forEach(function (element) {
      element.classList.remove("is-arrived");
      void element.offsetWidth; // restart the animation when the same link is followed twice
      element.classList.add("is-arrived");
    });
    setTimeout(function () {
      marked.forEach(function (element) {
        element.classList.remove("is-arrived");
      });
    }, 2500);
  }

  function arriveAtHash() {
    arrive(hashTarget());
  }

  function followInPageLink(event) {
    var link = event.target.closest('a[href^="#"]');
    // Following the link to where the address already points fires no hashchange.
    if (link && link.getAttribute("href") === location.hash) arriveAtHash();
  }

  /* --- "copy link to this passage", for any text selected in the article --- */

  var passageButton = button(word("copy_passage_link"), "passage-link");
  passageButton.hidden = true;
  main.appendChild(passageButton);
  var passageTimer = 0;

  function selectedRange() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    var range = selection.getRangeAt(0);
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    return start && body.contains(start) && body.contains(range.endContainer) && String(selection).trim()
      ? range
      : null;
  }

  function textDirective(text) {
    var words = text.split(/\s+/).filter(Boolean);
    var encode = function (part) {
      return encodeURIComponent(part).replace(/-/g, "%2D").replace(/,/g, "%2C");
    };
    if (words.length <= 8) return encode(words.join(" "));
    return encode(words.slice(0, 4).join(" ")) + "," + encode(words.slice(-4).join(" "));
  }

  /* The passage's link: the annotation that holds all of it, else its paragraph with a text
     fragment (browsers that know text fragments mark the words; others go to the paragraph). */
  function passageFragment(range) {
    var common = range.commonAncestorContainer;
    var element = common.nodeType === 1 ? common : common.parentElement;
    var span = element.closest("[data-annotation-id]");
    if (span && body.contains(span)) return { fragment: span.getAttribute("data-annotation-id"), what: thisKind(span) };
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    var paragraph = start.closest(".para");
    return { fragment: paragraph.id + ":~:text=" + textDirective(String(range)), what: word("what_this", { kind: PASSAGE }) };
  }

  function offerPassageLink() {
    clearTimeout(passageTimer);
    passageTimer = setTimeout(function () {
      var range = selectedRange();
      if (!range) {
        passageButton.hidden = true;
        return;
      }
      var rects = range.getClientRects();
      var last = rects[rects.length - 1] || range.getBoundingClientRect();
      passageButton.hidden = false;
      var width = document.documentElement.clientWidth;
      var left = Math.max(8, Math.min(last.right - passageButton.offsetWidth / 2, width - passageButton.offsetWidth - 8));
      passageButton.style.left = left + window.scrollX + "px";
      passageButton.style.top = last.bottom + 8 + window.scrollY + "px";
    }, 200);
  }

  passageButton.addEventListener("mousedown", function (event) {
    event.preventDefault(); // keep the selection
  });
  passageButton.addEventListener("click", function () {
    var range = selectedRange();
    if (!range) return;
    var found = passageFragment(range);
    copyLink(found.fragment, found.what);
    passageButton.hidden = true;
  });

  /* --- popovers on people and terms (WAI-ARIA tooltip: hover, focus, Escape) --- */

  var template = document.getElementById("annotation_popovers");
  var cards = {};
  if (template) {
    all(".popover-card", template.content).forEach(function (card) {
      cards[card.getAttribute("data-for")] = card;
    });
  }
  var TRIGGERS = "a.ann-mention, a.ann-term, a.attribution";
  var popover = document.createElement("div");
  popover.className = "popover";
  popover.id = "annotation_popover";
  popover.setAttribute("role", "tooltip");
  popover.hidden = true;
  main.appendChild(popover);
  var current = null; // the link whose popover is open
  var openedBy = ""; // "hover", "focus" or "tap": only a hover ends when the mouse leaves
  var lastPointer = ""; // "mouse", "pen" or "touch": how the last press was made
  var openTimer = 0;
  var closeTimer = 0;

  function trigger(node) {
    var link = node && node.closest ? node.closest(TRIGGERS) : null;
    return link && article.contains(link) && cards[link.getAttribute("href")] ? link : null;
  }

  /* The annotation a popover's link stands for: the span itself, or the quote a speaker's
     name goes with (the next quote in the text). */
  function annotationOf(link) {
    if (link.matches("[data-annotation-id]")) return link;
    var quotes = all("q.ann-quote[id]", link.closest(".para") || article);
    for (var i = 0; i < quotes.length; i++) {
      if (link.compareDocumentPosition(quotes[i]) & Node.DOCUMENT_POSITION_FOLLOWING) return quotes[i];
    }
    return null;
  }

  // A link is described by its card's short text, not the popover's links and buttons.
  var DESCRIPTION_ID = "annotation_popover_text";

  function describe(link, on) {
    var ids = (link.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return id && id !== DESCRIPTION_ID;
    });
    if (on) ids.push(DESCRIPTION_ID);
    if (ids.length) link.setAttribute("aria-describedby", ids.join(" "));
    else link.removeAttribute("aria-describedby");
  }

  function show(link, how) {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    if (current === link) return;
    hide();
    openedBy = how;
    var card = cards[link.getAttribute("href")].cloneNode(true);
    var annotation = annotationOf(link);
    if (annotation && annotation.id) {
      var actions = document.createElement("p");
      actions.className = "popover-actions";
      actions.appendChild(copyButton(annotation.id, thisKind(annotation)));
      card.appendChild(actions);
    }
    (card.querySelector(".popover-text") || card.querySelector(".popover-title")).id = DESCRIPTION_ID;
    popover.replaceChildren(card);
    popover.hidden = false;
    current = link;
    describe(link, true);
    place(link);
  }

  function hide() {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    if (!current) return;
    describe(current, false);
    popover.hidden = true;
    popover.replaceChildren();
    current = null;
  }

  function place(link) {
    var box = link.getClientRects()[0] || link.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    var left = Math.max(8, Math.min(box.left, width - popover.offsetWidth - 8));
    var top = box.bottom + 6;
    if (top + popover.offsetHeight > window.innerHeight && box.top > popover.offsetHeight + 6) {
      top = box.top - popover.offsetHeight - 6; // no room below: open upwards
    }
    popover.style.left = left + window.scrollX + "px";
    popover.style.top = top + window.scrollY + "px";
  }

  function later(action, ms) {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    var timer = setTimeout(action, ms);
    if (action === hide) closeTimer = timer;
    else openTimer = timer;
  }

  function onPointerOver(event) {
    if (event.pointerType !== "mouse") return;
    if (popover.contains(event.target)) {
      clearTimeout(closeTimer); // the popover itself can be hovered (WCAG 1.4.13)
      return;
    }
    var link = trigger(event.target);
    if (link) later(show.bind(null, link, "hover"), current ? 0 : 250);
    else if (current && openedBy === "hover") later(hide, 300);
  }

  function onPointerDown(event) {
    lastPointer = event.pointerType;
    if (current && !popover.contains(event.target) && trigger(event.target) !== current) hide();
    if (sheet && !sheet.contains(event.target) && !event.target.closest(".note-ref")) closeSheet(false);
  }

  function onClick(event) {
    var ref = event.target.closest("a.note-ref");
    if (ref && article.contains(ref)) {
      openNote(ref, event);
      return;
    }
    var link = trigger(event.target);
    // A tap opens the popover first (it has a link to the page); a second tap follows the link.
    if (link && (event.pointerType || lastPointer) === "touch" && current !== link) {
      event.preventDefault();
      show(link, "tap");
    }
  }

  function onFocusIn(event) {
    var link = trigger(event.target);
    // Only keyboard focus opens it: a tap focuses the link too, and decides on click.
    if (link && link.matches(":focus-visible")) show(link, "focus");
    else if (current && event.target !== current && !popover.contains(event.target)) hide();
    // Focus never lands on words a clamped note hides.
    var clamped = event.target.closest && event.target.closest(".note.is-clamped");
    if (clamped && event.target !== clamped) {
      setClamped(clamped, false);
      layoutSoon();
    }
  }

  function onKeyDown(event) {
    if (event.key !== "Escape") return;
    if (current) {
      var link = current;
      var inside = popover.contains(document.activeElement);
      hide();
      if (inside) link.focus(); // focus never stays in something that is gone
    } else if (sheet) {
      closeSheet(true);
    }
  }

  /* --- wiring --- */

  relayout();
  var landing = hashTarget();
  if (landing) {
    arrive(landing);
    landing.scrollIntoView(); // the margin layout may have moved it
  }
  WIDE.addEventListener("change", relayout);
  if (window.ResizeObserver) {
    // The text's height changes when fonts load or the window narrows: the notes follow.
    var lastWidth = body.offsetWidth;
    new ResizeObserver(function () {
      if (body.offsetWidth !== lastWidth) {
        lastWidth = body.offsetWidth;
        clampLongNotes();
        placeSpeakers();
      }
      layoutSoon();
    }).observe(body);
  }
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(relayout);
  window.addEventListener("load", layoutSoon);
  window.addEventListener("hashchange", arriveAtHash);
  window.addEventListener("resize", hide);
  document.addEventListener("pointerover", onPointerOver);
  document.addEventListener("pointerdown", onPointerDown, true);
  document.addEventListener("focusin", onFocusIn);
  document.addEventListener("keydown", onKeyDown);
  document.addEventListener("selectionchange", offerPassageLink);
  article.addEventListener("mouseover", function (event) {
    pair(event.target, true);
  });
  article.addEventListener("mouseout", function (event) {
    pair(event.target, false);
  });
  document.addEventListener("click", function (event) {
    followInPageLink(event);
    onClick(event);
  });
})();
