// The portal tells times in the customer's own clock: the browser's IANA time zone travels in a
// cookie the server reads (tickets/expected.py). On the first visit, or after the customer
// travelled, the page is drawn once more with the right zone; never more than once per zone.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  var match = document.cookie.match(/(?:^|;\s*)tz=([^;]*)/);
  var current = match ? decodeURIComponent(match[1]) : "";
  if (current === zone) return;
  document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  var stored = document.cookie.indexOf("tz=" + encodeURIComponent(zone)) !== -1;
  var key = "tz-redrawn:" + zone;
  if (stored && document.getElementById("portal-expect") && !sessionStorage.getItem(key)) {
    sessionStorage.setItem(key, "1");
    location.reload();
  }
})();
