// The triage panel. A decision that hands a reply to the composer (an information request, a
// close-as or known-issue reply) arrives as <template data-triage-compose>: its text goes into
// the draft (after what is there) and the composer's "then set status" takes the suggested
// status. A decision that changed the ticket refreshes the page's head, impact, timeline, SLA
// and Properties, so a later edit there starts from the new values.
(function () {
  if (window.triageReady) return;
  window.triageReady = true;

  function compose(template) {
    var draft = document.getElementById("reply-body");
    if (!draft) return;
    var text = template.content.textContent;
    var internal = document.getElementById("is-internal");
    var replyTab = document.getElementById("tab-reply");
    if (internal && internal.checked && replyTab) replyTab.click();
    draft.value = draft.value.trim() ? draft.value.replace(/\s*$/, "") + "\n\n" + text : text;
    var status = document.getElementById("composer-status");
    var wanted = template.getAttribute("data-status");
    if (status && wanted && status.querySelector('option[value="' + wanted + '"]')) status.value = wanted;
    draft.focus();
    draft.dispatchEvent(new Event("input", { bubbles: true }));
    template.remove();
  }

  function refreshTicket() {
    ["#ticket-head", "#ticket-impact", "#timeline", "#timeline-count", "#sla-panel", "#props-form"].forEach(function (id) {
      if (!document.querySelector(id)) return;
      htmx.ajax("GET", window.location.pathname, { target: id, select: id, swap: "outerHTML" });
    });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var panel = event.detail.elt && event.detail.elt.id === "triage-panel" ? event.detail.elt : document.getElementById("triage-panel");
    if (!panel) return;
    var template = panel.querySelector("template[data-triage-compose]");
    if (template) compose(template);
    if (panel.hasAttribute("data-triage-changed")) {
      panel.removeAttribute("data-triage-changed");
      refreshTicket();
    }
  });
})();
