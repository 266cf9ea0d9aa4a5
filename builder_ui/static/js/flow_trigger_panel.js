/* The flow designer's trigger panel: clicking the trigger node opens it to change what starts the flow —
   type (新建时 / 更新时 / 提交审批 / 删除时 / 日期到达 / 定时 / 按钮 / Webhook) and per type its settings,
   with the `when` condition in the condition picker (condition_picker.js, also used for the branch
   conditions of the step panel). Saving is one PATCH …/draft/flows/{flow}/trigger with the new trigger
   (`null` for the options the type no longer has); the engine's refusals (flows[i].trigger.<option>) show
   at the panel field they concern. A schedule shows its next 3 runs, computed by the engine
   (GET …/trigger/next-runs?cron=).
   A schedule runs once per record that matches `when` (逐条记录), or once per run on no record (a scheduled
   pull: `each_record: false`).
   DOM contract: form#trigger-panel [name=on|fields|field|direction|days|offset|at|repeat|every|weekday|time|
   cron|each_record|label|token|when], [data-on] blocks, [data-every] blocks, #trigger-next-runs, [data-error-for],
   #branch-when (the step panel's branch condition); the designer's .node.trigger and "flow:trigger" event. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, clearErrors} = window.tangram;
  const designer = window.tangram.flowDesigner;
  const form = document.getElementById("trigger-panel");
  if (!designer || !form) return;
  const data = designer.data;
  const base = `/api/v1/apps/${data.app}/draft/flows/${data.flow.key}`;
  const f = form.elements;
  const {triggerForm} = window.tangram;  // trigger_form.js: the form's reading, shared with the new-flow dialog
  // a user field's value: picked in the app's people directory, which every builder of the app may search
  const pickerOptions = {fields: data.fields, checkUrl: data.check_url, peopleApp: data.app};
  const whenPicker = window.tangram.conditionPicker(f.when, pickerOptions);
  const branchWhen = document.getElementById("branch-when");
  if (branchWhen) window.tangram.conditionPicker(branchWhen, pickerOptions);
  let previewTimer = null;

  function showType() {
    triggerForm.show(form);
    if (f.on.value === "schedule") preview();
  }

  let filledFrom = null; // the saved trigger the panel shows, as JSON

  /* The panel filled from the flow's trigger as saved. */
  function fill(trigger) {
    filledFrom = JSON.stringify(trigger);
    clearErrors(form);
    f.on.value = trigger.on;
    form.querySelectorAll('input[name="fields"]').forEach((box) => { box.checked = (trigger.fields || []).includes(box.value); });
    f.field.value = trigger.field || "";
    const offset = (trigger.offset || "").match(/^(-?)P(\d+)D$/);
    f.direction.value = offset && !offset[1] ? "+" : "-";
    f.days.value = offset ? offset[2] : "";
    f.offset.value = trigger.offset || "";
    f.at.value = trigger.at || "09:00";
    f.repeat.value = trigger.repeat || "";
    const cron = trigger.cron || "0 9 * * *";
    const daily = cron.match(/^(\d+) (\d+) \* \* \*$/);
    const weekly = cron.match(/^(\d+) (\d+) \* \* ([0-7])$/);
    const timed = daily || weekly;
    f.every.value = daily ? "daily" : weekly ? "weekly" : "cron";
    if (timed) f.time.value = `${timed[2].padStart(2, "0")}:${timed[1].padStart(2, "0")}`;
    if (weekly) f.weekday.value = String(Number(weekly[3]) % 7);
    f.cron.value = cron;
    f.each_record.value = trigger.each_record === false ? "false" : "true";
    f.label.value = trigger.label || "";
    f.token.value = trigger.token || "";
    whenPicker.load(trigger.when || "");
    showType();
  }

  async function preview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(async () => {
      const list = document.getElementById("trigger-next-runs");
      const slot = form.querySelector('[data-error-for="cron"]');
      const cron = triggerForm.cron(form);
      if (f.every.value !== "cron") f.cron.value = cron;
      const r = await api("GET", `${base}/trigger/next-runs?cron=${encodeURIComponent(cron)}`);
      list.innerHTML = "";
      slot.textContent = r.ok ? "" : r.data.error.message;
      if (!r.ok) return;
      r.data.runs.forEach((run) => {
        const item = document.createElement("li");
        item.textContent = run.slice(0, 16).replace("T", " ");
        item.dataset.at = run;
        list.append(item);
      });
    }, 150);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const r = await api("PATCH", `${base}/trigger`, triggerForm.read(form));
    if (!r.ok) { triggerForm.showRefusal(form, r.data); return; }
    await designer.change(Promise.resolve(r));
    fill(designer.flow().trigger);
    window.tangram.toast(data.words.saved);
  });

  f.on.addEventListener("change", showType);
  ["every", "weekday", "time", "cron"].forEach((name) => f[name].addEventListener("input", () => {
    if (name === "every") showType(); else preview();
  }));
  f.every.addEventListener("change", showType);

  document.addEventListener("flow:trigger", () => {
    form.hidden = false;
    document.getElementById("step-none").hidden = true;
    fill(designer.flow().trigger);
    document.querySelector("#flow-zoom .node.trigger")?.classList.add("selected");
    f.on.focus();
  });
  // Choosing a step or a branch puts the step panel back in place of this one.
  const zoom = document.getElementById("flow-zoom");
  zoom.addEventListener("click", (event) => {
    if (event.target.closest(".card, .branch-head")) form.hidden = true;
  });
  // The canvas is drawn again after every change: when the saved trigger changed under the open panel
  // (撤销 put an older flow back), the panel shows it; unsaved edits of an unchanged trigger stay.
  new MutationObserver(() => {
    if (!form.hidden && JSON.stringify(designer.flow().trigger) !== filledFrom) fill(designer.flow().trigger);
  }).observe(zoom, {childList: true});
  zoom.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches(".node.trigger")) event.target.click();
  });
  // A flow just made in the new-flow dialog opens with its trigger's settings (…/flows/{flow}#trigger).
  if (window.location.hash === "#trigger") document.dispatchEvent(new CustomEvent("flow:trigger"));
});
