/* 离职交接: preview what the leaving user holds (records, open tasks, running flows per app and form),
   then hand it all to the chosen user in one call (runtime/api/handover.py).
   DOM contract: #ho-from, #ho-to, #ho-preview, #ho-run, #ho-result (#ho-result-title, #ho-table tbody),
   [data-error-for="to|form"], #handover-words (JSON). */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, showErrors, clearErrors} = window.tangram;
  const words = JSON.parse(document.getElementById("handover-words").textContent);
  const box = document.getElementById("handover");
  const from = document.getElementById("ho-from");
  const to = document.getElementById("ho-to");
  const run = document.getElementById("ho-run");
  const url = () => `/api/v1/users/${encodeURIComponent(from.value)}/handover`;

  function show(title, body) {
    const tbody = document.querySelector("#ho-table tbody");
    tbody.replaceChildren();
    let total = 0;
    for (const kind of ["records", "tasks", "flows"]) {
      for (const item of body[kind]) {
        const tr = document.createElement("tr");
        tr.dataset.kind = kind;
        for (const text of [words[kind], item.app, item.form, String(item.count)]) {
          const td = document.createElement("td");
          td.textContent = text;
          tr.append(td);
        }
        tbody.append(tr);
        total += item.count;
      }
    }
    document.getElementById("ho-result-title").textContent = total ? title : `${title} · ${words.nothing}`;
    document.getElementById("ho-result").hidden = false;
    return total;
  }

  from.addEventListener("change", () => { run.disabled = true; });
  document.getElementById("ho-preview").addEventListener("click", async () => {
    const r = await api("GET", url());
    if (!r.ok) { showErrors(box, r.data); return; }
    clearErrors(box);
    run.disabled = show(`${words.preview_of} ${from.value}`, r.data) === 0;
  });
  run.addEventListener("click", async () => {
    if (!confirm(words.confirm)) return;
    const r = await api("POST", url(), {to: to.value});
    if (!r.ok) { showErrors(box, r.data); return; }
    clearErrors(box);
    run.disabled = true;
    show(`${words.done} ${r.data.to}`, r.data);
  });
});
