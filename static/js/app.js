// Helpdesk page behaviour: selection, bulk bar, composer modes, presence and keyboard shortcuts.
// Served from static/ (the CSP allows no inline script).
(function () {
  "use strict";

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

  // ----- Queue: selection and bulk actions -------------------------------------------------
  function syncSelection() {
    const boxes = $$("#ticket-table input[name=ids]");
    const checked = boxes.filter((b) => b.checked);
    boxes.forEach((b) => b.closest("tr").classList.toggle("is-selected", b.checked));
    const bar = $("#bulkbar");
    if (bar) {
      bar.hidden = checked.length === 0;
      const count = $("#selected-count");
      if (count) count.textContent = String(checked.length);
    }
    const all = $("#select-all");
    if (all) {
      all.checked = boxes.length > 0 && checked.length === boxes.length;
      all.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
  }

  function syncBulkAction() {
    const action = $("#bulk-action");
    if (!action) return;
    $$("[data-bulk]").forEach((el) => {
      const on = el.dataset.bulk === action.value;
      el.hidden = !on;
      el.disabled = !on;
    });
  }

  document.addEventListener("change", (event) => {
    const t = event.target;
    if (t.id === "select-all") {
      $$("#ticket-table input[name=ids]").forEach((b) => { b.checked = t.checked; });
      syncSelection();
    } else if (t.name === "ids") {
      syncSelection();
    } else if (t.id === "bulk-action") {
      syncBulkAction();
    }
  });

  // A click anywhere on a queue row opens the ticket (links and checkboxes keep their own job).
  document.addEventListener("click", (event) => {
    const row = event.target.closest("#ticket-table tbody tr[data-href]");
    if (!row || event.target.closest("a, input, button, label, select")) return;
    window.location.href = row.dataset.href;
  });

  // The top bar's "More" menu closes on a click elsewhere or on Escape, as menus do.
  document.addEventListener("click", (event) => {
    $$("details.navmenu[open]").forEach((menu) => { if (!menu.contains(event.target)) menu.open = false; });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    $$("details.navmenu[open]").forEach((menu) => { menu.open = false; menu.querySelector("summary").focus(); });
  });

  // ----- Ticket composer: reply vs internal note ------------------------------------------
  function setMode(mode) {
    const composer = $("#composer");
    if (!composer) return;
    const note = mode === "note";
    composer.classList.toggle("is-note", note);
    const box = $("#is-internal");
    if (box) box.checked = note;
    $$(".composer-tabs [data-mode]").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.mode === mode)));
    const send = $("#send-btn");
    if (send) send.textContent = note ? "Add internal note" : "Send reply";
    const body = $("#reply-body");
    if (body) body.placeholder = note ? "Internal note: never shown to the customer…" : "Write a reply in Markdown…  (Ctrl+Enter sends)";
  }

  document.addEventListener("click", (event) => {
    const tab = event.target.closest(".composer-tabs [data-mode]");
    if (tab) { setMode(tab.dataset.mode); const body = $("#reply-body"); if (body) body.focus(); }
  });

  // Presence: tell others we are replying while the composer holds a draft.
  document.addEventListener("input", (event) => {
    if (event.target.id !== "reply-body") return;
    const state = $("#presence-state");
    if (state) state.value = event.target.value.trim() ? "replying" : "viewing";
  });

  document.addEventListener("keydown", (event) => {
    if (event.target.id === "reply-body" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      const form = $("#reply-form");
      if (form) form.requestSubmit();
    }
  });

  // ----- Composer: reply templates and their blanks ---------------------------------------
  // Picking a template replaces the message: ask first when a draft would be lost.
  document.addEventListener("htmx:confirm", (event) => {
    const elt = event.detail.elt;
    if (elt.id === "template-picker") {
      const body = $("#reply-body");
      if (!body || !body.value.trim() || !elt.value) return;
      event.preventDefault();
      const name = elt.options[elt.selectedIndex].text;
      if (window.confirm(`Replace your draft with the template “${name}”? The text you wrote will be lost.`)) {
        event.detail.issueRequest(true);
      } else {
        elt.value = "";
      }
    } else if (elt.id === "reply-form" && unfilledBlanks().length) {
      // The server refuses such a reply too; saying it here keeps the agent in the composer.
      event.preventDefault();
      showBlanks(true);
      const body = $("#reply-body");
      if (body) body.focus();
    }
  });

  function unfilledBlanks() {
    const form = $("#reply-form");
    const body = $("#reply-body");
    if (!form || !body || !form.dataset.templateBlanks) return [];
    return form.dataset.templateBlanks.split("|").filter((blank) => blank && body.value.includes(blank));
  }

  function showBlanks(sending) {
    const warning = $("#blanks-warning");
    if (!warning) return;
    const blanks = unfilledBlanks();
    warning.hidden = blanks.length === 0;
    warning.textContent = blanks.length
      ? `${sending ? "Not sent: fill" : "Fill"} in the template's blanks before sending: ${blanks.join(", ")}.`
      : "";
  }

  document.addEventListener("input", (event) => {
    if (event.target.id === "reply-body") showBlanks(false);
  });

  // ----- Keyboard shortcuts (listed in the "?" dialog) ------------------------------------
  let focusIndex = -1;
  function focusRow(delta) {
    const rows = $$("#ticket-table tbody tr");
    if (!rows.length) return;
    focusIndex = Math.max(0, Math.min(rows.length - 1, focusIndex + delta));
    rows.forEach((r, i) => r.classList.toggle("is-focused", i === focusIndex));
    rows[focusIndex].scrollIntoView({ block: "nearest" });
  }
  function focusedRow() { return $$("#ticket-table tbody tr")[focusIndex]; }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const key = event.key;
    const dialog = $("#shortcuts");
    const act = {
      "?": () => dialog && dialog.showModal(),
      "/": () => { const s = $("input[data-shortcut='/']") || $("input[name=q]"); if (s) s.focus(); },
      "g": () => { window.location.href = "/queue/"; },
      "c": () => { window.location.href = "/tickets/new/"; },
      "j": () => focusRow(1),
      "k": () => focusRow(-1),
      "o": () => { const r = focusedRow(); if (r) window.location.href = r.dataset.href; },
      "Enter": () => { const r = focusedRow(); if (r) window.location.href = r.dataset.href; },
      "x": () => { const r = focusedRow(); if (r) { const b = $("input[name=ids]", r); b.checked = !b.checked; syncSelection(); } },
      "r": () => { setMode("reply"); const b = $("#reply-body"); if (b) b.focus(); },
      "n": () => { setMode("note"); const b = $("#reply-body"); if (b) b.focus(); },
      "t": () => { const b = $("#take-btn"); if (b) b.click(); },
      "s": () => { const s = $("#status-select"); if (s) s.focus(); },
    }[key];
    if (act) { event.preventDefault(); act(); }
  });

  // After htmx swaps, re-apply state that lives in the page, not in the HTML.
  document.addEventListener("htmx:afterSettle", () => {
    syncSelection();
    syncBulkAction();
    const picker = $("#template-picker");
    if (picker) picker.value = "";
    const box = $("#is-internal");
    if (box) setMode(box.checked ? "note" : "reply");
    const preview = $("#preview");
    if (preview && preview.textContent.trim()) preview.classList.remove("hidden");
    showBlanks(false);
  });
  document.addEventListener("DOMContentLoaded", () => { syncSelection(); syncBulkAction(); });
})();
