/* Approvals, on the record page and in the inbox: start a flow, decide a task, withdraw or resubmit.
   Every button calls the public API (flows and tasks); what the server refuses is shown as it says it.
   DOM contract:
   - [data-app][data-record] button[data-start-flow=<flow>]  → POST /api/v1/apps/{app}/flows/{flow}/instances
   - [data-task-actions=<task id>] with .comment, button[data-action=approve|reject|return|complete|transfer|
     add-approvers], input.transfer-to, input.add-users, select.add-position  → POST /api/v1/tasks/{id}/{action}
   - [data-instance=<id>] button[data-instance-action=cancel|resubmit] (data-confirm asks first)
     → POST /api/v1/flow-instances/{id}/{action}
   - form[data-choose-for=<flow>] input[data-step=<step key or path>]: 发起人自选 — a flow whose steps' people
     the submitter picks shows this form first; its submit POSTs {record_id, chosen: {step: usernames}}.
     record_form.js's 保存并提交 of such a flow leaves the flow in sessionStorage (tangram.choose) instead.
   - #approvals-error: where a refused 保存并提交 says why (record_form.js leaves it in sessionStorage).
   After a success the record page reloads; elsewhere (the inbox) the box's element gets a bubbling
   `tangram:task-done` event with {task, action} and the page decides what to do. */
"use strict";

(function () {
  const {api, toast} = window.tangram;
  const message = (r) => (r.data && r.data.error ? r.data.error.message : String(r.status));
  const onRecordPage = () => Boolean(document.getElementById("approvals") || document.querySelector("[data-start-flow]"));

  async function start(button, chosen) {
    const holder = button.closest("[data-app][data-record]");
    const chooser = document.querySelector(`form[data-choose-for="${button.dataset.startFlow}"]`);
    if (chooser && chosen === undefined) {  // 发起人自选: the submitter picks the people first
      chooser.hidden = false;
      (chooser.querySelector("input.people-search") || chooser.querySelector("input")).focus();
      return;
    }
    button.disabled = true;
    const r = await api("POST", `/api/v1/apps/${holder.dataset.app}/flows/${button.dataset.startFlow}/instances`,
                        {record_id: Number(holder.dataset.record), ...(chosen ? {chosen} : {})});
    if (r.ok) { window.location.reload(); return; }
    button.disabled = false;
    toast(message(r), "error");
    if (chooser) showPickErrors(chooser, r);
  }

  /* A refused pick (422 at chosen.<step>) is shown under the step's input. */
  function showPickErrors(chooser, r) {
    chooser.querySelectorAll(".error").forEach((p) => p.remove());
    ((r.data && r.data.error && r.data.error.details) || []).forEach((d) => {
      const input = [...chooser.querySelectorAll("input[data-step]")].find((i) => `chosen.${i.dataset.step}` === d.path);
      if (!input) return;
      const note = document.createElement("p");
      note.className = "error"; note.setAttribute("role", "alert"); note.textContent = d.message;
      (input.closest(".people-picker") || input).after(note);
    });
  }

  document.addEventListener("submit", (event) => {
    const chooser = event.target.closest("form[data-choose-for]");
    if (!chooser) return;
    event.preventDefault();
    const chosen = {};
    chooser.querySelectorAll("input[data-step]").forEach((input) => {
      const users = input.value.split(/[\s,，、]+/).filter(Boolean);
      if (users.length) chosen[input.dataset.step] = users;
    });
    start(document.querySelector(`button[data-start-flow="${chooser.dataset.chooseFor}"]`), chosen);
  });

  function bodyFor(box, action) {
    const comment = (box.querySelector(".comment") || {value: ""}).value.trim() || null;
    if (action === "transfer") {
      const to = box.querySelector(".transfer-to").value.trim();
      return to ? {to, comment} : null;
    }
    if (action === "add-approvers") {
      const users = box.querySelector(".add-users").value.split(/[\s,，、]+/).filter(Boolean);
      const position = (box.querySelector(".add-position") || {value: "after"}).value;  // 后加签 / 前加签
      return users.length ? {users, comment, position} : null;
    }
    return {comment};
  }

  async function decide(button) {
    const box = button.closest("[data-task-actions]");
    const action = button.dataset.action;
    const body = bodyFor(box, action);
    if (!body) {
      const input = box.querySelector(action === "transfer" ? ".transfer-to" : ".add-users");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    box.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    const r = await api("POST", `/api/v1/tasks/${box.dataset.taskActions}/${action}`, body);
    box.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    if (!r.ok) { toast(message(r), "error"); return; }
    toast(button.textContent.trim() + " ✓");
    if (onRecordPage()) { window.location.reload(); return; }
    box.dispatchEvent(new CustomEvent("tangram:task-done", {bubbles: true, detail: {task: r.data, action}}));
  }

  async function instanceAction(button) {
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    const id = button.closest("[data-instance]").dataset.instance;
    button.disabled = true;
    const r = await api("POST", `/api/v1/flow-instances/${id}/${button.dataset.instanceAction}`, {});
    if (r.ok) { window.location.reload(); return; }
    button.disabled = false;
    toast(message(r), "error");
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target || target.disabled) return;
    if (target.matches("[data-start-flow]")) start(target);
    else if (target.matches("[data-choose-cancel]")) target.closest("form[data-choose-for]").hidden = true;
    else if (target.matches("[data-task-actions] button[data-action]")) decide(target);
    else if (target.matches("[data-instance] button[data-instance-action]")) instanceAction(target);
  });

  document.addEventListener("DOMContentLoaded", () => {
    const choose = sessionStorage.getItem("tangram.choose");  // 保存并提交 of a flow whose people are picked here
    sessionStorage.removeItem("tangram.choose");
    const waiting = choose && document.querySelector(`button[data-start-flow="${CSS.escape(choose)}"]`);
    if (waiting) start(waiting);
    const slot = document.getElementById("approvals-error");
    const flash = sessionStorage.getItem("tangram.flash");
    if (!slot || !flash) return;
    sessionStorage.removeItem("tangram.flash");
    const {message: why} = JSON.parse(flash);
    slot.textContent = `${slot.dataset.prefix || ""}${why}`;
    slot.hidden = false;
    toast(why, "error");
  });
})();
