// The theme toggle: light or dark, remembered across pages and visits. Without JavaScript the
// site follows the system setting and the button stays hidden. The choice is applied before the
// first paint by a one-line script in each page's <head>, so the wrong theme never flashes.
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.querySelector(".theme-toggle");
  if (!button) return;
  var system = window.matchMedia("(prefers-color-scheme: dark)");

  function current() {
    return root.dataset.theme || (system.matches ? "dark" : "light");
  }

  function show() {
    button.setAttribute("aria-pressed", current() === "dark" ? "true" : "false");
  }

  button.addEventListener("click", function () {
    var next = current() === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    try {
      localStorage.setItem("theme", next);
    } catch (e) {
      // Storage can be off (private windows, some file:// set-ups): the choice lasts this page.
    }
    show();
  });
  if (system.addEventListener) system.addEventListener("change", show);
  button.hidden = false;
  show();
})();
