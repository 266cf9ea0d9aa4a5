/* The app's flows: switch one on or off, copy, delete (refused while instances run), create one, publish.
   Each is a call to the designer API on the draft; the page is then loaded again.
   DOM contract: table#flows[data-app] tr[data-flow] (input.enabled, button.copy, button.remove[data-confirm]),
   #publish[data-app], [data-error-for="flows|publish"]; the new-flow form is new_flow.js's. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, showErrors} = window.tangram;
  const table = document.getElementById("flows");
  const base = `/api/v1/apps/${table.dataset.app}/draft/flows`;
  const main = document.querySelector("main");

  async function flowOf(key) {
    const r = await api("GET", base);
    return r.data.items.map((i) => i.flow).find((f) => f.key === key);
  }

  async function done(request) {
    const r = await request;
    if (r.ok) window.location.reload();
    else showErrors(main, {error: {...r.data.error, field: "flows"}});
  }

  table.addEventListener("change", async (event) => {
    if (!event.target.matches("input.enabled")) return;
    const key = event.target.closest("tr").dataset.flow;
    const flow = await flowOf(key);
    done(api("PUT", `${base}/${key}`, {...flow, enabled: event.target.checked}));
  });

  table.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-flow]");
    if (!row) return;
    const key = row.dataset.flow;
    if (event.target.matches("button.copy")) {
      const name = prompt(table.dataset.copyPrompt || "key", `${key}_copy`);
      if (name) done(api("POST", `${base}/${key}/copy`, {key: name}));
    } else if (event.target.matches("button.remove") && confirm(event.target.dataset.confirm)) {
      done(api("DELETE", `${base}/${key}`));
    }
  });

  document.getElementById("publish").addEventListener("click", async (event) => {
    const r = await api("POST", `/api/v1/apps/${event.target.dataset.app}/publish`);
    if (r.ok) window.location.reload();
    else showErrors(main, {error: {...r.data.error, field: "publish"}});
  });
});
