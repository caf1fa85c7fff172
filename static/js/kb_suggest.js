// The knowledge base's suggestions in the reply composer: a button carrying data-kb-insert puts
// its text (an article's link, a known issue's workaround) into the draft at the cursor.
(function () {
  if (window.kbSuggestReady) return;
  window.kbSuggestReady = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-insert]");
    if (!button) return;
    var draft = document.getElementById("reply-body");
    if (!draft) return;
    var text = button.getAttribute("data-kb-insert");
    var start = draft.selectionStart, end = draft.selectionEnd, value = draft.value;
    var before = value.slice(0, start), after = value.slice(end);
    var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var tail = after && !/^\n/.test(after) ? "\n\n" : "";
    draft.value = before + lead + text + tail + after;
    var caret = (before + lead + text).length;
    draft.focus();
    draft.setSelectionRange(caret, caret);
    // Listeners of the draft (autosave, blank-field warnings) learn of the change.
    draft.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
