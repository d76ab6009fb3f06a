// Artist page: next to each bookable time (shown in the artist's zone by the server), add the
// visitor's own local time. Without JavaScript the page still works in the artist's zone.
"use strict";

(function () {
  function visitorZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return "";
    }
  }

  function localLabel(iso, zone) {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return "";
    return new Intl.DateTimeFormat(undefined, {
      timeZone: zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    }).format(when);
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
      if (label) option.textContent = `${option.textContent} · ${label} your time`;
    });
    section.querySelectorAll("[data-slot-start]").forEach((el) => {
      const label = localLabel(el.dataset.slotStart, zone);
      if (label) el.title = `${label} your time (${zone})`;
    });
  });
})();
