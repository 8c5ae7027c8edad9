/* Pilothouse feedback inbox: keyboard shortcuts and the keyboard side of the feature
   picker. Everything here is also reachable with the mouse and with Tab: the keys only
   press the page's own buttons and links (htmx does the requests).

   j / k      next / previous note          1-9  set the kind with that number
   l          focus the feature picker      e    archive      t  mark triaged
   x          check the note for bulk       /    search       ?  this help
   Shortcuts never fire while typing in a field; Esc leaves the field. */
(function () {
  "use strict";

  var TEXT_TYPES = ["checkbox", "radio", "button", "submit", "reset"];

  function isTyping(target) {
    if (!(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    var type = (target.getAttribute("type") || "text").toLowerCase();
    return TEXT_TYPES.indexOf(type) === -1;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-results .inbox-row"));
  }

  function currentRow() {
    var marked = document.querySelector('#inbox-results .inbox-row[aria-current="true"]');
    if (marked) return marked;
    var shown = document.querySelector("#note-pane .note-pane"); // the note in the pane
    return shown ? document.getElementById("note-row-" + shown.getAttribute("data-note-id")) : null;
  }

  function markCurrent(row) {
    rows().forEach(function (other) {
      if (other !== row) other.removeAttribute("aria-current");
    });
    if (!row) return;
    row.setAttribute("aria-current", "true");
    var selected = document.getElementById("selected-note");
    if (selected) {
      selected.name = "note";
      selected.value = row.getAttribute("data-note-id");
    }
  }

  function select(row) {
    var link = row && row.querySelector(".inbox-row__open");
    if (!link) return;
    markCurrent(row);
    link.focus();
    ready(link);
    link.click();
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(currentRow());
    if (index === -1) index = step > 0 ? 0 : all.length - 1;
    else index = Math.max(0, Math.min(all.length - 1, index + step));
    if (all[index] !== currentRow() || !document.querySelector("#note-pane .note-pane")) {
      select(all[index]);
    }
  }

  function ready(element) {
    // A pane swapped in a moment ago may not be wired by htmx yet: wire it now, or the
    // click would send the form without htmx (which works, but reloads the page).
    if (window.htmx && element) window.htmx.process(element.closest("form") || element);
  }

  function press(selector) {
    var button = document.querySelector("#note-pane " + selector);
    if (!button || button.disabled) return false;
    ready(button);
    button.click();
    return true;
  }

  function focusOn(selector) {
    var field = document.querySelector(selector);
    if (!field) return false;
    field.focus();
    if (field.select) field.select();
    return true;
  }

  function updateCount() {
    var label = document.getElementById("bulk-count");
    if (!label) return;
    var n = document.querySelectorAll("#inbox-results .inbox-row__check:checked").length;
    label.textContent = n ? n + " checked" : "Check notes (x) to act on several at once";
  }

  function toggleCheck() {
    var row = currentRow();
    var box = row && row.querySelector(".inbox-row__check");
    if (!box) return false;
    box.checked = !box.checked;
    updateCount();
    return true;
  }

  function openHelp() {
    var dialog = document.getElementById("shortcut-help");
    if (dialog && !dialog.open) dialog.showModal();
    return Boolean(dialog);
  }

  function announce(text) {
    var status = document.getElementById("inbox-status");
    if (status) status.textContent = text;
    var alert = document.getElementById("inbox-alert");
    if (alert) {
      alert.textContent = text;
      alert.hidden = !text;
    }
  }

  /* --- the feature picker: Enter links the first match, arrows move among them --- */

  var pendingPick = null;

  function resultsOf(input) {
    var id = input.getAttribute("hx-target");
    return id ? document.querySelector(id) : null;
  }

  function options(input) {
    var results = resultsOf(input);
    return results ? Array.prototype.slice.call(results.querySelectorAll("[data-picker-option]")) : [];
  }

  function resultsCurrent(input) {
    var results = resultsOf(input);
    var shown = results && results.querySelector("[data-results-for]");
    return Boolean(shown) && shown.getAttribute("data-results-for") === input.value.trim();
  }

  function pickFirst(input) {
    var found = options(input);
    if (!found.length) {
      announce("No feature matches “" + input.value.trim() + "”.");
      return;
    }
    input.blur(); // done typing: the shortcuts work again once the note is linked
    ready(found[0]);
    found[0].click();
  }

  function pickerKeys(event, input) {
    if (event.key === "Enter") {
      event.preventDefault();
      if (!input.value.trim()) return;
      if (resultsCurrent(input)) {
        pickFirst(input);
      } else {
        pendingPick = input; // the matches are on their way: pick when they arrive
        if (window.htmx) window.htmx.trigger(input, "search");
      }
    } else if (event.key === "ArrowDown") {
      var found = options(input);
      if (found.length) {
        event.preventDefault();
        found[0].focus();
      }
    } else if (event.key === "Escape") {
      input.blur();
    }
  }

  function optionKeys(event, option) {
    var input = document.querySelector("#note-pane [data-feature-picker]");
    var found = input ? options(input) : [];
    var index = found.indexOf(option);
    if (event.key === "ArrowDown" && index < found.length - 1) {
      event.preventDefault();
      found[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (index > 0) found[index - 1].focus();
      else if (input) input.focus();
    } else if (event.key === "Escape" && input) {
      event.preventDefault();
      input.focus();
    }
  }

  /* --- wiring --- */

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var picker = target instanceof Element && target.closest("[data-feature-picker]");
    if (picker) return pickerKeys(event, picker);
    var option = target instanceof Element && target.closest("[data-picker-option]");
    if (option && ["ArrowDown", "ArrowUp", "Escape"].indexOf(event.key) !== -1) {
      return optionKeys(event, option);
    }
    var dialog = document.getElementById("shortcut-help");
    if (dialog && dialog.open) return;
    if (isTyping(target)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    var handled;
    switch (event.key) {
      case "j": move(1); handled = true; break;
      case "k": move(-1); handled = true; break;
      case "e": handled = press('[data-shortcut="archive"]'); break;
      case "t": handled = press('[data-shortcut="triaged"]'); break;
      case "l": handled = focusOn("#note-pane [data-feature-picker]"); break;
      case "x": handled = toggleCheck(); break;
      case "/": handled = focusOn("#id_q"); break;
      case "?": handled = openHelp(); break;
      default:
        handled = /^[1-9]$/.test(event.key) && press('[data-kind-key="' + event.key + '"]');
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var link = target && target.closest(".inbox-row__open");
    if (link) markCurrent(link.closest(".inbox-row"));
    if (target && target.closest("[data-shortcut-help]")) openHelp();
  });

  document.addEventListener("change", function (event) {
    if (event.target instanceof Element && event.target.matches(".inbox-row__check")) updateCount();
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var input = pendingPick;
    if (input && document.body.contains(input) && resultsOf(input) === event.detail.target) {
      pendingPick = null;
      pickFirst(input);
    }
    var pane = event.detail.target;
    if (pane && pane.id === "note-pane") {
      var alert = document.getElementById("inbox-alert");
      if (alert) alert.hidden = true;
      // The button pressed went away with the old pane: keep the focus nearby.
      if (document.activeElement === document.body) pane.focus({ preventScroll: true });
    }
  });

  // After archiving or triaging a note (the server says so), go on to the next one.
  document.body.addEventListener("inbox:noteDone", function () {
    move(1);
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    announce(
      status === 403
        ? "You may not do this; nothing changed."
        : "That did not work (error " + status + "); nothing changed."
    );
  });
})();
