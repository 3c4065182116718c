"use strict";
// The reviewers' desk: annotate a selection of the article body, and show an annotation's details on hover or focus.
//
// Offsets count Unicode code points, like Python's str indices on the server, not JavaScript's UTF-16 units:
// an emoji is one code point but two UTF-16 units, so `.length` would be wrong after the first emoji.
(function () {
  const desk = document.getElementById("desk");
  if (!desk) return;
  const body = document.getElementById("desk-body");
  const popup = document.getElementById("desk-popup");
  const tooltip = document.getElementById("desk-tooltip");

  const codePoints = (text) => Array.from(text);

  // Code points of body text before (node, offset): the text of a range from the body's start to that point.
  function offsetIn(container, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return codePoints(range.toString()).length;
  }

  // The current selection as {start, end, quote} in code points, trimmed of surrounding whitespace; or null.
  function selectedSpan() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) return null;
    let start = offsetIn(body, range.startContainer, range.startOffset);
    const chars = codePoints(range.toString());
    while (chars.length && /\s/u.test(chars[0])) {
      chars.shift();
      start += 1;
    }
    while (chars.length && /\s/u.test(chars[chars.length - 1])) chars.pop();
    if (!chars.length) return null;
    return { start, end: start + chars.length, quote: chars.join(""), rect: range.getBoundingClientRect() };
  }

  function placeNear(element, rect) {
    const width = element.offsetWidth;
    const left = Math.max(8, Math.min(rect.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
    element.style.left = `${left}px`;
    element.style.top = `${rect.bottom + window.scrollY + 8}px`;
  }

  // --- details on hover or focus ------------------------------------------------------------------

  const marksOf = (id) => body.querySelectorAll(`mark[data-annotation-id="${id}"]`);
  const itemOf = (id) => document.getElementById(`desk-item-${id}`);

  // Every annotation covering the point under a mark: the mark itself and the marks it is nested in.
  function idsAt(mark) {
    const ids = [];
    for (let node = mark; node && node !== body; node = node.parentElement) {
      if (node.dataset && node.dataset.annotationId && !ids.includes(node.dataset.annotationId)) {
        ids.unshift(node.dataset.annotationId);
      }
    }
    return ids;
  }

  let active = [];
  function activate(ids) {
    deactivate();
    active = ids;
    for (const id of ids) {
      marksOf(id).forEach((m) => m.classList.add("desk-active"));
      itemOf(id)?.classList.add("desk-active");
    }
  }
  function deactivate() {
    for (const id of active) {
      marksOf(id).forEach((m) => m.classList.remove("desk-active"));
      itemOf(id)?.classList.remove("desk-active");
    }
    active = [];
  }

  function showDetails(mark) {
    const ids = idsAt(mark);
    activate(ids);
    const list = document.createElement("ul");
    list.className = "desk-list";
    for (const id of ids) {
      const item = itemOf(id);
      if (!item) continue;
      const copy = item.cloneNode(true);
      copy.removeAttribute("id");
      copy.classList.remove("desk-active");
      list.append(copy);
    }
    tooltip.replaceChildren(list);
    tooltip.hidden = false;
    placeNear(tooltip, mark.getBoundingClientRect());
  }
  function hideDetails() {
    tooltip.hidden = true;
    deactivate();
  }

  const markFrom = (target) => (target instanceof Element ? target.closest("mark[data-annotation-id]") : null);
  body.addEventListener("mouseover", (event) => {
    const mark = markFrom(event.target);
    if (mark && popup?.hidden !== false) showDetails(mark);
  });
  body.addEventListener("mouseout", (event) => {
    if (markFrom(event.target) && !markFrom(event.relatedTarget)) hideDetails();
  });
  body.addEventListener("focusin", (event) => {
    const mark = markFrom(event.target);
    if (mark) showDetails(mark);
  });
  body.addEventListener("focusout", hideDetails);

  // The list beside the body: pointing at an item lights up its marks; clicking it brings them into view.
  desk.querySelectorAll(".desk-side .desk-item").forEach((item) => {
    const id = item.dataset.annotationId;
    item.addEventListener("mouseenter", () => activate([id]));
    item.addEventListener("mouseleave", deactivate);
    item.addEventListener("click", (event) => {
      if (event.target.closest("a")) return;
      const first = marksOf(id)[0];
      first?.scrollIntoView({ block: "center", behavior: "smooth" });
      first?.focus({ preventScroll: true });
    });
  });

  // Arriving at #mark-N (after saving, or from the annotation list): flash that annotation.
  const target = /^#mark-(\d+)$/.exec(window.location.hash);
  if (target) marksOf(target[1]).forEach((m) => m.classList.add("desk-target"));

  // --- annotate a selection --------------------------------------------------------------------------

  if (!popup) return;
  const kind = popup.elements.kind;
  const errors = popup.querySelector(".desk-popup-errors");
  const save = popup.querySelector('button[type="submit"]');

  // Only the fields of the chosen kind are shown and sent.
  function syncKind() {
    popup.querySelectorAll("[data-for-kind]").forEach((group) => {
      const on = group.dataset.forKind === kind.value;
      group.hidden = !on;
      group.querySelectorAll("input, select, textarea").forEach((field) => (field.disabled = !on));
    });
  }
  kind.addEventListener("change", syncKind);
  syncKind();

  function openPopup(span) {
    popup.elements.start.value = span.start;
    popup.elements.end.value = span.end;
    popup.elements.quote.value = span.quote;
    popup.querySelector(".desk-popup-quote q").textContent =
      span.quote.length > 140 ? `${span.quote.slice(0, 140)}…` : span.quote;
    popup.querySelector(".desk-popup-span").textContent = `${span.start}–${span.end}`;
    errors.replaceChildren();
    hideDetails();
    popup.hidden = false;
    placeNear(popup, span.rect);
    kind.focus({ preventScroll: true });
  }
  function closePopup() {
    popup.hidden = true;
  }

  function onSelectionDone() {
    // After the browser has updated the selection for this mouse or key event.
    setTimeout(() => {
      const span = selectedSpan();
      if (span) openPopup(span);
    }, 0);
  }
  body.addEventListener("mouseup", onSelectionDone);
  body.addEventListener("keyup", (event) => {
    if (event.shiftKey) onSelectionDone();
  });
  popup.querySelector("[data-desk-cancel]").addEventListener("click", closePopup);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closePopup();
      hideDetails();
    }
  });
  document.addEventListener("mousedown", (event) => {
    if (!popup.hidden && !popup.contains(event.target)) closePopup();
  });

  function showErrors(fieldErrors) {
    errors.replaceChildren(
      ...Object.entries(fieldErrors).flatMap(([field, messages]) =>
        messages.map((message) => {
          const li = document.createElement("li");
          li.textContent = field === "__all__" || field === "non_field_errors" ? message : `${field}: ${message}`;
          return li;
        }),
      ),
    );
  }

  popup.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    errors.replaceChildren();
    try {
      const response = await fetch(popup.action, {
        method: "POST",
        body: new FormData(popup),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({ errors: { __all__: [`The server answered ${response.status}.`] } }));
      if (response.ok) {
        // Reload to draw the new mark from the server, and flash it.
        window.location.hash = `mark-${data.id}`;
        window.location.reload();
        return;
      }
      showErrors(data.errors || { __all__: [`The server answered ${response.status}.`] });
    } catch (error) {
      showErrors({ __all__: [`Could not save: ${error.message}`] });
    } finally {
      save.disabled = false;
    }
  });
})();
