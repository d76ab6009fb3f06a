// Artist page: next to each bookable time (shown in the artist's zone by the server), add the
// visitor's own local time. Without JavaScript the page still works in the artist's zone.
"use strict";

(function () {
  // Strings come from the JavaScript catalogue (/jsi18n/, loaded first by base.html); were it
  // missing, the page still works in English.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (_, k) => String(obj[k])));

  function visitorZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return "";
    }
  }

  // The visitor's own time, written like the server's times (app.js formatMoment).
  function localLabel(iso, zone) {
    return window.inkbook && window.inkbook.formatMoment ? window.inkbook.formatMoment(iso, zone) : "";
  }

  document.addEventListener("DOMContentLoaded", () => {
    const section = document.querySelector("#booking[data-artist-timezone]");
    if (!section) return;
    const artistZone = section.dataset.artistTimezone;
    const zone = visitorZone();
    if (!zone || zone === artistZone) return;
    const note = section.querySelector("[data-visitor-zone-note]");
    if (note) {
      note.hidden = false;
      const name = note.querySelector("[data-visitor-zone]");
      if (name) name.textContent = zone;
    }
    section.querySelectorAll("select[data-slot-select] option").forEach((option) => {
      if (!option.value) return;
      const label = localLabel(option.value, zone);
      if (label) option.textContent = `${option.textContent} · ${interpolate(gettext("%(time)s your time"), { time: label }, true)}`;
    });
    section.querySelectorAll("[data-slot-start]").forEach((el) => {
      const label = localLabel(el.dataset.slotStart, zone);
      if (label) el.title = interpolate(gettext("%(time)s your time (%(zone)s)"), { time: label, zone }, true);
    });
  });
})();
