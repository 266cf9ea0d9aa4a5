/* The new-flow dialog on the app's flows page: a name, a key, the form, and the trigger — every type the
   engine has, with what each needs to be valid (更新时 the fields, 日期到达 the date field and 提前/推后 N 天,
   定时 每天 / 每周 / cron, 按钮 its text (else the flow's name), Webhook a token, made up here) in the same settings as the
   designer's trigger panel (templates/builder/_trigger_options.html, trigger_form.js). One PUT
   …/draft/flows/{key}; the engine's refusals show at the field they concern; then the designer opens with
   the trigger's settings (…/flows/{key}#trigger) for its condition and the rest.
   DOM contract: form#new-flow[data-app] (name, key, form, then the trigger settings; [data-form] options
   and labels belong to that form). */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, clearErrors, triggerForm} = window.tangram;
  const form = document.getElementById("new-flow");
  if (!form) return;
  const f = form.elements;

  /* Only the chosen form's fields are offered; a choice of another form's is dropped. */
  function showFormFields() {
    form.querySelectorAll("[data-form]").forEach((node) => {
      node.hidden = node.dataset.form !== f.form.value;
      if (node.hidden && node.matches("option")) node.selected = false;
      const box = node.querySelector("input");
      if (node.hidden && box) box.checked = false;
    });
    if (f.field.selectedOptions[0]?.hidden) f.field.value = "";
  }

  function randomToken() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  function showType() {
    triggerForm.show(form);
    f.field.required = f.on.value === "date";  // the browser asks for it before the engine would
    if (f.on.value === "webhook" && !f.token.value) f.token.value = randomToken();
  }

  f.form.addEventListener("change", showFormFields);
  f.on.addEventListener("change", showType);
  f.every.addEventListener("change", showType);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const app = form.dataset.app;
    const key = f.key.value;
    // the options the type does not use are left out (the panel's PATCH says null for them; a new flow has none)
    const trigger = Object.fromEntries(Object.entries(triggerForm.read(form)).filter(([, v]) => v !== null));
    if (trigger.on === "button" && !trigger.label) trigger.label = f.name.value.slice(0, 20);  // 按钮 says the flow's name
    const flow = {key, name: f.name.value, form: f.form.value, trigger, steps: []};
    const r = await api("PUT", `/api/v1/apps/${app}/draft/flows/${key}`, flow);
    if (r.ok) window.location.href = `/apps/${app}/builder/flows/${key}#trigger`;
    else triggerForm.showRefusal(form, r.data);
  });

  f.on.value = "submit";
  showFormFields();
  showType();
});
