/* Reading aids for article pages: popovers on people and terms, a copy-link button on every
 * annotation, notes folded under their paragraph on narrow screens, a mark where a permalink
 * lands, and every note open for printing.
 *
 * The page is complete without this script: links go to their pages, notes are open, :target
 * marks a permalink. Editors' text is only ever cloned from the page's inert <template> or set
 * with textContent; nothing here parses HTML from strings.
 */
(function () {
  "use strict";

  var article = document.querySelector("article.annotated");
  if (!article) return;
  var main = document.getElementById("main_content") || document.body;
  var WIDE = window.matchMedia("(min-width: 68.75em)"); // as in style.css: side notes
  var KINDS = { quote: "quotation", mention: "mention", term: "term", note: "note" };

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function fragments(id) {
    return all('[data-annotation-id="' + CSS.escape(id) + '"]', article);
  }

  /* --- a status line that shows and announces what just happened --------------------- */

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

  /* --- notes: in the margin when wide, folded under their paragraph when narrow -------- */

  var notes = all("details.note", article);

  function hashTarget() {
    try {
      return location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    } catch (e) {
      return null; // a malformed address: nothing to arrive at
    }
  }

  function fitNotes() {
    var target = hashTarget();
    notes.forEach(function (note) {
      note.open = WIDE.matches || note === target;
    });
  }

  function keepSideNotesOpen(event) {
    // In the margin a note is a label, not a toggle: a stray click must not hide it.
    if (WIDE.matches && event.target.closest("details.note > summary")) event.preventDefault();
  }

  /* --- arriving at a permalink: open its note, mark every fragment of the span --------- */

  function arrive(target) {
    if (!target) return;
    var details = target.closest("details");
    if (details) details.open = true;
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

  /* --- a copy-link button after each annotation --------------------------------------- */

  var base = article.getAttribute("data-permalink-base") || location.href.split("#")[0];

  function addPermalink(first) {
    var id = first.id;
    var pieces = fragments(id);
    var last = pieces[pieces.length - 1];
    var after = last.closest("a") || last; // a button cannot sit inside a link
    var next = after.nextElementSibling;
    if (next && next.matches(".note-ref") && next.getAttribute("href") === "#note_" + id) {
      after = next; // "power,⁴ #" reads better than "power,# ⁴"
    }
    var words = pieces
      .map(function (piece) {
        return piece.textContent;
      })
      .join(" ")
      .split(/\s+/)
      .filter(Boolean);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "permalink";
    button.textContent = "#";
    button.setAttribute("data-permalink", id);
    button.setAttribute(
      "aria-label",
      "Copy link to this " + (KINDS[first.getAttribute("data-annotation-type")] || "passage") +
        ": " + words.slice(0, 6).join(" ") + (words.length > 6 ? "…" : "")
    );
    after.after(button);
  }

  var pointed = null; // the copy-link button of the innermost annotation under the mouse

  function pointAt(node) {
    if (node.closest && node.closest("button.permalink")) return; // on its way to the button
    var span = node.closest ? node.closest("[data-annotation-id]") : null;
    var button = span
      ? article.querySelector('button.permalink[data-permalink="' + CSS.escape(span.getAttribute("data-annotation-id")) + '"]')
      : null;
    if (button === pointed) return;
    var previous = pointed;
    // The last one stays a moment, so the mouse can cross a comma to reach it.
    if (previous) setTimeout(function () {
      if (previous !== pointed) previous.classList.remove("is-pointed");
    }, 400);
    if (button) button.classList.add("is-pointed");
    pointed = button;
  }

  function copyPermalink(button) {
    var id = button.getAttribute("data-permalink");
    var url = base + "#" + id;
    arrive(document.getElementById(id));
    button.classList.add("is-copied");
    setTimeout(function () {
      button.classList.remove("is-copied");
    }, 2000);
    var copied =
      navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(url)
        : Promise.reject(new Error("no clipboard"));
    copied.then(
      function () {
        say("Link copied: " + url);
      },
      function () {
        say("Copy this link: " + url, 10);
      }
    );
  }

  /* --- popovers on people and terms (WAI-ARIA tooltip: hover, focus, Escape) ----------- */

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

  function describe(link, on) {
    var ids = (link.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return id && id !== popover.id;
    });
    if (on) ids.push(popover.id);
    if (ids.length) link.setAttribute("aria-describedby", ids.join(" "));
    else link.removeAttribute("aria-describedby");
  }

  function show(link, how) {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    if (current === link) return;
    hide();
    openedBy = how;
    popover.replaceChildren(cards[link.getAttribute("href")].cloneNode(true));
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
    pointAt(event.target);
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
  }

  function onClick(event) {
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
  }

  function onKeyDown(event) {
    if (event.key === "Escape" && current) {
      var link = current;
      var inside = popover.contains(document.activeElement);
      hide();
      if (inside) link.focus(); // focus never stays in something that is gone
    }
  }

  /* --- printing: every note open, as numbered endnotes (see style.css) ------------------ */

  var closedBeforePrint = [];

  function openForPrint() {
    hide();
    closedBeforePrint = notes.filter(function (note) {
      return !note.open;
    });
    closedBeforePrint.forEach(function (note) {
      note.open = true;
    });
  }

  function restoreAfterPrint() {
    closedBeforePrint.forEach(function (note) {
      note.open = false;
    });
    closedBeforePrint = [];
  }

  /* --- wiring ------------------------------------------------------------------------- */

  all("[data-annotation-id][id]", article).forEach(addPermalink);
  fitNotes();
  var landing = hashTarget();
  if (landing) {
    landing.scrollIntoView(); // folding the notes may have moved it
    arrive(landing);
  }
  WIDE.addEventListener("change", fitNotes);
  window.addEventListener("hashchange", arriveAtHash);
  window.addEventListener("beforeprint", openForPrint);
  window.addEventListener("afterprint", restoreAfterPrint);
  window.addEventListener("resize", hide);
  document.addEventListener("pointerover", onPointerOver);
  document.addEventListener("pointerdown", onPointerDown, true);
  document.addEventListener("focusin", onFocusIn);
  document.addEventListener("keydown", onKeyDown);
  document.addEventListener("click", function (event) {
    keepSideNotesOpen(event);
    followInPageLink(event);
    var button = event.target.closest("button.permalink");
    if (button) copyPermalink(button);
    else onClick(event);
  });
})();
