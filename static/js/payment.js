// Booking page: while a deposit invoice is open, ask our own state endpoint (a database read,
// not QPay) every few seconds; when the status or payment status changes, reload the page so it
// shows the confirmed booking. Stops after the change, or after about 20 minutes.
"use strict";

(function () {
  // Strings come from the JavaScript catalogue (/jsi18n/, loaded first by base.html); were it
  // missing, the page still works in English.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (_, k) => String(obj[k])));

  const INTERVAL_MS = 2500;
  const MAX_TRIES = 480;

  document.addEventListener("DOMContentLoaded", () => {
    const page = document.querySelector(".booking-page[data-poll][data-state-url]");
    if (!page) return;
    const url = page.dataset.stateUrl;
    const live = page.querySelector("[data-poll-status]");
    let tries = 0;
    async function tick() {
      tries += 1;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" });
        if (response.ok) {
          const state = await response.json();
          if (state.status !== page.dataset.status || state.paymentStatus !== page.dataset.paymentStatus) {
            if (live) live.textContent = gettext(" (payment received, updating)");
            window.location.reload();
            return;
          }
        }
      } catch (e) {
        // A network blip: try again on the next tick.
      }
      if (tries < MAX_TRIES) window.setTimeout(tick, INTERVAL_MS);
    }
    window.setTimeout(tick, INTERVAL_MS);
  });
})();
