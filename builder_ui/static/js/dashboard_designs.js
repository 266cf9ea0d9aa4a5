/* The app's draft dashboards (仪表盘设计): copy, delete, create one, publish. Each is a call to the dashboard
   editor API on the draft; the page is then loaded again (a new dashboard opens in the editor).
   DOM contract: table#designs[data-app][data-copy-prompt][data-confirm] tr[data-report] (button.copy,
   button.remove), form#new-dashboard (name, key), #publish[data-app], [data-error-for="designs|form|publish"]. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, showErrors} = window.tangram;
  const table = document.getElementById("designs");
  const app = table.dataset.app;
  const base = `/api/v1/apps/${app}/draft/reports`;
  const main = document.querySelector("main");

  async function done(request) {
    const r = await request;
    if (r.ok) window.location.reload();
    else showErrors(main, {error: {...r.data.error, field: "designs"}});
  }

  table.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-report]");
    if (!row) return;
    const key = row.dataset.report;
    if (event.target.matches("button.copy")) {
      const copy = prompt(table.dataset.copyPrompt, `${key}_copy`);
      if (copy) done(api("POST", `${base}/${key}/copy`, {key: copy}));
    } else if (event.target.matches("button.remove") && confirm(`${table.dataset.confirm} ${row.querySelector("a").textContent}`)) {
      done(api("DELETE", `${base}/${key}`));
    }
  });

  document.getElementById("new-dashboard").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const r = await api("POST", base, {key: f.key.value, name: f.name.value});
    if (r.ok) window.location.href = `/apps/${app}/builder/dashboards/${f.key.value}`;
    else showErrors(event.target, r.data);
  });

  document.getElementById("publish").addEventListener("click", async () => {
    const r = await api("POST", `/api/v1/apps/${app}/publish`);
    if (r.ok) window.location.reload();
    else showErrors(main, {error: {...r.data.error, field: "publish"}});
  });
});
