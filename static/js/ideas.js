// The tattoo ideas thread (templates/ideas/_thread.html). No inline scripts (CSP): everything the
// script needs comes from data-* attributes. Flow: check the file in the browser, ask
// /api/upload/presign for a PUT URL (session cookie + X-CSRFToken), PUT the file straight to the
// bucket with progress, POST /api/tattoo-ideas, then redraw the list from the API.
"use strict";

(function () {
  // Strings come from the JavaScript catalogue (/jsi18n/, loaded first by base.html); were it
  // missing, the page still works in English.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (_, k) => String(obj[k])));

  // The poster's role as the server page writes it (templates/ideas/_thread.html).
  const ROLES = { customer: gettext("customer"), tattooist: gettext("tattooist"), admin: gettext("admin") };

  // "2026.12.01 14:30" / "1 Dec 2026, 14:30" on the booking's clock (its artist's zone, the
  // section's data-zone), as the server writes the thread (app.js formatMoment).
  function formatMoment(iso, zone) {
    const text = window.inkbook && window.inkbook.formatMoment ? window.inkbook.formatMoment(iso, zone || "UTC") : "";
    return text || iso;
  }

  const EXT_TYPES = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", heic: "image/heic" };

  function cookie(name) {
    const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
  }

  function csrfToken(form) {
    const hidden = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return cookie("csrftoken") || form.dataset.csrfToken || (hidden ? hidden.value : "");
  }

  // Browsers leave file.type empty for some formats (HEIC on most desktops): fall back to the extension.
  function contentTypeOf(file) {
    if (file.type) return file.type.toLowerCase();
    const ext = (file.name.split(".").pop() || "").toLowerCase();
    return EXT_TYPES[ext] || "";
  }

  class ApiError extends Error {
    constructor(message, fields) {
      super(message);
      this.fields = fields || {};
    }
  }

  async function api(url, { method = "GET", body, csrf } = {}) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (csrf) headers["X-CSRFToken"] = csrf;
    const response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(data.message || interpolate(gettext("Request failed (%(status)s)."), { status: response.status }, true), data.fields);
    return data;
  }

  function putWithProgress(presign, file, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", presign.uploadUrl);
      Object.entries(presign.headers || {}).forEach(([k, v]) => xhr.setRequestHeader(k, v));
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
      });
      xhr.addEventListener("load", () =>
        xhr.status >= 200 && xhr.status < 300
          ? resolve()
          : reject(new ApiError(interpolate(gettext("The image upload failed (%(status)s). Please try again."), { status: xhr.status }, true)))
      );
      xhr.addEventListener("error", () => reject(new ApiError(gettext("The image upload failed: network error."))));
      xhr.send(file);
    });
  }

  function ideaItem(idea, zone) {
    const li = document.createElement("li");
    li.className = "idea";
    li.id = `idea-${idea.id}`;
    const meta = document.createElement("p");
    meta.className = "idea__meta";
    const who = document.createElement("strong");
    who.textContent = idea.createdByName;
    const when = document.createElement("span");
    when.className = "muted";
    const time = document.createElement("time");
    time.dateTime = idea.createdAt;
    time.textContent = formatMoment(idea.createdAt, zone);
    when.append(` (${ROLES[idea.createdByRole] || idea.createdByRole}) `, time);
    meta.append(who, " ", when);
    li.append(meta);
    if (idea.description) {
      const text = document.createElement("p");
      text.className = "idea__text";
      idea.description.split("\n").forEach((line, i) => {
        if (i) text.append(document.createElement("br"));
        text.append(line);
      });
      li.append(text);
    }
    if (idea.imageUrl) {
      // The same <img> as the server's image tag (templates/includes/image.html): the WebP
      // variants made so far in srcset, the image's own size, lazy. Every URL here is signed.
      const link = document.createElement("a");
      link.href = idea.imageUrl;
      const img = document.createElement("img");
      img.className = "idea__image";
      img.loading = "lazy"; // before any URL: an image starts loading as soon as it has one
      img.decoding = "async";
      if (idea.imageWidth && idea.imageHeight) {
        img.width = idea.imageWidth;
        img.height = idea.imageHeight;
      }
      const thumbs = idea.thumbnails || {};
      const widths = Object.keys(thumbs);
      if (widths.length) {
        const candidates = widths.map((w) => `${thumbs[w]} ${w}w`);
        if (idea.imageWidth) candidates.push(`${idea.imageUrl} ${idea.imageWidth}w`);
        img.sizes = "(min-width: 44rem) 40rem, 100vw";
        img.srcset = candidates.join(", ");
      }
      img.src = thumbs["640"] || (widths.length ? thumbs[widths[0]] : idea.imageUrl);
      img.alt = idea.description
        ? interpolate(gettext("Reference image: %(text)s"), { text: idea.description.slice(0, 120) }, true)
        : interpolate(gettext("Reference image shared by %(name)s"), { name: idea.createdByName }, true);
      link.append(img);
      li.append(link);
    }
    return li;
  }

  async function reloadThread(thread) {
    const ideas = [];
    let url = `${thread.dataset.listUrl}?pageSize=100`;
    while (url) {
      const page = await api(url);
      ideas.push(...page.results);
      url = page.next;
    }
    thread.querySelector("[data-ideas-list]").replaceChildren(...ideas.map((idea) => ideaItem(idea, thread.dataset.zone)));
    const empty = thread.querySelector("[data-ideas-empty]");
    if (empty) empty.hidden = ideas.length > 0;
  }

  function wireThread(thread) {
    const form = thread.querySelector("[data-ideas-form]");
    if (!form) return;
    const description = form.querySelector('[name="description"]');
    const fileInput = form.querySelector('input[type="file"]');
    const errorBox = form.querySelector("[data-ideas-error]");
    const status = form.querySelector("[data-ideas-status]");
    const progressWrap = form.querySelector("[data-ideas-progress-wrap]");
    const progress = form.querySelector("[data-ideas-progress]");
    const submit = form.querySelector("[data-ideas-submit]");
    const maxBytes = Number(fileInput.dataset.maxBytes || 0);
    const types = (fileInput.dataset.types || "").split(",").filter(Boolean);

    function showError(message, fields) {
      const details = Object.values(fields || {}).flat();
      errorBox.textContent = [message, ...details].join(" ");
      errorBox.hidden = false;
      errorBox.focus?.();
    }

    function setProgress(pct) {
      progress.value = pct;
      progress.textContent = `${pct}%`;
      status.textContent = interpolate(gettext("Uploading image: %(percent)s"), { percent: `${pct}%` }, true);
    }

    // Check the file as soon as it is picked, before any upload.
    function fileProblem(file) {
      if (!file) return "";
      if (!types.includes(contentTypeOf(file))) return gettext("Choose a JPEG, PNG, WebP or HEIC image.");
      if (file.size < 1) return gettext("That file is empty.");
      if (maxBytes && file.size > maxBytes) {
        return interpolate(gettext("That image is too large (at most %(megabytes)s MB)."), { megabytes: Math.floor(maxBytes / 1048576) }, true);
      }
      return "";
    }

    fileInput.addEventListener("change", () => {
      const problem = fileProblem(fileInput.files[0]);
      if (problem) showError(problem);
      else errorBox.hidden = true;
    });

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errorBox.hidden = true;
      const file = fileInput.files[0];
      const text = description.value.trim();
      if (!file && !text) return showError(gettext("Describe the idea or attach an image."));
      const problem = fileProblem(file);
      if (problem) return showError(problem);
      const csrf = csrfToken(form);
      submit.disabled = true;
      try {
        let imageUrl;
        if (file) {
          const presign = await api(thread.dataset.presignUrl, {
            method: "POST",
            csrf,
            body: { filename: file.name, contentType: contentTypeOf(file), folder: "ideas", size: file.size },
          });
          progressWrap.hidden = false;
          setProgress(0);
          await putWithProgress(presign, file, setProgress);
          imageUrl = presign.publicUrl;
        }
        const body = { bookingId: Number(thread.dataset.bookingId), description: text };
        if (imageUrl) body.imageUrl = imageUrl;
        await api(thread.dataset.createUrl, { method: "POST", csrf, body });
        form.reset();
        status.textContent = gettext("Idea posted.");
        await reloadThread(thread);
      } catch (err) {
        showError(err.message || gettext("Something went wrong."), err.fields);
      } finally {
        submit.disabled = false;
        progressWrap.hidden = true;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-ideas-thread]").forEach(wireThread);
  });
})();
