"use strict";
// The reviewers' desk, on an article's page: every annotation's card on hover, focus or click (a click or a key
// keeps it open), reviews made in place, keys for a day's work, and annotating a selection without a reload.
//
// Offsets count Unicode code points, like Python's str indices on the server, not JavaScript's UTF-16 units:
// an emoji is one code point but two UTF-16 units, so `.length` would be wrong after the first emoji.
// The server renders every card and highlight; after a change it sends them again and they replace the old ones.
// The re-anchoring queue's "place again" page uses the same selection code to send a span of the current body.
(function () {
  const codePoints = (text) => Array.from(text);

  // Code points of text in `container` before (node, offset): the text of a range from its start to that point.
  function offsetIn(container, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return codePoints(range.toString()).length;
  }

  // The selection inside `container` as {start, end, quote, rect}, in code points, trimmed of surrounding
  // whitespace; or null. The container's text nodes, read in order, must be exactly the stored body.
  function selectedSpanIn(container) {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return null;
    let start = offsetIn(container, range.startContainer, range.startOffset);
    const chars = codePoints(range.toString());
    while (chars.length && /\s/u.test(chars[0])) {
      chars.shift();
      start += 1;
    }
    while (chars.length && /\s/u.test(chars[chars.length - 1])) chars.pop();
    if (!chars.length) return null;
    return { start, end: start + chars.length, quote: chars.join(""), rect: range.getBoundingClientRect() };
  }

  // Forms that ask before they post (the re-anchoring queue's Delete).
  document.addEventListener("submit", (event) => {
    const message = event.target instanceof HTMLFormElement ? event.target.dataset.confirm : undefined;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  placeAgain();
  articleDesk();
  kindFieldsets();
  seenElsewhere();
  suggestionsBar();

  // --- the article page's machine suggestions bar (desk/suggestions.py) -------------------------------------------

  // Its buttons say how many suggestions the chosen confidence takes (the reviewer's own aside: four eyes), and a
  // rejection asks why before it is sent. Enter in the reason rejects: the form's first button is Accept. The bar
  // is replaced after each review in place, so its events are caught on the document.
  function suggestionsBar() {
    const formOf = (target) => (target instanceof Element ? target.closest("[data-desk-suggestions]") : null);
    document.addEventListener("change", (event) => {
      const form = formOf(event.target);
      if (!form || event.target.name !== "threshold") return;
      const reviewable = Number(event.target.selectedOptions[0]?.dataset.reviewable || 0);
      for (const [selector, verb] of [["[data-suggestions-accept]", "Accept"], ["[data-suggestions-reject]", "Reject"]]) {
        const button = form.querySelector(selector);
        button.textContent = `${verb} ${reviewable}`;
        button.disabled = reviewable === 0;
      }
    });
    document.addEventListener("click", (event) => {
      const button = event.target instanceof Element ? event.target.closest("[data-suggestions-reject]") : null;
      const comment = button?.form.elements.comment;
      if (!comment || comment.value.trim()) return;
      event.preventDefault();
      comment.setCustomValidity("Say why you reject them: their author sees it.");
      comment.reportValidity();
      comment.focus();
    });
    document.addEventListener("input", (event) => {
      if (event.target instanceof Element && event.target.matches("[data-suggestions-comment]")) event.target.setCustomValidity("");
    });
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || !(event.target instanceof Element) || !event.target.matches("[data-suggestions-comment]")) return;
      event.preventDefault();
      formOf(event.target)?.querySelector("[data-suggestions-reject]")?.click();
    });
  }

  // --- a claim card's "Seen elsewhere": its similar claims, fetched from the server when first opened ---------

  // `toggle` does not bubble, so it is caught on the way down; cards are replaced after each change (and copied
  // into the pinned card), so each <details> asks for itself, once.
  function seenElsewhere() {
    const loading = new WeakSet();
    document.addEventListener(
      "toggle",
      async (event) => {
        const details = event.target;
        if (!(details instanceof HTMLDetailsElement) || !details.open || !details.dataset.seenUrl) return;
        if (details.dataset.seenLoaded || loading.has(details)) return;
        loading.add(details);
        const box = details.querySelector(".desk-seen-body");
        try {
          const response = await fetch(details.dataset.seenUrl, { credentials: "same-origin", headers: { Accept: "text/html" } });
          if (response.redirected) throw new Error("signed out? Reload the page");
          if (!response.ok) throw new Error(`the server answered ${response.status}`);
          box.innerHTML = await response.text(); // the server's own template, escaped there
          details.dataset.seenLoaded = "1";
        } catch (error) {
          box.textContent = `Could not load the similar claims (${error.message}): close and open it to try again.`;
        } finally {
          loading.delete(details);
        }
      },
      true,
    );
  }

  // --- an annotation's edit and add forms: only the chosen kind's fields -------------------------------------------

  // As in the article page's popup: the other kinds' fieldsets are hidden and, disabled, not sent, so that
  // changing the kind leaves no field of the old one behind (the kind rule would refuse it).
  function kindFieldsets() {
    const kind = document.querySelector("#annotation_form select[name=kind]");
    if (!kind) return;
    const sync = () =>
      document.querySelectorAll("#annotation_form fieldset.desk-kind-fields").forEach((fieldset) => {
        const on = fieldset.classList.contains(`desk-for-${kind.value}`);
        fieldset.hidden = !on;
        fieldset.querySelectorAll("input, select, textarea").forEach((field) => (field.disabled = !on));
      });
    kind.addEventListener("change", sync);
    sync();
  }

  // --- placing an annotation again (the re-anchoring queue): select its text in the current body --------------

  function placeAgain() {
    const form = document.getElementById("desk-place");
    const body = document.getElementById("place-body");
    if (!form || !body) return;
    const fields = form.elements;
    const save = form.querySelector('button[type="submit"]');
    const hint = form.querySelector(".desk-place-hint");
    const chosen = form.querySelector(".desk-place-chosen");
    function choose() {
      setTimeout(() => {
        const span = selectedSpanIn(body);
        if (!span) return;
        fields.start.value = span.start;
        fields.end.value = span.end;
        fields.quote.value = span.quote;
        chosen.querySelector("q").textContent = span.quote.length > 140 ? `${span.quote.slice(0, 140)}…` : span.quote;
        chosen.querySelector(".desk-popup-span").textContent = `${span.start}–${span.end}`;
        chosen.hidden = false;
        hint.hidden = true;
        save.disabled = false;
      }, 0);
    }
    body.addEventListener("mouseup", choose);
    body.addEventListener("keyup", (event) => {
      if (event.shiftKey && event.key.startsWith("Arrow")) choose();
    });
    body.addEventListener("touchend", () => setTimeout(choose, 600));
  }

  // --- the article page ------------------------------------------------------------------------------------------

  function articleDesk() {
    const desk = document.getElementById("desk");
    if (!desk) return;
    const body = document.getElementById("desk-body");
    const list = document.getElementById("desk-list");
    const count = document.getElementById("desk-count");
    const popup = document.getElementById("desk-popup");
    const tooltip = document.getElementById("desk-tooltip");
    const keys = document.getElementById("desk-keys");
    const statusLine = document.getElementById("desk-status-line");
    const nextLink = desk.querySelector("[data-desk-next]");
    const reviewUrl = popup?.dataset.reviewUrl;

    const csrfToken = () => desk.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
    const say = (message) => {
      if (statusLine) statusLine.textContent = message;
    };

    function placeNear(element, rect) {
      const width = element.offsetWidth;
      const viewport = document.documentElement.clientWidth;
      const left = Math.max(8, Math.min(rect.left + window.scrollX, window.scrollX + viewport - width - 8));
      element.style.left = `${left}px`;
      element.style.top = `${rect.bottom + window.scrollY + 8}px`;
    }

    async function post(url, fields) {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append("csrfmiddlewaretoken", csrfToken());
      const response = await fetch(url, { method: "POST", body: form, headers: { Accept: "application/json" }, credentials: "same-origin" });
      const data = await response.json().catch(() => ({ errors: { __all__: [`The server answered ${response.status}.`] } }));
      return { ok: response.ok, data };
    }
    const errorText = (errors) =>
      Object.entries(errors || {})
        .flatMap(([field, messages]) => messages.map((m) => (field === "__all__" || field === "non_field_errors" ? m : `${field}: ${m}`)))
        .join(" ");

    // The server's new highlighted body and list of cards, after an annotation was made or reviewed.
    function replacePanels(data) {
      body.innerHTML = data.body;
      list.innerHTML = data.items;
      if (count) count.textContent = data.count;
      // A review may change the translation quality (its line and its panel) and the machine suggestions left.
      for (const [id, html] of [
        ["desk-quality-line", data.quality_line],
        ["desk-quality", data.quality],
        ["desk-suggestions", data.suggestions],
      ]) {
        const element = document.getElementById(id);
        if (element && html) element.outerHTML = html;
      }
    }

    // --- cards: on hover or focus; kept open ("pinned") by a click or a key -----------------------------------

    const marksOf = (id) => body.querySelectorAll(`mark[data-annotation-id="${id}"]`);
    const itemOf = (id) => document.getElementById(`desk-item-${id}`);
    const firstMarkOf = (id) => document.getElementById(`mark-${id}`);
    // The annotations in reading order: each one's first mark.
    const order = () => Array.from(body.querySelectorAll("mark[id^='mark-']"), (mark) => mark.dataset.annotationId);

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

    let lit = [];
    function light(ids) {
      unlight();
      lit = ids;
      for (const id of ids) {
        marksOf(id).forEach((m) => m.classList.add("desk-active"));
        itemOf(id)?.classList.add("desk-active");
      }
    }
    function unlight() {
      for (const id of lit) {
        marksOf(id).forEach((m) => m.classList.remove("desk-active"));
        itemOf(id)?.classList.remove("desk-active");
      }
      lit = [];
    }

    let pinned = null; // the annotation whose card stays open, for the keys and the buttons
    function showCard(ids, anchor) {
      light(ids);
      const cards = document.createElement("ul");
      cards.className = "desk-list";
      for (const id of ids) {
        const item = itemOf(id);
        if (!item) continue;
        const copy = item.cloneNode(true);
        copy.removeAttribute("id");
        copy.classList.remove("desk-active");
        cards.append(copy);
      }
      tooltip.replaceChildren(cards);
      tooltip.hidden = false;
      placeNear(tooltip, anchor.getBoundingClientRect());
    }
    function hideCard() {
      tooltip.hidden = true;
      tooltip.classList.remove("desk-pinned");
      pinned = null;
      unlight();
    }
    function pin(id, { scroll = true } = {}) {
      const mark = firstMarkOf(id);
      if (!mark) return;
      if (scroll) mark.scrollIntoView({ block: "center", behavior: "instant" in window ? "instant" : "auto" });
      mark.focus({ preventScroll: true });
      pinned = id;
      showCard([id], mark);
      tooltip.classList.add("desk-pinned");
    }
    // The card of the pinned annotation (the tooltip's copy), where its buttons are.
    const pinnedCard = () => (pinned ? tooltip.querySelector(`[data-annotation-id="${pinned}"]`) : null);

    const markFrom = (target) => (target instanceof Element ? target.closest("mark[data-annotation-id]") : null);
    body.addEventListener("mouseover", (event) => {
      const mark = markFrom(event.target);
      if (mark && !pinned && popup?.hidden !== false) showCard(idsAt(mark), mark);
    });
    body.addEventListener("mouseout", (event) => {
      if (!pinned && markFrom(event.target) && !markFrom(event.relatedTarget)) hideCard();
    });
    body.addEventListener("focusin", (event) => {
      const mark = markFrom(event.target);
      if (mark && !pinned) showCard(idsAt(mark), mark);
    });
    body.addEventListener("focusout", (event) => {
      if (!pinned && !tooltip.contains(event.relatedTarget)) hideCard();
    });
    body.addEventListener("click", (event) => {
      const mark = markFrom(event.target);
      if (mark && window.getSelection()?.isCollapsed !== false) pin(idsAt(mark).at(-1), { scroll: false });
    });

    // The list beside the body: pointing at a card lights up its marks; clicking it brings them into view.
    list.addEventListener("mouseover", (event) => {
      const item = event.target.closest?.(".desk-item");
      if (item && !pinned) light([item.dataset.annotationId]);
    });
    list.addEventListener("mouseleave", () => {
      if (!pinned) unlight();
    });
    list.addEventListener("click", (event) => {
      const item = event.target.closest(".desk-item");
      if (item && !event.target.closest("a, button, input, label, .desk-seen")) pin(item.dataset.annotationId);
    });

    // --- reviews in place --------------------------------------------------------------------------------------

    async function review(id, decision, comment = "") {
      if (!reviewUrl) return;
      say(`${decision[0].toUpperCase()}${decision.slice(1)}…`);
      const { ok, data } = await post(reviewUrl, { annotation: id, decision, comment });
      if (!ok) {
        say(`Not done: ${errorText(data.errors)}`);
        return;
      }
      const wasPinned = pinned === String(id);
      replacePanels(data);
      say(data.message);
      if (wasPinned) pin(String(id), { scroll: false });
      else hideCard();
    }

    // A rejection asks why, in the card itself; Enter sends it.
    function askWhy(card) {
      const box = card?.querySelector(".desk-reject");
      if (!box) return false;
      box.hidden = false;
      box.querySelector("[data-reject-comment]").focus();
      return true;
    }

    desk.addEventListener("click", (event) => {
      const button = event.target.closest("[data-review], [data-review-confirm]");
      if (!button) return;
      const card = button.closest("[data-annotation-id]");
      const id = card.dataset.annotationId;
      if (button.dataset.reviewConfirm) {
        review(id, "reject", card.querySelector("[data-reject-comment]").value);
      } else if (button.dataset.review === "reject") {
        askWhy(card);
      } else {
        review(id, button.dataset.review);
      }
    });
    desk.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.matches("[data-reject-comment]")) {
        event.preventDefault();
        review(event.target.closest("[data-annotation-id]").dataset.annotationId, "reject", event.target.value);
      }
    });

    // --- keys -------------------------------------------------------------------------------------------------------

    function move(step) {
      const ids = order();
      if (!ids.length) return;
      const at = ids.indexOf(pinned);
      const next = at === -1 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, at + step));
      pin(ids[next]);
    }
    function reviewPinned(decision) {
      const card = pinnedCard();
      if (!card) return say("Press j to choose an annotation first.");
      const allowed = (card.dataset.reviews || "").split(" ").filter(Boolean);
      if (!allowed.includes(decision)) {
        say(card.querySelector(".desk-four-eyes") ? "Yours: someone else reviews it (four eyes)." : `It cannot be ${decision === "reopen" ? "reopened" : `${decision}d`} now.`);
        return;
      }
      if (decision === "reject") askWhy(card);
      else review(pinned, decision);
    }
    const toggleKeys = (show = keys.hidden) => {
      keys.hidden = !show;
    };
    desk.querySelector("[data-desk-keys]")?.addEventListener("click", () => toggleKeys());

    const typingIn = (target) => target instanceof Element && target.matches("input, textarea, select, [contenteditable]");
    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey) return;
      if (event.key === "Escape") {
        if (!keys.hidden) return toggleKeys(false);
        if (popup && !popup.hidden) return closePopup();
        if (tooltip.contains(event.target) && pinned) firstMarkOf(pinned)?.focus({ preventScroll: true });
        return hideCard();
      }
      if (popup && !popup.hidden) return popupKeys(event);
      if (typingIn(event.target) || event.altKey) return;
      const actions = {
        j: () => move(1),
        k: () => move(-1),
        a: () => reviewPinned("approve"),
        r: () => reviewPinned("reject"),
        o: () => reviewPinned("reopen"),
        n: () => nextLink && (window.location.href = nextLink.href),
        "?": () => toggleKeys(),
      };
      const action = actions[event.key];
      if (action) {
        event.preventDefault();
        action();
      }
    });

    // Arriving at #mark-N (from the review queue, the annotation list, or after a save): open that annotation.
    const target = /^#mark-(\d+)$/.exec(window.location.hash);
    if (target && firstMarkOf(target[1])) {
      marksOf(target[1]).forEach((m) => m.classList.add("desk-target"));
      pin(target[1]);
    }

    // --- annotate a selection --------------------------------------------------------------------------------------

    if (!popup) return;
    const fields = popup.elements;
    const errors = popup.querySelector(".desk-popup-errors");
    const save = popup.querySelector('button[type="submit"]');
    // What a person fills in for one annotation: each starts clean (as the page sent it: no rating, a minor
    // severity) in every new form, and closing a form with any of them changed asks first.
    const typedFields = ["note", "suggested_correction", "severity", "claimant", "rating", "rating_explanation", "claim_date"];
    // Kept from one annotation to the next on purpose: the kind and its type. Never a note, a rating or a severity.
    const remembered = { kind: fields.kind.value, entity_type: "", artifact_type: "" };

    // Only the fields of the chosen kind are shown and sent.
    function syncKind() {
      popup.querySelectorAll("[data-for-kind]").forEach((group) => {
        const on = group.dataset.forKind === fields.kind.value;
        group.hidden = !on;
        group.querySelectorAll("input, select, textarea").forEach((field) => (field.disabled = !on));
      });
    }
    fields.kind.addEventListener("change", syncKind);
    syncKind();

    // Changed from what the page sent: a select from its preselected option, a text from its default.
    const changed = (field) =>
      field instanceof HTMLSelectElement
        ? field.selectedIndex !== Math.max(0, Array.from(field.options).findIndex((option) => option.defaultSelected))
        : field.value.trim() !== field.defaultValue.trim();
    const typed = () => typedFields.some((name) => fields[name] && changed(fields[name]));
    let span = null;
    const text = () => codePoints(body.textContent);

    function showSpan() {
      fields.start.value = span.start;
      fields.end.value = span.end;
      fields.quote.value = span.quote;
      popup.querySelector(".desk-popup-quote q").textContent = span.quote.length > 140 ? `${span.quote.slice(0, 140)}…` : span.quote;
      popup.querySelector(".desk-popup-span").textContent = `${span.start}–${span.end}`;
    }

    function openPopup(selected) {
      if (!popup.hidden && typed() && !window.confirm("Discard what you typed for the other selection?")) return;
      hideCard();
      popup.reset();
      for (const [name, value] of Object.entries(remembered)) fields[name].value = value;
      syncKind();
      errors.replaceChildren();
      span = { start: selected.start, end: selected.end, quote: selected.quote };
      showSpan();
      popup.hidden = false;
      placeNear(popup, selected.rect);
      fields.kind.focus({ preventScroll: true });
    }
    function closePopup({ ask = true } = {}) {
      if (ask && typed() && !window.confirm("Discard what you typed?")) return false;
      popup.hidden = true;
      popup.reset();
      span = null;
      return true;
    }

    // Extend or shrink the span by a word (or, with `byChar`, a code point) at its start or end.
    const isWord = (ch) => ch !== undefined && /[\p{L}\p{N}\p{M}]/u.test(ch);
    function adjust(edge, step, byChar) {
      if (!span) return;
      const t = text();
      let { start, end } = span;
      if (byChar) {
        if (edge === "end") end = Math.min(t.length, Math.max(start + 1, end + step));
        else start = Math.max(0, Math.min(end - 1, start + step));
      } else if (edge === "end" && step > 0) {
        while (end < t.length && !isWord(t[end])) end += 1;
        while (end < t.length && isWord(t[end])) end += 1;
      } else if (edge === "end") {
        while (end > start + 1 && isWord(t[end - 1])) end -= 1;
        while (end > start + 1 && !isWord(t[end - 1])) end -= 1;
      } else if (step < 0) {
        while (start > 0 && !isWord(t[start - 1])) start -= 1;
        while (start > 0 && isWord(t[start - 1])) start -= 1;
      } else {
        while (start < end - 1 && isWord(t[start])) start += 1;
        while (start < end - 1 && !isWord(t[start])) start += 1;
      }
      span = { start, end, quote: t.slice(start, end).join("") };
      showSpan();
    }
    popup.querySelectorAll("[data-adjust]").forEach((button) =>
      button.addEventListener("click", (event) => adjust(button.dataset.adjust, Number(button.dataset.by), event.shiftKey)),
    );

    // In the form, outside its text fields: 1, 2, 3 pick the kind (then the type's first letters its type);
    // Alt+arrows move the end (with Shift, the start).
    function popupKeys(event) {
      if (event.altKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
        event.preventDefault();
        adjust(event.shiftKey ? "start" : "end", event.key === "ArrowLeft" ? -1 : 1, false);
        return;
      }
      if (typingIn(event.target) && !event.target.matches("select")) return;
      const kinds = Array.from(fields.kind.options, (option) => option.value);
      const index = ["1", "2", "3"].indexOf(event.key);
      if (index !== -1 && kinds[index]) {
        event.preventDefault();
        fields.kind.value = kinds[index];
        syncKind();
        // Then the kind's type, if it has one: its first letters pick it (the list's own type-ahead). A claim's
        // rating is not its type: that one waits to be chosen.
        const type = popup.querySelector(`[data-for-kind="${kinds[index]}"] select[name$="_type"]`);
        (type || fields.kind).focus({ preventScroll: true });
      }
    }

    let lastPointer = "mouse";
    function onSelectionDone() {
      // After the browser has updated the selection for this pointer or key event.
      setTimeout(() => {
        const selected = selectedSpanIn(body);
        if (selected) openPopup(selected);
      }, 0);
    }
    body.addEventListener("pointerdown", (event) => (lastPointer = event.pointerType));
    body.addEventListener("mouseup", onSelectionDone);
    body.addEventListener("keyup", (event) => {
      if (event.shiftKey && event.key.startsWith("Arrow")) onSelectionDone();
    });
    // Touch: the selection handles move without mouse events; wait for them to rest.
    let settle;
    document.addEventListener("selectionchange", () => {
      if (lastPointer !== "touch") return;
      clearTimeout(settle);
      settle = setTimeout(onSelectionDone, 600);
    });
    popup.querySelector("[data-desk-cancel]").addEventListener("click", () => closePopup());
    document.addEventListener("mousedown", (event) => {
      if (!popup.hidden && !popup.contains(event.target) && !typed()) closePopup({ ask: false });
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

    // A span that starts or ends inside a word is more often a slip of the mouse than meant.
    function confirmWordEdges() {
      const t = text();
      const inside = [];
      if (isWord(t[span.start - 1]) && isWord(t[span.start])) inside.push("starts");
      if (isWord(t[span.end - 1]) && isWord(t[span.end])) inside.push("ends");
      return !inside.length || window.confirm(`The span ${inside.join(" and ")} inside a word. Save it as it is?`);
    }

    popup.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!span || !confirmWordEdges()) return;
      save.disabled = true;
      errors.replaceChildren();
      try {
        const sent = Object.fromEntries(new FormData(popup));
        delete sent.csrfmiddlewaretoken; // post() adds it
        const { ok, data } = await post(popup.action, sent);
        if (!ok) {
          showErrors(data.errors || { __all__: ["The server refused it."] });
          return;
        }
        for (const name of Object.keys(remembered)) remembered[name] = fields[name].value;
        closePopup({ ask: false });
        window.getSelection()?.removeAllRanges();
        replacePanels(data);
        say(data.message);
        marksOf(data.id).forEach((m) => m.classList.add("desk-target"));
      } catch (error) {
        showErrors({ __all__: [`Could not save: ${error.message}`] });
      } finally {
        save.disabled = false;
      }
    });
  }
})();
