// Photos of consultation requests and messages (templates/consultations/_photos.html). No inline
// scripts (CSP): the picker's settings are data-* attributes. Each photo picked is checked in the
// browser, then goes straight to the bucket: POST /api/upload/presign (folder "consultations",
// session cookie + X-CSRFToken), PUT with the signed headers; its URL joins the form as a hidden
// `image_urls` input. The form submits normally; the server re-encodes each photo without its
// camera metadata when it attaches it (docs/images.md).
"use strict";

(function () {
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (_, k) => String(obj[k])));
  const EXT_TYPES = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", heic: "image/heic" };

  function cookie(name) {
    const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
  }

  function csrfToken(form) {
    const hidden = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return cookie("csrftoken") || (hidden ? hidden.value : "");
  }

  // Browsers leave file.type empty for some formats (HEIC on most desktops): fall back to the extension.
  function contentTypeOf(file) {
    if (file.type) return file.type.toLowerCase();
    const ext = (file.name.split(".").pop() || "").toLowerCase();
    return EXT_TYPES[ext] || "";
  }

  async function presign(url, file, csrf) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ filename: file.name, contentType: contentTypeOf(file), folder: "consultations", size: file.size }),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const details = Object.values(data.fields || {}).flat();
      throw new Error([data.message || interpolate(gettext("Request failed (%(status)s)."), { status: response.status }, true), ...details].join(" "));
    }
    return data;
  }

  function put(signed, file, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", signed.uploadUrl);
      Object.entries(signed.headers || {}).forEach(([k, v]) => xhr.setRequestHeader(k, v));
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
      });
      xhr.addEventListener("load", () =>
        xhr.status >= 200 && xhr.status < 300
          ? resolve()
          : reject(new Error(interpolate(gettext("The image upload failed (%(status)s). Please try again."), { status: xhr.status }, true)))
      );
      xhr.addEventListener("error", () => reject(new Error(gettext("The image upload failed: network error."))));
      xhr.send(file);
    });
  }

  function wirePicker(picker) {
    const form = picker.closest("form");
    const input = picker.querySelector("[data-photo-input]");
    const list = picker.querySelector("[data-photo-list]");
    const status = picker.querySelector("[data-photo-status]");
    const errorBox = picker.querySelector("[data-photo-error]");
    const submit = form.querySelector("[data-photo-submit]");
    const maxPhotos = Number(picker.dataset.maxPhotos || 6);
    const maxBytes = Number(input.dataset.maxBytes || 0);
    const types = (input.dataset.types || "").split(",").filter(Boolean);
    let uploading = 0;

    function showError(message) {
      errorBox.textContent = message;
      errorBox.hidden = !message;
    }

    function problem(file) {
      if (!types.includes(contentTypeOf(file))) return gettext("Choose a JPEG, PNG, WebP or HEIC image.");
      if (file.size < 1) return gettext("That file is empty.");
      if (maxBytes && file.size > maxBytes) {
        return interpolate(gettext("That image is too large (at most %(megabytes)s MB)."), { megabytes: Math.floor(maxBytes / 1048576) }, true);
      }
      return "";
    }

    function busy(delta) {
      uploading += delta;
      if (submit) submit.disabled = uploading > 0;
    }

    async function add(file) {
      const item = document.createElement("li");
      item.className = "photo-picker__item";
      const preview = document.createElement("img");
      preview.alt = file.name;
      preview.width = 96;
      preview.height = 96;
      // A data: URL (the CSP's img-src allows data:, not blob:); browsers cannot draw HEIC.
      if (contentTypeOf(file) !== "image/heic") {
        const reader = new FileReader();
        reader.addEventListener("load", () => {
          preview.src = reader.result;
        });
        reader.readAsDataURL(file);
      }
      const progress = document.createElement("progress");
      progress.max = 100;
      progress.value = 0;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button";
      remove.textContent = gettext("Remove");
      item.append(preview, progress, remove);
      list.append(item);
      busy(1);
      try {
        const signed = await presign(picker.dataset.presignUrl, file, csrfToken(form));
        await put(signed, file, (pct) => {
          progress.value = pct;
          status.textContent = interpolate(gettext("Uploading image: %(percent)s"), { percent: `${pct}%` }, true);
        });
        const hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "image_urls";
        hidden.value = signed.publicUrl;
        item.append(hidden);
        item.dataset.uploaded = "1";
        progress.remove();
        status.textContent = gettext("Photo added.");
      } catch (err) {
        item.remove();
        showError(err.message || gettext("Something went wrong."));
      } finally {
        busy(-1);
      }
      remove.addEventListener("click", () => item.remove());
    }

    input.addEventListener("change", () => {
      showError("");
      const files = Array.from(input.files || []);
      const room = maxPhotos - list.children.length;
      if (files.length > room) {
        showError(interpolate(gettext("At most %(count)s photos."), { count: maxPhotos }, true));
      }
      files.slice(0, Math.max(room, 0)).forEach((file) => {
        const bad = problem(file);
        if (bad) showError(bad);
        else add(file);
      });
      input.value = "";
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-photo-picker]").forEach(wirePicker);
  });
})();
