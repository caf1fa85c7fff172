// The New ticket page's requester picker: a contact chosen from the search results (or just
// made) fills the requester box with their email and selects their organization.
(function () {
  function pick(email, organization) {
    var box = document.getElementById("id_requester");
    if (box) box.value = email;
    var org = document.getElementById("id_organization");
    if (org && organization) org.value = organization;
    var results = document.getElementById("requester-results");
    if (results) results.querySelectorAll(".requester-options").forEach(function (l) { l.remove(); });
    if (box) box.focus();
  }
  document.addEventListener("click", function (event) {
    var option = event.target.closest(".requester-option");
    if (!option) return;
    pick(option.dataset.requester, option.dataset.organization);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var created = document.getElementById("requester-created");
    if (created && event.detail.target && event.detail.target.id === "requester-results") {
      pick(created.dataset.requester, null);
    }
  });
})();
