/* Pilothouse org chart: expand and collapse all, a live search, and the product line
   filter applied on change.

   The chart is nested lists of <details> drawn by the server, which opens and closes
   without this file, and the search and line filter are a plain form. This file adds:
   "Expand all" and "Collapse all"; typing in the search box shows only the people whose
   name or title holds every word typed, with their chain of managers opened above them
   (clearing it brings the chart back as it was); choosing a product line submits the
   form; a link to someone in the chart opens the folds above them. */
(function () {
  "use strict";

  var tree = document.getElementById("org-tree");
  var tools = document.querySelector("[data-org-tools]");
  if (!tree || !tools) return;
  var status = document.getElementById("org-status");
  var search = document.getElementById("org-search");
  var line = document.getElementById("org-line");
  var nodes = Array.prototype.slice.call(tree.querySelectorAll("li.org-node"));
  var folds = Array.prototype.slice.call(tree.querySelectorAll("details.org-fold"));
  var initiallyOpen = folds.map(function (fold) { return fold.open; });
  var initialQuery = search ? search.value.trim() : "";

  tools.hidden = false;

  function say(text) {
    if (status) status.textContent = text;
  }

  function parentNode(node) {
    var list = node.parentElement;
    return list ? list.closest("li.org-node") : null;
  }

  // Open every fold above `node`.
  function reveal(node) {
    var current = parentNode(node);
    while (current) {
      var fold = current.querySelector(":scope > details.org-fold");
      if (fold) fold.open = true;
      current = parentNode(current);
    }
  }

  function setAll(open) {
    nodes.forEach(function (node) { node.hidden = false; });
    folds.forEach(function (fold) { fold.open = open; });
    say(open ? "Every fold is open." : "Only the top of the chart is shown.");
  }

  tools.querySelector("[data-org-expand]").addEventListener("click", function () {
    setAll(true);
  });
  tools.querySelector("[data-org-collapse]").addEventListener("click", function () {
    setAll(false);
  });

  function restore() {
    nodes.forEach(function (node) {
      node.hidden = false;
      node.classList.remove("org-node--match", "org-node--chain");
    });
    folds.forEach(function (fold, index) { fold.open = initiallyOpen[index]; });
    say("");
  }

  function filter(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) {
      restore();
      return;
    }
    var keep = new Set();
    var matches = [];
    nodes.forEach(function (node) {
      var text = node.getAttribute("data-search") || "";
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      node.classList.toggle("org-node--match", match);
      node.classList.remove("org-node--chain");
      if (!match) return;
      matches.push(node);
      keep.add(node);
      for (var up = parentNode(node); up && !keep.has(up); up = parentNode(up)) {
        keep.add(up);
        up.classList.add("org-node--chain");
      }
    });
    nodes.forEach(function (node) {
      node.hidden = !keep.has(node);
      var fold = node.querySelector(":scope > details.org-fold");
      if (fold) fold.open = keep.has(node) && node.classList.contains("org-node--chain");
    });
    say(
      matches.length === 1 ? "1 person matches." :
      matches.length ? matches.length + " people match." : "Nobody matches."
    );
  }

  if (search) {
    var timer = null;
    search.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        // The server drew the chart for its own search: typing searches what it drew.
        filter(search.value.trim() === initialQuery ? "" : search.value.trim());
      }, 120);
    });
  }

  if (line) {
    line.addEventListener("change", function () {
      line.form.submit();
    });
  }

  function revealTarget(id) {
    var target = id && document.getElementById(id);
    if (!target || !tree.contains(target)) return;
    target.hidden = false;
    reveal(target);
    target.scrollIntoView({ block: "center" });
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-reveal]") : null;
    if (link) revealTarget(link.getAttribute("data-reveal"));
  });
  if (window.location.hash) revealTarget(window.location.hash.slice(1));
})();
