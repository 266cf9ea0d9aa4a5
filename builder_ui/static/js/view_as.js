/* 查看为's banner and read-only pages. 退出查看 stops viewing as the user (DELETE /api/v1/view-as) and goes
   home as yourself. While viewing, every control that would change data is shown disabled with the tooltip
   查看为模式下只读 (the server refuses such changes anyway, 403 view_as): the ones matching WRITES, on the page
   and in what is added to it later; a click that still reaches one is stopped. Kanban cards do not drag
   (kanban.js asks window.tangram.readOnly).
   DOM contract: #view-as-banner[data-read-only] (the tooltip), #view-as-stop; the write controls are
   WRITES below (a page adding a new kind of write control adds its selector here). */
"use strict";

(function () {
  const WRITES = [
    'a[href$="/records/new"]', 'a[href*="/records/new?"]', 'a[href$="/edit"]', 'a[href$="/import"]', "#import-button",
    "button[data-start-flow]", "button[data-action]", "button[data-instance-action]", "#batch-approve",
    "form#record-form button[type=submit]", "button[data-save-submit]",
    ".bulk-edit", ".bulk-delete", ".bulk-merge", ".bin-restore", "#bin-restore-selected",
    "form.merge-form button[type=submit]",
  ].join(",");
  const banner = document.getElementById("view-as-banner");
  if (!banner) return;
  window.tangram = window.tangram || {};
  window.tangram.readOnly = true;
  const why = banner.dataset.readOnly;

  function lock(el) {
    if (el.dataset.viewAsLocked) return;
    el.dataset.viewAsLocked = "1";
    el.classList.add("view-as-locked");
    el.setAttribute("aria-disabled", "true");
    el.title = why;
    if (el.tagName === "BUTTON") el.disabled = true;
    if (el.tagName === "A") { el.dataset.href = el.getAttribute("href"); el.removeAttribute("href"); }
  }

  function lockAll(root) {
    if (root.matches && root.matches(WRITES)) lock(root);
    if (root.querySelectorAll) root.querySelectorAll(WRITES).forEach(lock);
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest && event.target.closest(WRITES);
    if (!target) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    lock(target);
  }, true);

  document.addEventListener("DOMContentLoaded", () => {
    lockAll(document);
    new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach(lockAll)))
      .observe(document.body, {childList: true, subtree: true});
    document.getElementById("view-as-stop").addEventListener("click", async () => {
      const r = await window.tangram.api("DELETE", "/api/v1/view-as");
      if (r.ok) window.location.href = "/";
      else window.tangram.toast(r.data.error.message, "error");
    });
  });
})();
