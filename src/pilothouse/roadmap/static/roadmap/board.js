/* Pilothouse now / next / later board: drag and drop, and the keyboard.

   Every move is also a button on its card (a form that works without JavaScript).
   This file adds dragging cards (HTML5 drag and drop, within a column, across columns,
   or from the "not on the board" list) and keys on a focused card:

     Alt+← / Alt+→, or [ / ]   move to the previous / next column
     Alt+↑ / Alt+↓             move up / down
     ← → ↑ ↓                   go to the neighbouring card

   htmx sends the moves and swaps in the board that the server answers. A refused move
   (403 not allowed, 409 changed meanwhile, 400 bad request) answers the reloaded board
   and a message, swapped in too. Focus goes back to the moved card. */
(function () {
  "use strict";

  var VIEW = "#roadmap-view";
  var REFUSALS = [400, 403, 409];
  var KEYED_MOVES = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down" };

  var dragged = null; // the card being dragged
  var focusAfterSwap = null; // the feature id of the card to focus once the board is back
  var backlogOpen = false;

  function cardOf(element) {
    return element instanceof Element ? element.closest(".board-card") : null;
  }

  function listOf(element) {
    return element instanceof Element ? element.closest(".board-cards") : null;
  }

  function cardsIn(list) {
    return Array.prototype.filter.call(list.children, function (child) {
      return child.classList.contains("board-card");
    });
  }

  function columnLists() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-board] .board-cards"));
  }

  function say(text) {
    var region = document.getElementById("board-message");
    if (!region) return;
    region.innerHTML = "";
    var message = document.createElement("p");
    message.className = "message message--error";
    message.textContent = text;
    region.appendChild(message);
  }

  // --- Moving ---------------------------------------------------------------------------

  function moveUrl(card) {
    var form = card.querySelector("form.board-card__moves");
    return form ? form.getAttribute("action") : null;
  }

  function send(card, values) {
    var url = moveUrl(card);
    if (!url) return;
    focusAfterSwap = card.getAttribute("data-feature");
    values.version = card.getAttribute("data-version");
    htmx.ajax("POST", url, { source: card, target: VIEW, swap: "innerHTML", values: values });
  }

  function press(card, direction) {
    var button = card.querySelector('button[data-direction="' + direction + '"]');
    if (!button) return;
    if (button.disabled) {
      say("“" + titleOf(card) + "” cannot move further that way.");
      return;
    }
    button.click(); // htmx posts the card's form with this button's name and value
  }

  function titleOf(card) {
    var title = card.querySelector(".board-card__title");
    return title ? title.textContent.trim() : "This card";
  }

  // A button pressed on a card (mouse, keyboard, or `press`): focus that card afterwards.
  document.addEventListener(
    "submit",
    function (event) {
      var card = cardOf(event.target);
      if (card) focusAfterSwap = card.getAttribute("data-feature");
    },
    true
  );

  // --- Keys -----------------------------------------------------------------------------

  function focusNeighbour(card, key) {
    var list = listOf(card);
    if (!list) return;
    var cards = cardsIn(list);
    var index = cards.indexOf(card);
    var lists = columnLists();
    var column = lists.indexOf(list);
    var target = null;
    if (key === "ArrowUp" || (column === -1 && key === "ArrowLeft")) {
      target = cards[index - 1];
    } else if (key === "ArrowDown" || (column === -1 && key === "ArrowRight")) {
      target = cards[index + 1];
    } else {
      var step = key === "ArrowLeft" ? -1 : 1;
      for (var next = column + step; next >= 0 && next < lists.length; next += step) {
        var others = cardsIn(lists[next]);
        if (others.length) {
          target = others[Math.min(index, others.length - 1)];
          break;
        }
      }
    }
    if (target) target.focus();
  }

  document.addEventListener("keydown", function (event) {
    var card = event.target instanceof Element && event.target.matches(".board-card") ? event.target : null;
    if (!card || event.ctrlKey || event.metaKey) return;
    var direction = null;
    if (event.altKey) {
      direction = KEYED_MOVES[event.key] || null;
    } else if (event.key === "[" || event.key === "]") {
      direction = event.key === "[" ? "left" : "right";
    } else if (KEYED_MOVES[event.key]) {
      event.preventDefault(); // the arrows would scroll the page
      focusNeighbour(card, event.key);
      return;
    }
    if (!direction) return;
    event.preventDefault(); // Alt+← would also go back in the browser's history
    if (card.getAttribute("draggable") !== "true") {
      say("You may not move “" + titleOf(card) + "”.");
      return;
    }
    press(card, direction);
  });

  // --- Drag and drop --------------------------------------------------------------------

  function clearMarks() {
    document.querySelectorAll(".is-drop-target").forEach(function (list) {
      list.classList.remove("is-drop-target");
    });
    document.querySelectorAll(".is-drop-before, .is-drop-after").forEach(function (card) {
      card.classList.remove("is-drop-before", "is-drop-after");
    });
  }

  // The card the dragged one would follow if dropped at height `y` (null: the top).
  function cardAbove(list, y) {
    var above = null;
    cardsIn(list).forEach(function (card) {
      if (card === dragged) return;
      var box = card.getBoundingClientRect();
      if (y > box.top + box.height / 2) above = card;
    });
    return above;
  }

  function markDrop(list, y) {
    clearMarks();
    list.classList.add("is-drop-target");
    if (!list.getAttribute("data-horizon")) return; // the off-board list has no order to keep
    var above = cardAbove(list, y);
    if (above) {
      above.classList.add("is-drop-after");
    } else {
      var first = cardsIn(list).filter(function (card) {
        return card !== dragged;
      })[0];
      if (first) first.classList.add("is-drop-before");
    }
  }

  document.addEventListener("dragstart", function (event) {
    var card = cardOf(event.target);
    if (!card || card.getAttribute("draggable") !== "true") return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-feature"));
    card.classList.add("is-dragging");
  });

  document.addEventListener("dragover", function (event) {
    var list = dragged && listOf(event.target);
    if (!list) return;
    event.preventDefault(); // this list accepts the drop
    event.dataTransfer.dropEffect = "move";
    markDrop(list, event.clientY);
  });

  document.addEventListener("drop", function (event) {
    var list = dragged && listOf(event.target);
    if (!list) return;
    event.preventDefault();
    var card = dragged;
    var horizon = list.getAttribute("data-horizon");
    var above = horizon ? cardAbove(list, event.clientY) : null;
    clearMarks();
    card.classList.remove("is-dragging");
    dragged = null;
    var from = listOf(card);
    var before = cardsIn(from).filter(function (other) {
      return other !== card;
    })[cardsIn(from).indexOf(card) - 1];
    if (from === list && (!horizon || (above || null) === (before || null))) return; // no move
    send(card, { horizon: horizon, after: above ? above.getAttribute("data-feature") : "" });
  });

  document.addEventListener("dragend", function () {
    clearMarks();
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
  });

  // --- After the server answers ---------------------------------------------------------

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.matches(VIEW)) return;
    if (REFUSALS.indexOf(event.detail.xhr.status) !== -1) {
      event.detail.shouldSwap = true; // the answer is the reloaded board and why
      event.detail.isError = false;
    }
    var backlog = document.getElementById("board-backlog");
    backlogOpen = Boolean(backlog && backlog.open);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || !event.detail.target.matches(VIEW)) return;
    var backlog = document.getElementById("board-backlog");
    if (backlog && backlogOpen) backlog.open = true;
    if (!focusAfterSwap) return;
    var card = document.querySelector('.board-card[data-feature="' + focusAfterSwap + '"]');
    focusAfterSwap = null;
    if (card) card.focus();
  });

  document.addEventListener("htmx:sendError", function () {
    say("The server could not be reached: nothing was moved.");
  });

  document.addEventListener("htmx:responseError", function (event) {
    if (REFUSALS.indexOf(event.detail.xhr.status) === -1) {
      say("The server could not move the card (error " + event.detail.xhr.status + "). Reload the page.");
    }
  });
})();
