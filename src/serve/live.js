// juxta serve: live reload, and the build error shown over the page. `juxta serve` adds this
// script to the pages it serves; `juxta build` output never contains it.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = script ? script.getAttribute("data-generation") : null;
  var overlay = null;

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function show(error) {
    hide();
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-label", "juxta build error");
    overlay.setAttribute("data-juxta-overlay", "");
    var s = overlay.style;
    s.position = "fixed";
    s.inset = "0";
    s.zIndex = "2147483647";
    s.overflow = "auto";
    s.padding = "2rem";
    s.background = "rgba(20, 20, 20, 0.92)";
    s.color = "#fff";
    s.font = "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    var title = document.createElement("p");
    title.textContent = "The last change does not build; this page shows the last good build.";
    title.style.fontWeight = "bold";
    title.style.color = "#ff8a80";
    var text = document.createElement("pre");
    text.textContent = error;
    text.style.whiteSpace = "pre-wrap";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", hide);
    overlay.append(title, text, close);
    document.body.append(overlay);
    close.focus();
  }

  var events = new EventSource("/__juxta/events");
  events.addEventListener("hello", function (e) {
    var state = JSON.parse(e.data);
    // A build finished between this page's load and now (or the server restarted): reload.
    if (shown !== null && state.generation !== shown) {
      location.reload();
      return;
    }
    if (state.error) {
      show(state.error);
    } else {
      hide();
    }
  });
  events.addEventListener("reload", function () {
    location.reload();
  });
  events.addEventListener("failed", function (e) {
    show(JSON.parse(e.data).error);
  });
})();
