/* The list page: filter rows, saved views, the column chooser (SortableJS), bulk actions.
   DOM contract: #list-data (JSON: app, form, fields[{key,label,ops,widget}], columns, chosen, conditions),
   #list-page (swapped by htmx), #conditions, template#condition-row (.condition-field, .condition-op,
   .condition-value, .condition-remove), #add-condition, #save-view, #column-choices, #save-columns, .bulkbar,
   .select-row, .select-all, .bulk-print[data-template]; the export menu: #export-format, #export-filtered,
   #export-checked, #export-status (data-running/-ready/-failed/-queued words; .text, a.link); a search's
   total .total[data-count-url][data-total-words][data-about-words][data-exact-url][data-exact-words].
   Plain DOM code: the pages run under `script-src 'self'`, with no eval. */
"use strict";

(function () {
  const data = () => JSON.parse(document.getElementById("list-data").textContent);
  const base = () => { const d = data(); return `/api/v1/apps/${d.app}/forms/${d.form}`; };

  /* One row of the filter bar: field, operator (the field's own), value named filter[field][op]. */
  function conditionRow(d, row) {
    const el = document.getElementById("condition-row").content.firstElementChild.cloneNode(true);
    const field = el.querySelector(".condition-field");
    const op = el.querySelector(".condition-op");
    const value = el.querySelector(".condition-value");
    const opsOf = (key) => { const f = d.fields.find((x) => x.key === key); return f ? f.ops : ["eq"]; };
    const opLabel = (o) => (d.op_labels || {})[o] || o;
    const rename = () => { value.name = `filter[${field.value}][${op.value}]`; };
    /* The value box as the field's type wants it (its filter widget: inputmode, placeholder). */
    const widget = () => {
      const f = d.fields.find((x) => x.key === field.value);
      Object.entries((f && f.widget) || {}).forEach(([name, v]) => {
        if (v) value.setAttribute(name, v); else value.removeAttribute(name);
      });
    };
    const fillOps = (selected) => {
      op.replaceChildren(...opsOf(field.value).map((o) => new Option(opLabel(o), o, false, o === selected)));
      rename();
      widget();
    };
    d.fields.forEach((f) => field.append(new Option(f.label, f.key, false, f.key === row.field)));
    value.value = row.value;
    field.addEventListener("change", () => fillOps(null));
    op.addEventListener("change", rename);
    fillOps(row.op);
    return el;
  }

  /* The rows the page was drawn with (again after htmx swaps the page). */
  function buildConditions() {
    const box = document.getElementById("conditions");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    const d = data();
    d.conditions.forEach((c) => box.append(conditionRow(d, c)));
  }

  function addCondition() {
    const d = data();
    const f = d.fields[0];
    if (f) document.getElementById("conditions").append(conditionRow(d, {field: f.key, op: f.ops[0], value: ""}));
  }

  function currentSpec() {
    const params = new URLSearchParams(window.location.search);
    const spec = {filters: []};
    params.forEach((value, name) => {
      const m = name.match(/^filter\[([^\]]+)\](?:\[([a-z_]+)\])?$/);
      if (m) spec.filters.push({field: m[1], op: m[2] || "eq", value});
    });
    if (params.get("filter")) spec.expression = params.get("filter");
    if (params.get("sort")) spec.sort = params.get("sort");
    if (params.get("q")) spec.search = params.get("q");
    if (params.get("columns")) spec.columns = params.get("columns").split(",");
    return spec;
  }

  function selectedIds() {
    return Array.from(document.querySelectorAll(".select-row:checked")).map((c) => Number(c.value));
  }

  function refreshBulkbar() {
    const bar = document.querySelector("#list .bulkbar");
    if (!bar) return;
    const n = selectedIds().length;
    bar.hidden = n === 0;
    bar.querySelector(".count").textContent = String(n);
  }

  function reloadList() {
    window.htmx.ajax("GET", window.location.href, {target: "#list-page", select: "#list-page", swap: "outerHTML"});
  }

  function buildColumnChooser() {
    const d = data();
    const list = document.getElementById("column-choices");
    if (!list || list.dataset.ready) return;
    list.dataset.ready = "1";
    const byKey = Object.fromEntries(d.columns.map((c) => [c.key, c]));
    const ordered = d.chosen.map((k) => byKey[k]).filter(Boolean).concat(d.columns.filter((c) => !d.chosen.includes(c.key)));
    ordered.forEach((c) => {
      const li = document.createElement("li");
      li.dataset.key = c.key;
      li.innerHTML = '<span class="handle" aria-hidden="true">⠿</span><label><input type="checkbox"> </label>';
      li.querySelector("input").checked = d.chosen.includes(c.key);
      li.querySelector("label").append(c.label);
      list.append(li);
    });
    window.Sortable.create(list, {handle: ".handle", animation: 120});
  }

  async function saveColumns() {
      const {api, toast} = window.tangram;
      const columns = Array.from(document.querySelectorAll("#column-choices li"))
        .filter((li) => li.querySelector("input").checked).map((li) => li.dataset.key);
      const r = await api("PUT", `${base()}/layout`, {columns});
      if (!r.ok) { toast(r.data.error.message, "error"); return; }
      const url = new URL(window.location.href);
      url.searchParams.delete("columns");
      window.location = url.toString();
  }

  async function saveView() {
      const {api, toast} = window.tangram;
      const name = window.prompt(document.getElementById("save-view").textContent.replace("＋", "").trim());
      if (!name) return;
      const r = await api("POST", `${base()}/views`, {name, spec: currentSpec()});
      if (!r.ok) { toast(r.data.error.message, "error"); return; }
      const url = new URL(window.location.href);
      url.searchParams.set("view", r.data.id);
      window.location = url.toString();
  }


  /* 导出: the whole list as the page shows it (its URL's filters, search and sort; the view's columns) through
     POST …/records/exports — a file at once, or a background export whose progress is polled here — or the
     ticked rows through GET …/records/export?ids=. */
  const LIST_PARAM = /^(filter(\[[^\]]+\](\[[a-z_]+\])?)?|sort|q)$/;

  function exportFormat() {
    const chosen = document.getElementById("export-format").value;
    return chosen === "csv-gbk" ? {format: "csv", encoding: "gbk"} : {format: chosen, encoding: "utf-8"};
  }

  function exportParams() {
    const params = new URLSearchParams();
    new URLSearchParams(window.location.search).forEach((value, name) => {
      if (LIST_PARAM.test(name) && value !== "") params.append(name, value);
    });
    const {format, encoding} = exportFormat();
    params.set("format", format);
    params.set("encoding", encoding);
    params.set("fields", data().chosen.join(","));
    return params;
  }

  function showExport(status) {
    const line = document.getElementById("export-status");
    const words = line.dataset;
    const link = line.querySelector("a.link");
    line.hidden = false;
    link.hidden = status.status !== "done";
    line.dataset.status = status.status;
    if (status.status === "done") {
      const until = status.expires_at ? new Date(status.expires_at).toLocaleString() : "";
      line.querySelector(".text").textContent = words.ready;
      link.href = status.download;
      link.textContent = `⬇ ${status.done}` + (until ? `（${words.expires.replace("{at}", until)}）` : "");
    } else if (status.status === "expired") {
      line.querySelector(".text").textContent = words.expired;
    } else if (status.status === "failed") {
      line.querySelector(".text").textContent = `${words.failed}：${status.error || ""}`;
    } else {
      line.querySelector(".text").textContent = `${words.queued} · ` +
        words.running.replace("{done}", status.done || 0).replace("{total}", status.total || 0);
    }
  }

  async function follow(id) {
    const {api} = window.tangram;
    for (;;) {
      const r = await api("GET", `/api/v1/exports/${id}`);
      if (!r.ok) return;
      showExport(r.data);
      if (r.data.status === "done" || r.data.status === "failed") return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  async function exportFiltered() {
    const {api, toast} = window.tangram;
    document.getElementById("export-menu").open = false;
    const r = await api("POST", `${base()}/records/exports?${exportParams()}`);
    if (!r.ok) { toast(r.data.error.message, "error"); return; }
    showExport(r.data);
    if (r.status === 201 && r.data.download) window.location = r.data.download;
    else follow(r.data.id);
  }

  function exportChecked() {
    const ids = selectedIds();
    document.getElementById("export-menu").open = false;
    if (!ids.length) {
      window.tangram.toast(document.body.dataset.lang === "en" ? "Tick the rows to export first" : "请先勾选要导出的行", "error");
      return;
    }
    const params = exportParams();
    params.delete("q");  // the ticked rows, in the list's order
    Array.from(params.keys()).filter((n) => n.startsWith("filter")).forEach((n) => params.delete(n));
    params.set("ids", ids.join(","));
    window.location = `${base()}/records/export?${params}`;
  }

  /* The newest export of this form keeps being shown when the user comes back: followed while it runs, its
     link while the file is kept, 已过期 once the worker removed it (export_retention_hours). */
  async function resumeExport() {
    const {api} = window.tangram;
    const r = await api("GET", "/api/v1/exports?limit=5");
    if (!r.ok) return;
    const d = data();
    const newest = r.data.items.find((e) => e.app === d.app && e.form === d.form);
    if (!newest) return;
    if (newest.status === "pending" || newest.status === "running") follow(newest.id);
    else if (newest.status === "done" || newest.status === "expired") showExport(newest);
  }

  /* A search's total, asked after the page is drawn (builder_ui/lists.py: a search counts every candidate,
     the page only enough of them): .total[data-count-url] gets 共 N 条, or 约 N 条 with 精确计数. */
  async function fillTotal() {
    const el = document.querySelector(".total[data-count-url]");
    if (!el) return;
    const r = await window.tangram.api("GET", el.dataset.countUrl);
    el.removeAttribute("data-count-url");
    if (!r.ok || typeof r.data.total !== "number") { el.textContent = ""; return; }  // no total rather than a wrong one
    const n = r.data.total.toLocaleString("en-US");
    if (r.data.total_exact) {
      el.textContent = el.dataset.totalWords.replace("{n}", n);
    } else {
      const exact = document.createElement("a");
      exact.href = el.dataset.exactUrl;
      exact.title = el.dataset.exactHelp;
      exact.textContent = el.dataset.exactWords;
      el.replaceChildren(`${el.dataset.aboutWords.replace("{n}", n)} `, exact);
    }
    el.dataset.exact = r.data.total_exact ? "true" : "false";
  }

  // #list-page is swapped by htmx: listeners are on the document, the chooser is rebuilt after a swap.
  document.addEventListener("htmx:afterSwap", () => { buildConditions(); buildColumnChooser(); fillTotal(); });
  document.addEventListener("DOMContentLoaded", () => {
    const {api, toast} = window.tangram;
    buildConditions();
    buildColumnChooser();
    fillTotal();
    document.addEventListener("click", (event) => {
      if (event.target.closest("#add-condition")) addCondition();
      const remove = event.target.closest(".condition-remove");
      if (remove) remove.closest(".condition").remove();
      if (event.target.closest("#save-columns")) saveColumns();
      if (event.target.closest("#save-view")) saveView();
      if (event.target.closest("#export-filtered")) exportFiltered();
      if (event.target.closest("#export-checked")) exportChecked();
    });
    resumeExport();

    document.addEventListener("change", (event) => {
      if (event.target.matches(".select-all")) {
        document.querySelectorAll(".select-row").forEach((c) => { c.checked = event.target.checked; });
      }
      if (event.target.matches(".select-all, .select-row")) refreshBulkbar();
    });

    document.addEventListener("click", async (event) => {
      const bar = event.target.closest(".bulkbar");
      if (!bar) return;
      const ids = selectedIds();
      if (event.target.matches(".bulk-delete")) {
        if (!window.confirm(document.body.dataset.lang === "en" ? "Delete the selected records?" : "确定删除所选记录？")) return;
        const r = await api("POST", `${base()}/selection/delete`, {ids});
        if (r.ok) { toast(`✓ ${r.data.deleted}`); reloadList(); } else toast(r.data.error.message, "error");
      } else if (event.target.matches(".bulk-edit")) {
        const field = bar.querySelector(".bulk-field").value;
        const r = await api("POST", `${base()}/selection/update`, {ids, data: {[field]: bar.querySelector(".bulk-value").value}});
        if (r.ok) { toast(`✓ ${r.data.updated}`); reloadList(); }
        else toast(((r.data.error.details || [])[0] || r.data.error).message, "error");
      } else if (event.target.matches(".bulk-export")) {
        window.location = `${base()}/selection/export.csv?ids=${ids.join(",")}`;
      } else if (event.target.matches(".bulk-print")) {
        const d = data();
        window.open(`/apps/${d.app}/forms/${d.form}/print/${event.target.dataset.template}?ids=${ids.join(",")}`, "_blank");
      } else if (event.target.matches(".bulk-merge")) {  /* 合并: the side-by-side page (merge.js) */
        const d = data();
        window.location = `/apps/${d.app}/forms/${d.form}/merge?ids=${ids.join(",")}`;
      }
    });
  });
})();
