/* The print template editor: edits one template of the draft, previews it live with a chosen record.
   DOM contract: #print-builder-data (JSON: app, form, templates[], fields[{key,label,type,columns,related[{key,label,type}],in_rows}], records[{id,title}],
   chosen), #template-choice, #template-form (inputs key, name, paper, orientation, header, body, footer,
   logo-file, seal-file), [data-image], [data-clear-image], #placeholder-list, #template-errors, #save-template,
   #delete-template, #publish-templates, #preview-record, #print-preview (a sandboxed iframe), #no-records.
   Every change goes through the public API: PUT/DELETE …/print-templates/{key}, POST …/print-templates/preview,
   POST /api/v1/files, POST /api/v1/apps/{app}/publish. */
"use strict";

(function () {
  const data = () => JSON.parse(document.getElementById("print-builder-data").textContent);
  const PARTS = ["header", "body", "footer"];
  const NEW = "";
  let state = {logo: null, seal: null};
  let lastArea = null;
  let timer = null;

  const en = () => document.body.dataset.lang === "en";
  const base = (d) => `/api/v1/apps/${d.app}/forms/${d.form}`;

  function template(form) {
    const t = {name: form.name.value, paper: form.paper.value, orientation: form.orientation.value};
    PARTS.forEach((p) => { t[p] = form[p].value; });
    if (state.logo) t.logo = state.logo;
    if (state.seal) t.seal = state.seal;
    return t;
  }

  function fill(form, t) {
    form.key.value = t ? t.key : "";
    form.key.readOnly = Boolean(t);
    form.name.value = t ? t.name : "";
    form.paper.value = (t && t.paper) || "A4";
    form.orientation.value = (t && t.orientation) || "portrait";
    PARTS.forEach((p) => { form[p].value = (t && t[p]) || ""; });
    state = {logo: (t && t.logo) || null, seal: (t && t.seal) || null};
    showImages();
  }

  function showImages() {
    document.querySelectorAll("[data-image]").forEach((el) => {
      const ref = state[el.dataset.image];
      el.textContent = ref ? (ref.name || ref.id) : "—";
    });
  }

  function showErrors(error) {
    const list = document.getElementById("template-errors");
    const err = (error && error.error) || {message: String(error)};
    const items = (err.details && err.details.length) ? err.details.map((d) => `${d.path}：${d.message}`) : [err.message];
    list.replaceChildren(...items.map((text) => { const li = document.createElement("li"); li.textContent = text; return li; }));
  }

  /* The preview is plain HTML (not JSON): fetched here rather than through tangram.api. */
  async function preview() {
    const d = data();
    const form = document.getElementById("template-form");
    const record = document.getElementById("preview-record").value;
    if (!record) return;
    const response = await fetch(`${base(d)}/print-templates/preview`, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content,
                "Accept-Language": en() ? "en" : "zh-CN"},
      body: JSON.stringify({template: template(form), record_id: Number(record)}),
    });
    if (response.ok) {
      document.getElementById("template-errors").replaceChildren();
      document.getElementById("print-preview").srcdoc = await response.text();
    } else {
      showErrors(await response.json().catch(() => ({error: {message: String(response.status)}})));
    }
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(preview, 400); }

  function insert(text) {
    const area = lastArea || document.querySelector('#template-form [name="body"]');
    const at = area.selectionStart || area.value.length;
    area.value = area.value.slice(0, at) + text + area.value.slice(area.selectionEnd || at);
    area.focus();
    area.selectionStart = area.selectionEnd = at + text.length;
    schedule();
  }

  function placeholderButtons(d) {
    const box = document.getElementById("placeholder-list");
    const button = (label, text) => {
      const b = document.createElement("button");
      b.type = "button"; b.className = "button"; b.textContent = label; b.dataset.insert = text;
      return b;
    };
    d.fields.forEach((f) => {
      if (f.type === "sub_table") {
        const cells = f.columns.map((c) => `<td>{{ ${c.key} }}</td>`).join("");
        const heads = f.columns.map((c) => `<th>${c.label}</th>`).join("");
        box.append(button(`${f.label} ▦`, `<table><thead><tr><th>#</th>${heads}</tr></thead><tbody>{{#each ${f.key}}}` +
          `<tr><td>{{@index}}</td>${cells}</tr>{{/each}}</tbody></table>`));
      } else {
        box.append(button(f.label, `{{ ${f.key} }}`));
        if (["money", "number", "formula"].includes(f.type)) box.append(button(`${f.label}（大写）`, `{{ CNMONEY(${f.key}) }}`));
      }
      if (f.related && f.related.length) {  // the related record's fields, folded: 客户.地址 → {{ customer.address }}
        const group = document.createElement("details");
        group.className = "related-placeholders";
        const summary = document.createElement("summary");
        // a sub-table's relation columns: placeholders for inside its #each (产品.产品名称 → {{ product.name }})
        summary.textContent = f.in_rows ? `${f.label}${en() ? " (in rows)" : "（行内）"} ▸` : `${f.label} ▸`;
        group.append(summary, ...f.related.map((r) => button(r.label, `{{ ${r.key} }}`)));
        box.append(group);
      }
    });
    box.append(button("Logo", "{{@logo}}"), button(en() ? "Seal" : "公章", "{{@seal}}"),
               button(en() ? "Today" : "今天", "{{ CNDATE(TODAY()) }}"));
  }

  async function upload(input, name) {
    const {api, toast} = window.tangram;
    const file = input.files[0];
    if (!file) return;
    const body = new FormData();
    body.append("file", file);
    const r = await api("POST", "/api/v1/files", body);
    if (!r.ok) { toast(r.data.error.message, "error"); return; }
    state[name] = {id: r.data.id, name: r.data.name};
    input.value = "";
    showImages();
    schedule();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const {api, toast} = window.tangram;
    const d = data();
    const form = document.getElementById("template-form");
    const choice = document.getElementById("template-choice");
    choice.append(...d.templates.map((t) => new Option(`${t.name}（${t.key}）`, t.key)),
                  new Option(en() ? "＋ New template" : "＋ 新建模板", NEW));
    choice.value = d.chosen && d.templates.some((t) => t.key === d.chosen) ? d.chosen : (d.templates[0] ? d.templates[0].key : NEW);
    const pick = () => fill(form, d.templates.find((t) => t.key === choice.value));
    pick();
    const records = document.getElementById("preview-record");
    records.append(...d.records.map((r) => new Option(r.title === `#${r.id}` ? r.title : `${r.title}（#${r.id}）`, r.id)));
    document.getElementById("no-records").hidden = d.records.length > 0;
    placeholderButtons(d);

    choice.addEventListener("change", () => { pick(); schedule(); });
    records.addEventListener("change", schedule);
    form.addEventListener("input", schedule);
    form.addEventListener("focusin", (e) => { if (e.target.matches("textarea")) lastArea = e.target; });
    form.addEventListener("change", (e) => {
      if (e.target.name === "logo-file") upload(e.target, "logo");
      if (e.target.name === "seal-file") upload(e.target, "seal");
    });
    form.addEventListener("click", (e) => {
      const b = e.target.closest("[data-insert]");
      if (b) insert(b.dataset.insert);
      const clear = e.target.closest("[data-clear-image]");
      if (clear) { state[clear.dataset.clearImage] = null; showImages(); schedule(); }
    });

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const key = form.key.value.trim();
      const r = await api("PUT", `${base(d)}/print-templates/${encodeURIComponent(key)}`, template(form));
      if (!r.ok) { showErrors(r.data); return; }
      document.getElementById("template-errors").replaceChildren();
      toast(en() ? "✓ Saved to the draft" : "✓ 已保存到草稿");
      const url = new URL(window.location.href);
      url.searchParams.set("template", key);
      window.location = url.toString();
    });

    document.getElementById("delete-template").addEventListener("click", async () => {
      if (!form.key.readOnly) { pick(); return; }
      if (!window.confirm(en() ? "Delete this template from the draft?" : "从草稿中删除这个模板？")) return;
      const r = await api("DELETE", `${base(d)}/print-templates/${encodeURIComponent(form.key.value)}`);
      if (!r.ok) { showErrors(r.data); return; }
      window.location = window.location.pathname;
    });

    document.getElementById("publish-templates").addEventListener("click", async () => {
      const r = await api("POST", `/api/v1/apps/${d.app}/publish`);
      if (r.ok) toast(en() ? `✓ Published: version ${r.data.version}` : `✓ 已发布：版本 ${r.data.version}`);
      else showErrors(r.data);
    });

    schedule();
  });
})();
