/* Live reload for `site-builder serve`.
 *
 * The dev server puts this script into the HTML pages it serves, at request
 * time; it is never written into output/. It listens on Server-Sent Events:
 *   reload       a rebuild is in place: reload, and come back to the same scroll position;
 *   build-error  a rebuild failed: show its located errors over the page, which
 *                stays the last good build, until a good build reloads it.
 * window.__siteBuilderLiveReload reports the connection state, for tests.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var build = (script && script.getAttribute("data-build")) || "0";
  var endpoint = (script && script.getAttribute("data-events")) || "/__livereload";
  var scrollKey = "site-builder:scroll:" + location.pathname + location.search;
  var OVERLAY_ID = "site-builder-errors";
  var state = (window.__siteBuilderLiveReload = { build: build, state: "connecting", errors: 0 });
  var source = null;

  function rememberScroll() {
    try {
      sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
      // The browser's own restoration would race ours once the page has changed length.
      history.scrollRestoration = "manual";
    } catch (e) {
      /* storage disabled: reload anyway, at the top */
    }
  }

  function restoreScroll() {
    var saved = null;
    try {
      saved = sessionStorage.getItem(scrollKey);
      sessionStorage.removeItem(scrollKey);
      history.scrollRestoration = "auto";
    } catch (e) {
      return;
    }
    if (saved) {
      var xy = JSON.parse(saved);
      window.scrollTo(xy[0], xy[1]);
    }
  }

  function reload() {
    if (source) source.close();
    state.state = "reloading";
    rememberScroll();
    location.reload();
  }

  function overlay() {
    var host = document.getElementById(OVERLAY_ID);
    if (host) return host.shadowRoot;
    host = document.createElement("div");
    host.id = OVERLAY_ID;
    // A shadow root keeps the site's styles off the overlay and the overlay's off the site.
    var root = host.attachShadow({ mode: "open" });
    root.innerHTML =
      "<style>" +
      ":host{all:initial}" +
      ".backdrop{position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,20,.92);color:#f3f3f3;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace}" +
      ".panel{max-width:60rem;margin:3rem auto;padding:1.5rem;border-top:4px solid #e5534b;background:#1e1e1e}" +
      "h2{margin:0 0 1rem;font:inherit;font-size:16px;font-weight:bold;color:#ff938a}" +
      "pre{margin:0;white-space:pre-wrap;word-break:break-word;font:inherit}" +
      "button{position:absolute;top:.5rem;right:.5rem;font:inherit;color:inherit;" +
      "background:none;border:1px solid #777;cursor:pointer}" +
      "p{margin:1rem 0 0;color:#aaa}" +
      "</style>" +
      '<div class="backdrop" role="alertdialog" aria-labelledby="title">' +
      '<div class="panel"><button type="button" title="Hide until the next build">close</button>' +
      '<h2 id="title"></h2><pre></pre>' +
      "<p>Fix the files and save: this page reloads by itself when the site builds again.</p>" +
      "</div></div>";
    root.querySelector("button").addEventListener("click", function () {
      host.remove();
    });
    document.body.appendChild(host);
    return root;
  }

  function showErrors(report) {
    var root = overlay();
    // textContent, never innerHTML: the diagnostics quote the editor's own text.
    root.querySelector("h2").textContent = report.summary;
    root.querySelector("pre").textContent = report.diagnostics.join("\n");
    state.errors = report.errors;
  }

  function connect() {
    source = new EventSource(endpoint + "?since=" + encodeURIComponent(build));
    source.addEventListener("open", function () {
      state.state = "open";
    });
    source.addEventListener("error", function () {
      // The server stopped or restarted; EventSource keeps retrying by itself.
      state.state = "connecting";
    });
    source.addEventListener("reload", reload);
    source.addEventListener("build-error", function (event) {
      showErrors(JSON.parse(event.data));
    });
  }

  // Browsers cap connections per host; a hidden page should not hold one.
  window.addEventListener("pagehide", function () {
    if (source) source.close();
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) connect();
  });

  if (document.readyState === "complete") {
    restoreScroll();
  } else {
    window.addEventListener("load", restoreScroll);
  }
  connect();
})();
