// Inkbook pages: progressive enhancement only; every page works without this file.
// The CSP forbids inline scripts: page data comes from data-* attributes or json_script tags.
"use strict";

(function () {
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
  window.inkbook = Object.assign(window.inkbook || {}, { formatMoment });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-signup-form]").forEach(wireSignup);
    wireConfirm(document);
    // Focus the first invalid field after a failed submit so keyboard and screen-reader users land on it.
    const invalid = document.querySelector('[aria-invalid="true"]');
    if (invalid) invalid.focus();
  });
})();
