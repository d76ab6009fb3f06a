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

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-signup-form]").forEach(wireSignup);
    wireConfirm(document);
    // Focus the first invalid field after a failed submit so keyboard and screen-reader users land on it.
    const invalid = document.querySelector('[aria-invalid="true"]');
    if (invalid) invalid.focus();
  });
})();
