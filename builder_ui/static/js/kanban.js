/* Kanban: drag a card to another column → PATCH the record's group field with If-Match.
   A refused move (validation, stale version, permission) puts the card back and shows why.
   Keyboard: ← / → on a focused card moves it a column. While viewing as someone (view_as.js sets
   window.tangram.readOnly) cards do not move, by mouse or keyboard, and say why in their tooltip.
   Choosing another field in #group-by opens its board (the option's value is the board's URL).
   DOM contract: #kanban-data (JSON: app, form, field), #group-by, .cards[data-value], .kcard[data-id][data-version]. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, toast} = window.tangram;
  const board = JSON.parse(document.getElementById("kanban-data").textContent);
  const refusedPrefix = document.body.dataset.lang === "en" ? "Cannot move: " : "无法移动：";
  const readOnly = Boolean(window.tangram.readOnly);
  const groupBy = document.getElementById("group-by");
  if (groupBy) groupBy.addEventListener("change", () => { window.location = groupBy.value; });

  function recount() {
    document.querySelectorAll(".column").forEach((col) => {
      const count = col.querySelector(".count");
      if (count) count.textContent = String(col.querySelectorAll(".kcard").length);
    });
  }

  async function moved(event) {
    if (event.from === event.to) return;
    const card = event.item;
    const value = event.to.dataset.value || null;
    const url = `/api/v1/apps/${board.app}/forms/${board.form}/records/${card.dataset.id}`;
    card.setAttribute("aria-busy", "true");
    const r = await api("PATCH", url, {data: {[board.field]: value}}, {"If-Match": `"${card.dataset.version}"`});
    card.removeAttribute("aria-busy");
    if (r.ok) {
      card.dataset.version = String(r.data.version);
      recount();
      return;
    }
    const back = event.from.children[event.oldIndex] || null;
    event.from.insertBefore(card, back);  // undo: the card goes back where it was
    recount();
    const err = (r.data && r.data.error) || {message: String(r.status)};
    const detail = (err.details || [])[0];
    toast(refusedPrefix + (detail ? detail.message : err.message), "error");
  }

  // Keyboard: on a focused card, ← and → move it to the previous / next column (the same PATCH).
  document.addEventListener("keydown", (event) => {
    const card = event.target.closest && event.target.closest(".kcard");
    if (readOnly || !card || !["ArrowLeft", "ArrowRight"].includes(event.key)) return;
    event.preventDefault();
    const lists = Array.from(document.querySelectorAll(".cards"));
    const from = card.parentElement;
    const to = lists[lists.indexOf(from) + (event.key === "ArrowRight" ? 1 : -1)];
    if (!to) return;
    const oldIndex = Array.from(from.children).indexOf(card);
    to.prepend(card);
    card.focus();
    moved({from, to, item: card, oldIndex});
  });

  document.querySelectorAll(".cards").forEach((list) => {
    window.Sortable.create(list, {group: "kanban", animation: 150, onEnd: moved, forceFallback: true, fallbackTolerance: 3,
                                  disabled: readOnly});
  });
  if (readOnly) {
    const why = document.getElementById("view-as-banner").dataset.readOnly;
    document.querySelectorAll(".kcard").forEach((card) => { card.title = why; card.classList.add("view-as-fixed"); });
  }
});
