// Artist page: next to each bookable time (shown in the artist's zone by the server), add the
// visitor's own local time. Without JavaScript the page still works in the artist's zone.
"use strict";

(function () {
  // Strings come from the JavaScript catalogue (/jsi18n/, loaded first by base.html); were it
  // missing, the page still works in English.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (_, k) => String(obj[k])));

  function visitorZone() {
    return window.inkbook && window.inkbook.visitorZone ? window.inkbook.visitorZone() : "";
  }

  // The visitor's own time, written like the server's times (app.js formatMoment).
  function localLabel(iso, zone) {
    return window.inkbook && window.inkbook.formatMoment ? window.inkbook.formatMoment(iso, zone) : "";
  }

  // The visitor's zone as the page's language names it ("Японы стандарт цаг"), else its IANA name.
  function zoneName(zone) {
    try {
      const lang = document.documentElement.lang || "en";
      const parts = new Intl.DateTimeFormat(lang, { timeZone: zone, timeZoneName: "long" }).formatToParts(new Date());
      const part = parts.find((p) => p.type === "timeZoneName");
      return part ? part.value : zone;
    } catch (e) {
      return zone;
    }
  }

  // The visitor's time only where it reads differently from the artist's (another offset).
  function differs(iso, zone, artistZone) {
    const mine = localLabel(iso, zone);
    return mine && mine !== localLabel(iso, artistZone) ? mine : "";
  }

  document.addEventListener("DOMContentLoaded", () => {
    const section = document.querySelector("#booking[data-artist-timezone]");
    if (!section) return;
    const artistZone = section.dataset.artistTimezone;
    const zone = visitorZone();
    if (!zone || zone === artistZone) return;
    let shown = false;
    section.querySelectorAll("select[data-slot-select] option").forEach((option) => {
      if (!option.value) return;
      const label = differs(option.value, zone, artistZone);
      if (label) {
        option.textContent = `${option.textContent} · ${interpolate(gettext("%(time)s your time"), { time: label }, true)}`;
        shown = true;
      }
    });
    section.querySelectorAll("[data-slot-start]").forEach((el) => {
      const label = differs(el.dataset.slotStart, zone, artistZone);
      if (label) {
        el.title = interpolate(gettext("%(time)s your time (%(zone)s)"), { time: label, zone: zoneName(zone) }, true);
        shown = true;
      }
    });
    const note = section.querySelector("[data-visitor-zone-note]");
    if (note && shown) {
      note.hidden = false;
      const name = note.querySelector("[data-visitor-zone]");
      if (name) name.textContent = zoneName(zone);
    }
  });
})();
