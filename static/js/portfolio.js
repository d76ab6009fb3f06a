// Dashboard: upload a portfolio image, or the artist's photo, straight to the bucket (and, on the
// booking page, a customer's healed photo for their review).
// 1. POST /api/upload/presign (session + CSRF) → a signed PUT URL for one key;
// 2. PUT the file there (XMLHttpRequest, for upload progress) with exactly the signed headers;
// 3. POST /api/portfolio with the public URL → the item (the photo: PATCH /api/tattooists/me
//    with `avatarUrl`); then reload to show it.
// Type and size are checked here first so a wrong file never leaves the browser.
"use strict";

(function () {
  // Strings come from the JavaScript catalogue (/jsi18n/, loaded first by base.html); were it
  // missing, the page still works in English.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (_, k) => String(obj[k])));

  const TYPES = ["image/jpeg", "image/png", "image/webp"];

  function csrf(form) {
    const input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function messageOf(body, fallback) {
    if (!body) return fallback;
    const fields = body.fields || {};
    const first = Object.keys(fields).map((k) => `${fields[k].join(" ")}`).join(" ");
    return [body.message, first].filter(Boolean).join(" ") || fallback;
  }

  async function postJson(url, data, token, method) {
    const response = await fetch(url, {
      method: method || "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify(data),
    });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) throw new Error(messageOf(body, interpolate(gettext("The server answered %(status)s."), { status: response.status }, true)));
    return body;
  }

  function put(url, file, headers, progress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      Object.keys(headers || {}).forEach((name) => {
        // The browser sets Content-Length itself; it refuses to let scripts set it.
        if (name.toLowerCase() !== "content-length") xhr.setRequestHeader(name, headers[name]);
      });
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
      });
      xhr.addEventListener("load", () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(interpolate(gettext("The storage refused the upload (%(status)s)."), { status: xhr.status }, true)))));
      xhr.addEventListener("error", () => reject(new Error(gettext("The upload failed; check your connection and try again."))));
      xhr.send(file);
    });
  }

  // Each kind of upload: its bucket folder, and what to do with the uploaded file's public URL.
  const KINDS = {
    portfolio: {
      folder: "portfolio",
      done: gettext("Added to your portfolio."),
      save: (form, url, token) => {
        const tags = (form.querySelector('[name="tags"]').value || "").split(",").map((t) => t.trim()).filter(Boolean);
        return postJson(form.dataset.createUrl, { imageUrl: url, description: form.querySelector('[name="description"]').value || "", tags }, token);
      },
    },
    avatar: {
      folder: "avatars",
      done: gettext("Your photo is saved."),
      save: (form, url, token) => postJson(form.dataset.saveUrl, { avatarUrl: url }, token, "PATCH"),
    },
    // A customer's healed photo on their review (the booking page): PATCH /api/reviews/{id}.
    healed: {
      folder: "reviews",
      done: gettext("Your healed photo is saved."),
      save: (form, url, token) => postJson(form.dataset.saveUrl, { healedPhotoUrl: url }, token, "PATCH"),
    },
  };

  function wire(form, kind) {
    const input = form.querySelector('input[type="file"]');
    const progress = form.querySelector("[data-upload-progress]");
    const error = form.querySelector("[data-upload-error]");
    const status = form.querySelector("[data-upload-status]");
    const button = form.querySelector('button[type="submit"]');
    const maxBytes = Number(form.dataset.maxBytes || 0);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      const file = input.files && input.files[0];
      if (!file) { error.textContent = gettext("Choose an image first."); input.focus(); return; }
      if (!TYPES.includes(file.type)) { error.textContent = gettext("Use a JPEG, PNG or WebP image."); input.focus(); return; }
      if (maxBytes && file.size > maxBytes) { error.textContent = interpolate(gettext("The image is too large (at most %(megabytes)s MB)."), { megabytes: Math.floor(maxBytes / 1048576) }, true); input.focus(); return; }
      button.disabled = true;
      progress.hidden = false;
      progress.value = 0;
      const token = csrf(form);
      try {
        status.textContent = gettext("Uploading…");
        const signed = await postJson(form.dataset.presignUrl, { filename: file.name, contentType: file.type, folder: kind.folder, size: file.size }, token);
        await put(signed.uploadUrl, file, signed.headers, progress);
        status.textContent = gettext("Saving…");
        await kind.save(form, signed.publicUrl, token);
        status.textContent = kind.done;
        window.location.reload();
      } catch (e) {
        error.textContent = e.message;
        status.textContent = "";
        button.disabled = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-portfolio-upload]").forEach((form) => wire(form, KINDS.portfolio));
    document.querySelectorAll("form[data-avatar-upload]").forEach((form) => wire(form, KINDS.avatar));
    document.querySelectorAll("form[data-healed-upload]").forEach((form) => wire(form, KINDS.healed));
  });
})();
