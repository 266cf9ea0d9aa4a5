/* Timeline (甘特图): drag a bar to move its start and end by whole days, drag its right edge (.tl-handle) to
   change the end only → PATCH the record's date fields with If-Match. A refused move (validation, stale
   version, permission, read-only field) puts the bar back where it was and shows why. A click without a
   move, or Enter, opens the record. Keyboard: on a focused bar ← / → move it a day, Shift+← / → change the
   end only (the same PATCH). Read-only while viewing as someone (view_as.js sets window.tangram.readOnly)
   and when the server says why (`reason`: no update right, read-only dates): bars then say so in their tooltip.
   DOM contract: #timeline-data (JSON: app, form, start, end, first, days, reason, refused), #timeline-view,
   .tl-bar[data-id][data-version][data-start][data-end] inside .tl-track, .tl-point for a record without an
   end, .tl-handle the right edge. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const dataNode = document.getElementById("timeline-data");
  const viewPick = document.getElementById("timeline-view");
  if (viewPick) viewPick.addEventListener("change", () => { window.location = viewPick.value + window.location.search; });
  if (!dataNode) return;
  const {api, toast} = window.tangram;
  const tl = JSON.parse(dataNode.textContent);
  const why = window.tangram.readOnly ? document.getElementById("view-as-banner").dataset.readOnly : tl.reason;
  const DAY = 86400000;
  const first = Date.parse(tl.first + "T00:00:00Z");

  const parse = (text) => (text ? Date.parse(text + "T00:00:00Z") : null);
  const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
  const offset = (ms) => Math.round((ms - first) / DAY);
  const pct = (n) => `${(100 * n / tl.days).toFixed(4)}%`;

  // Where a bar sits for these dates: clipped to the window; a point (one date) at the middle of its day.
  function place(bar, start, end) {
    if (bar.classList.contains("tl-point")) {
      bar.style.left = pct(offset(start ?? end) + 0.5);
      return;
    }
    const a = Math.min(start, end), b = Math.max(start, end);
    const left = Math.max(offset(a), 0), right = Math.min(offset(b) + 1, tl.days);
    bar.style.left = pct(left);
    bar.style.width = pct(Math.max(right - left, 0));
    bar.classList.toggle("clipped-left", offset(a) < 0);
    bar.classList.toggle("clipped-right", offset(b) >= tl.days);
  }

  // The dates after moving `days` (mode "move": both, "end": the end only, never before the start).
  function shifted(bar, mode, days) {
    const start = parse(bar.dataset.start), end = parse(bar.dataset.end);
    if (mode === "end" && end !== null) return {start, end: Math.max(end + days * DAY, start ?? -Infinity)};
    return {start: start === null ? null : start + days * DAY, end: end === null ? null : end + days * DAY};
  }

  async function save(bar, mode, days) {
    if (!days) return;
    const dates = shifted(bar, mode, days);
    const values = {};
    if (dates.start !== null) values[tl.start] = iso(dates.start);
    if (tl.end && (dates.end !== null) && (mode === "end" || bar.dataset.end)) values[tl.end] = iso(dates.end);
    place(bar, dates.start, dates.end);
    const url = `/api/v1/apps/${tl.app}/forms/${tl.form}/records/${bar.dataset.id}`;
    bar.setAttribute("aria-busy", "true");
    const r = await api("PATCH", url, {data: values}, {"If-Match": `"${bar.dataset.version}"`});
    bar.removeAttribute("aria-busy");
    if (r.ok) {
      bar.dataset.version = String(r.data.version);
      bar.dataset.start = r.data.data[tl.start] || "";
      if (tl.end) bar.dataset.end = r.data.data[tl.end] || "";
      place(bar, parse(bar.dataset.start), parse(bar.dataset.end));
      return;
    }
    place(bar, parse(bar.dataset.start), parse(bar.dataset.end));  // undo: the bar goes back where it was
    const err = (r.data && r.data.error) || {message: String(r.status)};
    const detail = (err.details || [])[0];
    toast(tl.refused + (detail ? detail.message : err.message), "error");
  }

  const open = (bar) => { window.location = `/apps/${tl.app}/forms/${tl.form}/records/${bar.dataset.id}`; };
  let drag = null;

  document.querySelectorAll(".tl-bar").forEach((bar) => {
    if (why) { bar.title = `${bar.title} · ${why}`; bar.classList.add("view-as-fixed"); }
    bar.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || bar.getAttribute("aria-busy")) return;
      const mode = event.target.closest(".tl-handle") && !bar.classList.contains("tl-point") ? "end" : "move";
      const width = bar.parentElement.getBoundingClientRect().width;
      drag = {bar, mode, x: event.clientX, dayPx: width / tl.days, days: 0, moved: false};
      bar.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    bar.addEventListener("pointermove", (event) => {
      if (!drag || drag.bar !== bar) return;
      const dx = event.clientX - drag.x;
      if (!drag.moved && Math.abs(dx) < 4) return;
      drag.moved = true;
      if (why) return;  // read-only: the bar stays; the release says why
      bar.classList.add("dragging");
      drag.days = Math.round(dx / drag.dayPx);
      const dates = shifted(bar, drag.mode, drag.days);
      place(bar, dates.start, dates.end);
    });
    bar.addEventListener("pointerup", () => {
      if (!drag || drag.bar !== bar) return;
      const {mode, days, moved} = drag;
      drag = null;
      bar.classList.remove("dragging");
      if (!moved) { open(bar); return; }
      if (why) toast(tl.refused + why, "error");
      else if (days) save(bar, mode, days);
      else place(bar, parse(bar.dataset.start), parse(bar.dataset.end));
    });
    bar.addEventListener("pointercancel", () => {
      drag = null;
      bar.classList.remove("dragging");
      place(bar, parse(bar.dataset.start), parse(bar.dataset.end));
    });
    bar.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { open(bar); return; }
      if (!["ArrowLeft", "ArrowRight"].includes(event.key) || bar.getAttribute("aria-busy")) return;
      event.preventDefault();
      if (why) { toast(tl.refused + why, "error"); return; }
      const mode = event.shiftKey && !bar.classList.contains("tl-point") ? "end" : "move";
      save(bar, mode, event.key === "ArrowRight" ? 1 : -1);
    });
  });
});
