/* 接收接口: the hook editor and secret rotation. 保存 sends PUT /api/v1/apps/{app}/hooks/{key} (a new hook's
   secret is answered once and shown in #hk-secret); the parts of a hook the editor does not show (description,
   headers, enabled, a lookup's `create` fields) are sent back as loaded; each mapping row's expression is checked by
   POST /api/v1/apps/{app}/hooks/check as it is typed; 轮换密钥 calls POST …/hooks/{key}/secret.
   DOM contract: #hooks-data and #hooks-words (JSON), #hk-key #hk-name #hk-form #hk-auth #hk-mode #hk-upsert-key
   #hk-flow, #hk-mapping tbody rows (select.hk-field, input.hk-expr, .hk-check, and for a single relation
   select.hk-lookup — "" for an id, else the related form's field it is looked up by — with
   input.hk-create), #hk-add-row, #hk-save,
   [data-edit], [data-rotate], #hk-secret-box / #hk-secret, [data-error-for]. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, showErrors, clearErrors, toast} = window.tangram;
  const data = JSON.parse(document.getElementById("hooks-data").textContent);
  const words = JSON.parse(document.getElementById("hooks-words").textContent);
  const $ = (id) => document.getElementById(id);
  const editor = $("hk-editor");
  const rows = document.querySelector("#hk-mapping tbody");

  const formOf = () => data.forms.find((f) => f.key === $("hk-form").value) || {fields: []};

  function fillFlows() {
    const flow = $("hk-flow");
    const chosen = flow.value;
    flow.replaceChildren(...data.flows.filter((f) => f.form === $("hk-form").value).map((f) => new Option(f.name, f.key)));
    if (chosen) flow.value = chosen;
  }

  function showMode() {
    $("hk-upsert-row").hidden = $("hk-mode").value !== "upsert";
    $("hk-flow-row").hidden = $("hk-mode").value !== "flow";
  }

  let timer = null;
  async function check(row) {
    const out = row.querySelector(".hk-check");
    const expression = row.querySelector(".hk-expr").value.trim();
    if (!expression) { out.textContent = ""; return; }
    const r = await api("POST", `/api/v1/apps/${data.app}/hooks/check`,
      {form: $("hk-form").value, field: row.querySelector(".hk-field").value, expression});
    if (!r.ok) { out.textContent = (r.data && r.data.error && r.data.error.message) || ""; return; }
    out.textContent = r.data.ok ? words.ok : r.data.message;
    out.className = "hk-check " + (r.data.ok ? "ok" : "error");
  }

  let loaded = {};  // the hook as saved: what the editor does not show goes back unchanged

  /* The lookup cell of a row: for a single relation, by id or by a field of the related form. */
  function fillLookup(tr, lookup) {
    const field = formOf().fields.find((f) => f.key === tr.querySelector(".hk-field").value) || {};
    const target = data.forms.find((f) => f.key === field.target);
    const by = tr.querySelector(".hk-lookup");
    const create = tr.querySelector(".hk-create");
    by.replaceChildren(new Option(words.lookup_id, ""),
      ...(target ? target.fields.filter((f) => !f.target).map((f) => new Option(`${words.lookup_by}：${f.label}`, f.key)) : []));
    by.value = (lookup && lookup.by) || "";
    create.checked = Boolean(lookup && lookup.create);
    tr.querySelector(".hk-lookup-cell").hidden = !target;
  }

  function addRow(field, expression, lookup) {
    const tr = document.createElement("tr");
    const select = document.createElement("select");
    select.className = "hk-field";
    select.setAttribute("aria-label", "field");
    formOf().fields.forEach((f) => select.add(new Option(`${f.label} (${f.key})`, f.key)));
    if (field) select.value = field;
    const input = document.createElement("input");
    input.className = "hk-expr";
    input.setAttribute("aria-label", "expression");
    input.placeholder = "payload.order.customer_name";
    input.value = expression || "";
    const out = document.createElement("span");
    out.className = "hk-check";
    out.setAttribute("aria-live", "polite");
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = words.remove;
    remove.addEventListener("click", () => tr.remove());
    const cell = document.createElement("span");
    cell.className = "hk-lookup-cell";
    const by = document.createElement("select");
    by.className = "hk-lookup";
    by.setAttribute("aria-label", words.lookup_by);
    const made = document.createElement("label");
    made.className = "check";
    const create = document.createElement("input");
    create.type = "checkbox";
    create.className = "hk-create";
    made.append(create, " ", words.lookup_create);
    cell.append(by, made);
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => check(tr), 300); });
    select.addEventListener("change", () => { fillLookup(tr, null); check(tr); });
    [select, input, out, cell, remove].forEach((el) => { const td = document.createElement("td"); td.append(el); tr.append(td); });
    rows.append(tr);
    fillLookup(tr, lookup);
    if (expression) check(tr);
  }

  function load(hook) {
    loaded = hook;
    $("hk-key").value = hook.key || "";
    $("hk-key").readOnly = Boolean(hook.key);
    $("hk-name").value = hook.name || "";
    $("hk-form").value = hook.form || data.forms[0].key;
    $("hk-auth").value = hook.auth || "hmac";
    $("hk-mode").value = hook.mode || "create";
    $("hk-upsert-key").value = (hook.upsert_key || []).join(", ");
    fillFlows();
    if (hook.flow) $("hk-flow").value = hook.flow;
    rows.replaceChildren();
    Object.entries(hook.mapping || {}).forEach(([k, v]) => addRow(k, v, (hook.lookups || {})[k]));
    if (!rows.children.length) addRow();
    showMode();
  }

  $("hk-form").addEventListener("change", () => { fillFlows(); rows.replaceChildren(); addRow(); });
  $("hk-mode").addEventListener("change", showMode);
  $("hk-add-row").addEventListener("click", () => addRow());
  document.querySelectorAll("[data-edit]").forEach((b) => b.addEventListener("click", () => {
    load(data.hooks.find((h) => h.key === b.dataset.edit));
    editor.scrollIntoView();
  }));

  function showSecret(secret) {
    $("hk-secret").textContent = secret;
    $("hk-secret-box").hidden = false;
  }

  document.querySelectorAll("[data-rotate]").forEach((b) => b.addEventListener("click", async () => {
    if (!window.confirm(words.confirm_rotate)) return;
    const r = await api("POST", `/api/v1/apps/${data.app}/hooks/${b.dataset.rotate}/secret`);
    if (r.ok) showSecret(r.data.secret); else toast(r.data.error.message, "error");
  }));

  $("hk-save").addEventListener("click", async () => {
    const key = $("hk-key").value.trim();
    const mapping = {};
    const same = loaded.form === $("hk-form").value ? loaded : {};
    // a sub-table column's lookup (`lines.product`) is not shown: it is kept as loaded while its sub-table is mapped
    const lookups = Object.fromEntries(Object.entries(same.lookups || {}).filter(([k]) => k.includes(".")));
    rows.querySelectorAll("tr").forEach((tr) => {
      const expression = tr.querySelector(".hk-expr").value.trim();
      const field = tr.querySelector(".hk-field").value;
      if (expression) mapping[field] = expression;
      const by = tr.querySelector(".hk-lookup").value;
      if (expression && by && !tr.querySelector(".hk-lookup-cell").hidden) {
        const before = (loaded.lookups || {})[field];
        lookups[field] = {by};
        if (tr.querySelector(".hk-create").checked) {  // the `create` fields as saved, when still looked up by the same
          lookups[field].create = before && before.by === by && before.create ? before.create : {};
        }
      }
    });
    Object.keys(lookups).filter((k) => k.includes(".") && !mapping[k.split(".")[0]]).forEach((k) => delete lookups[k]);
    const body = {...same, name: $("hk-name").value.trim(), form: $("hk-form").value, auth: $("hk-auth").value,
      mode: $("hk-mode").value, mapping, lookups, upsert_key: [], flow: null};
    delete body.key;
    if (body.mode === "upsert") body.upsert_key = $("hk-upsert-key").value.split(/[,，\s]+/).filter(Boolean);
    if (body.mode === "flow") body.flow = $("hk-flow").value;
    const r = await api("PUT", `/api/v1/apps/${data.app}/hooks/${encodeURIComponent(key)}`, body);
    if (!r.ok) {  // issues come at hooks[i].<part>: shown by the part's name
      const error = r.data && r.data.error ? r.data : {error: {message: String(r.status)}};
      (error.error.details || []).forEach((d) => { d.path = d.path.replace(/^hooks\[\d+\]\./, ""); });
      if (!(error.error.details || []).length) error.error.details = [{path: "hook", message: error.error.message}];
      showErrors(editor, error);
      return;
    }
    clearErrors(editor);
    toast(words.saved, "info");
    if (r.data.secret) { showSecret(r.data.secret); return; }  // shown once: the reload waits for the user
    window.location.reload();
  });

  load({});
});
