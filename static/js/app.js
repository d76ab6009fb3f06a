// Inkbook pages: progressive enhancement only; every page works without this file.
// The CSP forbids inline scripts: page data comes from data-* attributes or json_script tags.
"use strict";

(function () {
  // Strings come from the JavaScript catalogue (/jsi18n/, loaded first by base.html); were it
  // missing, the page still works in English.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (_, k) => String(obj[k])));

  // Sign-up: the bio field only matters for artists.
  function wireSignup(form) {
    const bio = form.querySelector('[data-field="bio"]');
    const radios = form.querySelectorAll('input[name="role"]');
    if (!bio || !radios.length) return;
    const sync = () => {
      const chosen = form.querySelector('input[name="role"]:checked');
      bio.hidden = !chosen || chosen.value !== "tattooist";
    };
    radios.forEach((r) => r.addEventListener("change", sync));
    sync();
  }

  // Any form with data-confirm="question" asks before submitting (cancel a booking, delete an image).
  function wireConfirm(root) {
    root.addEventListener("submit", (event) => {
      const form = event.target;
      const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
      if (question && !window.confirm(question)) event.preventDefault();
    });
  }

  // A moment written as the server writes it (docs/i18n.md): the active language's format from the
  // JavaScript catalogue (get_format("SHORT_DATETIME_FORMAT"): "Y.m.d H:i" in Mongolian, "j M Y H:i"
  // in English), the numbers from Intl in `zone`, 24-hour. Browsers' own Mongolian data is often
  // missing, so only numbers (and English month names) are taken from Intl.
  function formatMoment(iso, zone, formatName) {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return "";
    const format = (window.get_format && window.get_format(formatName || "SHORT_DATETIME_FORMAT")) || "Y-m-d H:i";
    const lang = document.documentElement.lang || "en";
    const parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(when).forEach((p) => { parts[p.type] = p.value; });
    const month = new Intl.DateTimeFormat(lang, { timeZone: zone, month: "short" }).format(when);
    const tokens = {
      Y: parts.year, m: parts.month, n: String(Number(parts.month)), d: parts.day, j: String(Number(parts.day)),
      H: parts.hour, i: parts.minute, M: month,
    };
    let out = "";
    for (let k = 0; k < format.length; k += 1) {
      const c = format[k];
      if (c === "\\") { k += 1; out += format[k] || ""; } else { out += c in tokens ? tokens[c] : c; }
    }
    return out;
  }

  // The visitor's zone: known only here, in the browser (the server pages show the session's zone).
  function visitorZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return "";
    }
  }

  // Beside a session's time (the server's `{% when %}`: <time datetime data-zone [data-end]>), the
  // visitor's own time, only when the visitor's clock reads it differently (docs/i18n.md, "Times").
  function addVisitorTimes(root) {
    const zone = visitorZone();
    if (!zone) return;
    root.querySelectorAll("time[data-zone]").forEach((el) => {
      if (el.dataset.visitorTimeShown) return;
      const at = el.getAttribute("datetime");
      const mine = formatMoment(at, zone);
      if (!mine || mine === formatMoment(at, el.dataset.zone)) return;
      const label = el.dataset.end ? `${mine}–${formatMoment(el.dataset.end, zone, "TIME_FORMAT")}` : mine;
      const span = document.createElement("span");
      span.className = "visitor-time muted";
      span.dataset.testid = "visitor-time";
      span.textContent = ` · ${interpolate(gettext("%(time)s your time"), { time: label }, true)}`;
      const zoneName = el.nextElementSibling && el.nextElementSibling.classList.contains("zone-name") ? el.nextElementSibling : el;
      zoneName.after(span);
      el.dataset.visitorTimeShown = "1";
    });
  }
  window.inkbook = Object.assign(window.inkbook || {}, { formatMoment, visitorZone, addVisitorTimes });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-signup-form]").forEach(wireSignup);
    wireConfirm(document);
    addVisitorTimes(document);
    // Focus the first invalid field after a failed submit so keyboard and screen-reader users land on it.
    const invalid = document.querySelector('[aria-invalid="true"]');
    if (invalid) invalid.focus();
  });
})();
