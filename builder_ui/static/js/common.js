/* Shared by every page: calls to the JSON API with the session's CSRF token, messages, field errors.
   DOM contract: <meta name="csrf-token">, #toast, [data-error-for="<path>"] next to inputs. */
"use strict";

window.tangram = (function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const lang = () => document.body.dataset.lang || "zh";

  async function api(method, url, body, headers) {
    const init = {method, credentials: "same-origin",
      headers: Object.assign({"X-CSRF-Token": csrf(), "Accept-Language": lang() === "en" ? "en" : "zh-CN"}, headers || {})};
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
    const response = await fetch(url, init);
    let data = null;
    if (response.status !== 204) { try { data = await response.json(); } catch (e) { data = null; } }
    return {ok: response.ok, status: response.status, data, headers: response.headers};
  }

  function toast(message, kind) {
    const box = document.getElementById("toast");
    box.textContent = message;
    box.className = "show " + (kind || "info");
    clearTimeout(box._timer);
    box._timer = setTimeout(() => { box.className = ""; }, 6000);
  }

  function clearErrors(root) {
    root.querySelectorAll("[data-error-for]").forEach((el) => { el.textContent = ""; });
    root.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  }

  /* Put each `details[].message` next to its field (the part of the path before "." or "["),
     and the main message where nothing matches. Returns the number of messages placed at fields. */
  function showErrors(root, error) {
    clearErrors(root);
    const err = (error && error.error) || {message: String(error)};
    let placed = 0;
    (err.details || []).forEach((d) => {
      const path = d.path || "";
      const candidates = [path, path.split(/[.[]/)[0], (err.field || "")];
      for (const key of candidates) {
        const slot = key && root.querySelector(`[data-error-for="${CSS.escape(key)}"]`);
        if (slot) {
          slot.textContent = (slot.textContent ? slot.textContent + "；" : "") + d.message;
          const input = root.querySelector(`[name="${CSS.escape(key)}"]`);
          if (input) input.setAttribute("aria-invalid", "true");
          placed += 1; return;
        }
      }
    });
    const general = root.querySelector('[data-error-for="form"]');
    const fieldSlot = err.field && root.querySelector(`[data-error-for="${CSS.escape(err.field)}"]`);
    if (!placed && fieldSlot) { fieldSlot.textContent = err.message; placed = 1; }
    else if (general) general.textContent = err.message;
    else toast(err.message, "error");
    return placed;
  }

  return {api, toast, showErrors, clearErrors, lang};
})();

/* A list with a bad filter answers 400 with the page explaining it: swap it in like a 200. */
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 400) { event.detail.shouldSwap = true; event.detail.isError = false; }
});
