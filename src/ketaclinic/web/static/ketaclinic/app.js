/* Behaviour shared by every page, attached from here because the CSP forbids inline script.
   A button with data-copy-from="ID" copies the value of the element with that id. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-from]") : null;
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy-from"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.value || source.textContent).then(function () {
      button.textContent = "Copied";
    });
  });
})();

/* A table that scrolls sideways must be reachable with the keyboard: pages mark their scroll
   regions (tabindex="0", role="region", a label); one a page left unmarked gets the same here,
   named after its table's caption or the nearest heading before it. */
(function () {
  "use strict";
  function nameOf(region) {
    var caption = region.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var node = region;
    while (node) {
      var prev = node.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim();
        prev = prev.previousElementSibling;
      }
      node = node.parentElement;
    }
    return "Table";
  }
  function wrapTables(root) {
    // A table no page wrapped gets a scroll region of its own, so that a wide table scrolls
    // inside the page on a phone instead of pushing the whole page sideways.
    var tables = root.querySelectorAll("main table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.closest(".scroll-x, .table-scroll, .plan-scroll")) continue;
      var region = document.createElement("div");
      region.className = "scroll-x";
      table.parentNode.insertBefore(region, table);
      region.appendChild(table);
    }
  }
  function mark(root) {
    wrapTables(root);
    var regions = root.querySelectorAll(".scroll-x, .table-scroll, .plan-scroll");
    for (var i = 0; i < regions.length; i++) {
      var region = regions[i];
      if (region.hasAttribute("tabindex")) continue;
      region.setAttribute("tabindex", "0");
      region.setAttribute("role", "region");
      if (!region.hasAttribute("aria-label") && !region.hasAttribute("aria-labelledby")) {
        region.setAttribute("aria-label", nameOf(region) + " (scrolls sideways)");
      }
    }
  }
  mark(document);
  document.addEventListener("htmx:afterSwap", function (event) { mark(event.target); });
})();

/* The main navigation folds behind a Menu button on narrow screens (below 1100 px, set in
   app.css): the button opens and closes it, Escape closes it and gives the focus back to the
   button, and so does a click outside it. Wide screens never see the button. */
(function () {
  "use strict";
  var button = document.querySelector(".nav-toggle");
  var nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) return;
  var bar = button.closest(".topbar");
  bar.classList.add("nav-collapsible");
  button.hidden = false;
  function isOpen() { return button.getAttribute("aria-expanded") === "true"; }
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    bar.classList.toggle("nav-open", open);
  }
  button.addEventListener("click", function () { setOpen(!isOpen()); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) {
      setOpen(false);
      button.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (isOpen() && !nav.contains(event.target) && !button.contains(event.target)) setOpen(false);
  });
})();
