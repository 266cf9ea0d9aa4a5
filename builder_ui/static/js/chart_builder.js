/* The chart builder: a widget definition (docs/reports.md) edited by dragging or clicking fields into
   维度 / 指标 / 筛选, drawn live through POST /api/v1/apps/{app}/query?draft=true (on the draft definition, as
   are the fields listed), saved into a dashboard of the draft (PUT …/draft/reports/{report}/widgets/{key}) and
   published (POST …/publish).
   The widget JSON is the one source of truth: controls change it, keys they do not know (a measure's
   format, a dimension's label, stages …) stay as they were, so an opened widget saved unchanged is the same.
   Chart types and the slots each takes come from GET …/widget-types; fields from GET …/forms/{form}/report-fields.
   The engine's refusals land on the slot they concern ([data-error-for=<slot>], the chip gets aria-invalid),
   and the chart is drawn only from an answer the API gave.
   DOM contract: #cb-data (JSON); select#cb-form; #cb-search; #cb-fields li.cb-field[data-key] with button.cb-to[data-slot];
   #cb-types button.cb-type[data-type][aria-pressed]; ul.cb-drop#cb-dimensions / #cb-measures / #cb-filter-drop /
   #cb-sort-drop (a field dropped there sorts by its column)
   holding li.cb-chip[data-index]; #cb-filter (the condition picker's input); #cb-sort, #cb-desc, #cb-limit,
   #cb-others, #cb-stack, #cb-target, #cb-period-field, #cb-period-bucket; #cb-name; #cb-preview[data-state=
   empty|loading|ok|error]; #cb-report, #cb-report-name, #cb-report-key, #cb-key, #cb-save, #cb-publish, #cb-open;
   #cb-json (the definition as saved); a pivot's 行 / 列, a table's 小计 / 合计 and a funnel's steps are
   chart_builder_types.js's (its DOM contract). */
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("cb-data").textContent);
  const W = data.words, lang = window.tangram.lang();
  const $ = (id) => document.getElementById(id);
  const api = `/api/v1/apps/${data.app}`;
  const SETTINGS = ["sort", "limit", "stack", "target", "period", "compare", "stages", "steps", "subtotals", "totals"];
  let widget = data.widget ? JSON.parse(JSON.stringify(data.widget))
    : {type: "bar", form: data.form || (data.forms[0] || {}).key, dimensions: [], measures: []};
  let types = [], fields = [], picker = null, timer = null, asked = 0;
  // A pivot's 行 / 列, a table's 小计 / 合计, a funnel's steps (chart_builder_types.js).
  const extra = window.tangramChartTypes({widget: () => widget, fields: () => fields, changed, el: (...a) => el(...a), W,
    checkUrl: () => data.check_url.replace("{form}", widget.form), dimensionExtras: (d) => dimensionExtras(d),
    labelOf: (key) => labelOf(key), fieldOf: (key) => fieldOf(key), showSlotError: (slot, m) => showSlotError(slot, m)});

  function el(tag, props, children) {
    const node = Object.assign(document.createElement(tag), props || {});
    for (const child of children || []) node.append(child);
    return node;
  }

  const kind = () => types.find((t) => t.type === widget.type) || {dimensions: [0, 4], measures: [1, null], settings: []};
  const fieldOf = (key) => fields.find((f) => f.key === key);
  const labelOf = (key) => (fieldOf(key) || {}).label || key;

  /* The column key the engine gives a measure (engine/reports/model.py, Measure.column_key). */
  function columnKey(m, i) {
    if (m.key) return m.key;
    if (m.agg === "count" && !m.field) return "count";
    return m.agg ? `${m.agg}_${m.field}` : `expr_${i + 1}`;
  }

  function set(key, value) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length && key !== "dimensions" && key !== "measures")) delete widget[key];
    else widget[key] = value;
  }

  /* `redraw` false: the change was typed into a chip, which stays as it is (and keeps the focus). */
  function changed(redraw = true) {
    $("cb-json").textContent = JSON.stringify(definition(), null, 2);
    if (redraw) drawSlots();
    $("cb-preview").dataset.state = "loading"; // what is shown is no longer the definition's
    asked += 1; // nor is an answer still on its way
    clearTimeout(timer);
    timer = setTimeout(preview, 350);
  }

  /* The definition as saved: empty lists the engine defaults are left out, as a hand-written one would. */
  function definition() {
    const out = JSON.parse(JSON.stringify(widget));
    for (const k of ["dimensions", "measures"]) if (!out[k] || !out[k].length) delete out[k];
    return out;
  }

  /* --- fields --- */

  async function loadFields() {
    const r = await window.tangram.api("GET", `${api}/forms/${widget.form}/report-fields?draft=true`);
    fields = r.ok ? r.data.items : [];
    const box = $("cb-fields");
    box.innerHTML = "";
    const groups = new Map();
    groups.set("", [{key: "", label: W.cb_records, group: "", aggs: ["count"], dimension: false}]);
    for (const f of fields) { if (!groups.has(f.group)) groups.set(f.group, []); groups.get(f.group).push(f); }
    for (const [group, items] of groups) {
      const list = el("ul", {className: "cb-field-list"});
      if (group) box.append(el("h3", {className: "cb-group", textContent: group}));
      for (const f of items) list.append(fieldItem(f));
      box.append(list);
      window.Sortable.create(list, {group: {name: "cb", pull: "clone", put: false}, sort: false, animation: 0, forceFallback: true,
        filter: "button", preventOnFilter: false});
    }
    makePicker();
    search();
  }

  /* Only the fields whose name holds the searched text; a group with none left is hidden with its heading. */
  function search() {
    const text = $("cb-search").value.trim().toLowerCase();
    for (const list of document.querySelectorAll("#cb-fields .cb-field-list")) {
      let shown = 0;
      for (const item of list.children) {
        item.hidden = !!text && !item.textContent.toLowerCase().includes(text) && !item.dataset.key.includes(text);
        if (!item.hidden) shown += 1;
      }
      list.hidden = shown === 0;
      const heading = list.previousElementSibling;
      if (heading && heading.classList.contains("cb-group")) heading.hidden = shown === 0;
    }
  }

  $("cb-search").addEventListener("input", search);

  function fieldItem(f) {
    const item = el("li", {className: "cb-field"});
    item.dataset.key = f.key;
    item.append(el("span", {className: "cb-field-label", textContent: f.label}));
    const add = (slot, word, ok) => {
      if (!ok) return;
      const b = el("button", {type: "button", className: "cb-to", textContent: word, title: `${f.label} → ${word}`});
      b.dataset.slot = slot;
      b.setAttribute("aria-label", `${W["cb_add_" + {dimensions: "dimension", measures: "measure", filter: "filter"}[slot]]}：${f.label}`);
      b.addEventListener("click", () => addTo(slot, f.key));
      item.append(b);
    };
    add("dimensions", W.cb_dimensions, f.dimension);
    add("measures", W.cb_measures, f.aggs.length > 0);
    add("filter", W.cb_filter, f.kind && !String(f.kind).startsWith("list"));
    return item;
  }

  function addTo(slot, key, at) {
    showSlotError(slot, "");
    const f = key ? fieldOf(key) : null;
    if (slot === "dimensions") {
      if (!f || !f.dimension) { showSlotError(slot, W.cb_not_dimension); return; }
      const dim = {field: key};
      if (f.buckets) dim.bucket = "month"; // dates by month to start with; the chip changes it
      widget.dimensions = widget.dimensions || [];
      widget.dimensions.splice(at === undefined ? widget.dimensions.length : at, 0, dim);
    } else if (slot === "measures") {
      const measure = !key ? {agg: "count"} : f && f.aggs.length ? {agg: f.aggs[0], field: key} : null;
      if (!measure) { showSlotError(slot, W.cb_not_measure); return; }
      widget.measures = widget.measures || [];
      widget.measures.splice(at === undefined ? widget.measures.length : at, 0, measure);
    } else if (slot === "sort") {
      // Sorting is by a column of the chart: the dimension on that field, else a measure of it.
      const dim = (widget.dimensions || []).find((d) => d.field === key);
      const at = (widget.measures || []).findIndex((m) => (key ? m.field === key : m.agg === "count" && !m.field));
      const column = dim ? dim.field : at >= 0 ? columnKey(widget.measures[at], at) : null;
      if (!column) { showSlotError(slot, W.cb_sort_needs_column); return; }
      $("cb-sort").value = column;
      $("cb-desc").checked = !dim; // measures biggest first, dimensions in their order
      writeSort();
      return;
    } else if (slot === "filter") {
      if (!picker || !picker.addRow(key)) { showSlotError(slot, W.cb_refused); return; }
      return;
    } else if (slot === "rows" || slot === "columns") {
      extra.drop(slot, key);
      return;
    }
    changed();
  }

  /* --- the condition picker on 筛选 --- */

  function makePicker() {
    const input = $("cb-filter");
    if (picker) { picker.element.nextElementSibling.remove(); picker.element.remove(); }
    input.value = widget.filter || "";
    picker = window.tangram.conditionPicker(input, {fields, checkUrl: data.check_url.replace("{form}", widget.form)});
  }

  $("cb-filter").addEventListener("input", () => { set("filter", $("cb-filter").value.trim()); changed(); });

  /* --- types --- */

  function drawTypes() {
    const box = $("cb-types");
    box.innerHTML = "";
    for (const t of types) {
      const b = el("button", {type: "button", className: "cb-type", textContent: (lang === "en" && t.label_en) || t.label});
      b.dataset.type = t.type;
      b.setAttribute("aria-pressed", String(t.type === widget.type));
      b.addEventListener("click", () => switchType(t.type));
      box.append(b);
    }
  }

  /* The fields a switch of type left out (a KPI takes no dimension, a pie one measure): the next type that
     takes them gets them back, so trying types one after another loses nothing. A new form starts afresh. */
  let aside = {dimensions: [], measures: []};
  const FIRST = {province: "address", select: "select"}; // a type's first_dimension → the field type it wants

  /* A new type keeps what still fits: the dimensions and measures it takes (a map's first an address, a
     funnel's a select), the settings it reads. */
  function switchType(type) {
    widget.type = type;
    const k = kind();
    const pool = (slot) => {
      const all = [...(widget[slot] || []), ...aside[slot]], seen = new Set();
      return all.filter((x) => { const id = JSON.stringify(x); return !seen.has(id) && seen.add(id); });
    };
    const dims = pool("dimensions"), measures = pool("measures");
    const wanted = FIRST[k.first_dimension]; // only a field of that type may come first; the others wait aside
    const first = wanted ? dims.find((d) => (fieldOf(d.field) || {}).type === wanted) : dims[0];
    const ordered = first ? [first, ...dims.filter((d) => d !== first)] : [];
    const most = (r, n) => (r[1] === null ? n : Math.min(r[1], n));
    widget.dimensions = ordered.slice(0, most(k.dimensions, ordered.length));
    widget.measures = measures.slice(0, most(k.measures, measures.length));
    aside = {dimensions: dims.filter((d) => !widget.dimensions.includes(d)), measures: measures.slice(widget.measures.length)};
    for (const s of SETTINGS) if (!k.settings.includes(s)) { delete widget[s]; if (s === "limit") delete widget.others; }
    fixSort();
    drawTypes();
    changed();
  }

  /* --- slots --- */

  function chip(slot, index, label, extra) {
    const item = el("li", {className: "cb-chip"});
    item.dataset.index = String(index);
    item.append(el("span", {className: "cb-chip-label", textContent: label}), ...extra);
    const up = el("button", {type: "button", className: "cb-up", textContent: "↑", title: W.move_up});
    up.setAttribute("aria-label", `${W.move_up}：${label}`);
    up.disabled = index === 0;
    up.addEventListener("click", () => { move(slot, index, index - 1); });
    const drop = el("button", {type: "button", className: "cb-remove", textContent: "×", title: W.remove});
    drop.setAttribute("aria-label", `${W.remove}：${label}`);
    drop.addEventListener("click", () => { widget[slot].splice(index, 1); fixSort(); changed(); });
    item.append(up, drop);
    return item;
  }

  function move(slot, from, to) {
    const list = widget[slot];
    if (to < 0 || to >= list.length) return;
    list.splice(to, 0, list.splice(from, 1)[0]);
    changed();
  }

  function select(options, value, label, onChange) {
    const s = el("select", {className: "cb-chip-select"});
    s.setAttribute("aria-label", label);
    for (const [v, text] of options) s.append(el("option", {value: v, textContent: text}));
    s.value = value;
    s.addEventListener("change", () => onChange(s.value));
    return s;
  }

  /* A dimension chip's controls: the bucket of a date. */
  function dimensionExtras(d) {
    const f = fieldOf(d.field);
    if (!f || !f.buckets) return [];
    const buckets = [["", W.cb_bucket_none], ...["day", "week", "month", "quarter", "year"].map((b) => [b, W[`bucket_${b}`]])];
    return [select(buckets, d.bucket || "", `${labelOf(d.field)} ${W.bucket_month}`, (v) => {
      if (v) d.bucket = v; else delete d.bucket;
      changed();
    })];
  }

  function dimensionChip(d, i) {
    return chip("dimensions", i, d.label || labelOf(d.field), dimensionExtras(d));
  }

  /* How a measure is shown (engine/reports/formats.py): the field's own way, or number / percent / money. */
  function formatSelect(m, label) {
    const formats = [["", W.cb_format_auto], ["number", W.cb_format_number], ["count", W.cb_format_count],
                     ["percent", W.cb_format_percent], ["money", W.cb_format_money], ["days", W.cb_format_days]];
    if (m.format && !formats.some(([v]) => v === m.format)) formats.push([m.format, m.format]);
    return select(formats, m.format || "", `${label} ${W.cb_format}`, (v) => {
      if (v) m.format = v; else delete m.format;
      changed();
    });
  }

  function measureChip(m, i) {
    if (m.expr !== undefined) {
      const label = el("input", {className: "cb-calc-label", value: m.label || "", placeholder: W.cb_label});
      label.setAttribute("aria-label", W.cb_label);
      label.addEventListener("input", () => { if (label.value.trim()) m.label = label.value.trim(); else delete m.label; changed(false); });
      const expr = el("input", {className: "cb-calc-expr", value: m.expr, placeholder: 'COUNTIF(stage = "赢单") / COUNT()'});
      expr.setAttribute("aria-label", W.cb_expression);
      expr.addEventListener("input", () => { m.expr = expr.value; changed(false); });
      return chip("measures", i, W.cb_calculated, [label, expr, formatSelect(m, W.cb_calculated)]);
    }
    const f = m.field ? fieldOf(m.field) : null;
    const aggs = m.field ? (f ? f.aggs : [m.agg]) : ["count"];
    const extra = m.field ? [select(aggs.map((a) => [a, W[`agg_${a}`] || a]), m.agg, `${labelOf(m.field)}`, (v) => {
      const before = columnKey(m, i);
      m.agg = v;
      renameSort(before, columnKey(m, i));
      changed();
    })] : [];
    const name = m.label || (m.field ? labelOf(m.field) : W.cb_records);
    return chip("measures", i, name, [...extra, formatSelect(m, name)]);
  }

  function drawSlots() {
    const k = kind();
    const dims = $("cb-dimensions"), measures = $("cb-measures");
    dims.replaceChildren(...(widget.dimensions || []).map(dimensionChip));
    measures.replaceChildren(...(widget.measures || []).map(measureChip));
    const range = (r) => (r[1] === null ? `≥ ${r[0]}` : r[0] === r[1] ? `${r[0]}` : `${r[0]}–${r[1]}`);
    $("cb-dimensions-count").textContent = `(${range(k.dimensions)})`;
    $("cb-measures-count").textContent = `(${range(k.measures)})`;
    document.querySelector('.cb-slot[data-slot="dimensions"]').hidden = k.dimensions[1] === 0 || widget.type === "pivot";
    for (const box of document.querySelectorAll("[data-setting]")) box.hidden = !k.settings.includes(box.dataset.setting);
    drawSort();
    drawPeriod();
    $("cb-stack").checked = !!widget.stack;
    keep($("cb-target"), widget.target ?? "");
    keep($("cb-name"), widget.name || "");
    extra.draw();
  }

  /* An input shows the widget's value, left alone while it already does (the caret stays where it is). */
  function keep(input, value) {
    if (input.value.trim() !== String(value)) input.value = String(value);
  }

  /* --- sort, top N, stack, KPI --- */

  function sortColumns() {
    return [...(widget.dimensions || []).map((d) => [d.field, d.label || labelOf(d.field)]),
            ...(widget.measures || []).map((m, i) => [columnKey(m, i), m.label || (m.expr !== undefined ? m.expr : `${m.field ? labelOf(m.field) : W.cb_records} ${W["agg_" + m.agg] || ""}`)])];
  }

  function drawSort() {
    const s = $("cb-sort");
    const first = (widget.sort || "").split(",")[0].trim();
    s.replaceChildren(el("option", {value: "", textContent: W.cb_no_sort}),
      ...sortColumns().map(([v, text]) => el("option", {value: v, textContent: text})));
    s.value = first.replace(/^-/, "");
    $("cb-desc").checked = first.startsWith("-");
    keep($("cb-limit"), widget.limit ?? "");
    $("cb-others").checked = widget.others !== false;
  }

  function writeSort() {
    const key = $("cb-sort").value;
    const rest = (widget.sort || "").split(",").slice(1).map((p) => p.trim()).filter(Boolean);
    set("sort", key ? [($("cb-desc").checked ? "-" : "") + key, ...rest].join(",") : undefined);
    changed();
  }

  function renameSort(before, after) {
    if (!widget.sort) return;
    widget.sort = widget.sort.split(",").map((p) => {
      const desc = p.trim().startsWith("-");
      return p.trim().replace(/^-/, "") === before ? (desc ? "-" : "") + after : p.trim();
    }).join(",");
  }

  /* A sort on a column that is gone would be refused: it goes with its column. */
  function fixSort() {
    if (!widget.sort) return;
    const known = new Set(sortColumns().map(([v]) => v));
    const kept = widget.sort.split(",").map((p) => p.trim()).filter((p) => known.has(p.replace(/^-/, "")));
    set("sort", kept.join(","));
  }

  $("cb-sort").addEventListener("change", writeSort);
  $("cb-desc").addEventListener("change", writeSort);
  $("cb-limit").addEventListener("input", () => {
    const n = $("cb-limit").value.trim();
    set("limit", n ? Number(n) : undefined);
    changed();
  });
  $("cb-others").addEventListener("change", () => { set("others", $("cb-others").checked ? undefined : false); changed(); });
  $("cb-stack").addEventListener("change", () => { set("stack", $("cb-stack").checked || undefined); changed(); });
  $("cb-target").addEventListener("input", () => { set("target", $("cb-target").value.trim()); changed(); });
  $("cb-name").addEventListener("input", () => { set("name", $("cb-name").value.trim()); changed(); });

  function drawPeriod() {
    const s = $("cb-period-field");
    const dates = fields.filter((f) => f.buckets && !f.key.includes("."));
    s.replaceChildren(el("option", {value: "", textContent: W.cb_no_sort}),
      ...dates.map((f) => el("option", {value: f.key, textContent: f.label})));
    s.value = widget.period ? widget.period.field : "";
    $("cb-period-bucket").value = widget.period ? widget.period.bucket || "month" : "month";
    $("cb-period-bucket").disabled = !widget.period;
    for (const box of document.querySelectorAll("[data-compare]")) {
      box.checked = (widget.compare || []).includes(box.dataset.compare);
      box.disabled = !widget.period;  // 环比 / 同比 compare the period: none without one
    }
  }

  /* The checked comparisons, in the order of the boxes; none without a period. */
  function writeCompare() {
    const checked = [...document.querySelectorAll("[data-compare]")].filter((b) => b.checked).map((b) => b.dataset.compare);
    if (checked.length && widget.period) widget.compare = checked; else delete widget.compare;
    changed();
  }

  function writePeriod() {
    const field = $("cb-period-field").value;
    if (!field) { delete widget.period; delete widget.compare; changed(); return; }
    const bucket = $("cb-period-bucket").value;
    widget.period = Object.assign({}, widget.period, {field}, bucket !== "month" || (widget.period && widget.period.bucket) ? {bucket} : {});
    changed();
  }

  $("cb-period-field").addEventListener("change", writePeriod);
  $("cb-period-bucket").addEventListener("change", writePeriod);
  for (const box of document.querySelectorAll("[data-compare]")) box.addEventListener("change", writeCompare);

  $("cb-add-calculated").addEventListener("click", () => {
    widget.measures = widget.measures || [];
    const taken = new Set(widget.measures.map((m, i) => columnKey(m, i)));
    let n = 1;
    while (taken.has(`calc_${n}`)) n += 1;
    widget.measures.push({key: `calc_${n}`, label: W.cb_calculated, expr: ""});
    changed();
    const inputs = document.querySelectorAll("#cb-measures .cb-calc-expr");
    if (inputs.length) inputs[inputs.length - 1].focus();
  });

  /* --- errors on their slots --- */

  function showSlotError(slot, message) {
    const box = document.querySelector(`.cb-error[data-error-for="${slot}"]`);
    if (box) box.textContent = message;
  }

  function clearSlotErrors() {
    document.querySelectorAll(".cb-error").forEach((b) => { b.textContent = ""; });
    document.querySelectorAll(".cb-chip[aria-invalid]").forEach((c) => c.removeAttribute("aria-invalid"));
    $("cb-error").textContent = "";
  }

  /* `widget.measures[1].field` or `reports[0].widgets[2].dimensions[0].bucket` → the slot and chip it names. */
  function place(path, message) {
    const m = String(path || "").replace(/^(reports\[\d+\]\.widgets\[\d+\]|widget)\.?/, "").match(/^([a-z_]+)(?:\[(\d+)\])?/);
    const part = m ? m[1] : "";
    const slot = part === "dimensions" ? extra.slotOf(m[2]) : {steps: "steps", measures: "measures", measure: "measures", filter: "filter", sort: "sort", limit: "limit",
                  period: "period", compare: "compare", target: "target", type: "type", stages: "stages", others: "limit",
                  subtotals: "subtotals", totals: "subtotals"}[part];
    if (!slot) return false;
    const box = document.querySelector(`.cb-error[data-error-for="${slot}"]`);
    box.textContent = (box.textContent ? box.textContent + "；" : "") + message;
    if (m[2] !== undefined) {
      const target = document.querySelector(`#cb-${slot} .cb-chip[data-index="${m[2]}"]`);
      if (target) target.setAttribute("aria-invalid", "true");
    }
    return true;
  }

  function refused(error, fallback) {
    const err = (error && error.error) || {message: fallback};
    let placed = 0;
    for (const d of err.details || []) if (place(d.path, d.message)) placed += 1;
    if (!placed && err.field && place(String(err.field).split(" / ").pop(), err.message)) placed += 1;
    if (!placed) (fallback === "save" ? document.querySelector('[data-error-for="save"]') : $("cb-error")).textContent = err.message;
  }

  /* --- preview --- */

  async function preview() {
    const box = $("cb-preview");
    const ticket = ++asked;
    clearSlotErrors();
    if (!(widget.measures || []).length || (widget.measures || []).some((m) => m.expr === "")) {
      box.replaceChildren(el("p", {className: "muted", textContent: W.cb_empty_preview}));
      box.dataset.state = "empty";
      return;
    }
    box.dataset.state = "loading";
    box.setAttribute("aria-busy", "true");
    const r = await window.tangram.api("POST", `${api}/query?draft=true`, Object.assign(definition(), {key: "preview"}));
    if (ticket !== asked) return; // a newer preview is on its way
    box.removeAttribute("aria-busy");
    box.replaceChildren();
    if (!r.ok) {
      box.dataset.state = "error";
      refused(r.data, `${W.error} ${r.status}`);
      return;
    }
    const result = r.data.widgets[0];
    result.name = widget.name || "";
    window.tangramWidgets.draw(box, result, {words: W, lang, stack: !!widget.stack}, null);
    box.dataset.state = "ok";
  }

  /* --- drag and drop --- */

  function droppable(list, slot) {
    window.Sortable.create(list, {group: {name: "cb", put: true, pull: false}, animation: 0, forceFallback: true,
      filter: "input, select, button",
      preventOnFilter: false,
      onAdd: (e) => { const key = e.item.dataset.key; e.item.remove(); addTo(slot, key, e.newIndex); },
      onUpdate: (e) => { if (slot === "dimensions" || slot === "measures") move(slot, e.oldIndex, e.newIndex); }});
  }

  /* --- save and publish --- */

  function drawReports() {
    const s = $("cb-report");
    s.replaceChildren(...data.reports.map((r) => el("option", {value: r.key, textContent: r.name})),
      el("option", {value: "", textContent: W.cb_new_report}));
    s.value = data.report && data.reports.some((r) => r.key === data.report) ? data.report : (data.reports.length ? data.reports[0].key : "");
    if (data.widget) s.disabled = true;
    $("cb-new-report").hidden = s.value !== "";
  }

  $("cb-report").addEventListener("change", () => { $("cb-new-report").hidden = $("cb-report").value !== ""; });

  $("cb-save-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    clearSlotErrors();
    document.querySelector('[data-error-for="save"]').textContent = "";
    const key = $("cb-key").value.trim();
    const report = $("cb-report").value || $("cb-report-key").value.trim();
    const params = $("cb-report").value ? "" : `?report_name=${encodeURIComponent($("cb-report-name").value.trim())}`;
    const body = Object.assign(definition(), {key});
    const r = await window.tangram.api("PUT", `${api}/draft/reports/${encodeURIComponent(report)}/widgets/${encodeURIComponent(key)}${params}`, body);
    if (!r.ok) { refused(r.data, "save"); return; }
    data.report = report;
    if (!data.reports.some((x) => x.key === report)) data.reports.push({key: report, name: $("cb-report-name").value.trim()});
    drawReports();
    $("cb-report").value = report;
    $("cb-report").disabled = true;
    $("cb-key").readOnly = true;
    $("cb-publish").disabled = false;
    window.tangram.toast(W.cb_saved, "info");
  });

  $("cb-publish").addEventListener("click", async () => {
    const r = await window.tangram.api("POST", `${api}/publish`, {});
    if (!r.ok) { refused(r.data, "save"); return; }
    window.tangram.toast(W.published.replace("{v}", r.data.version ?? ""), "info");
    $("cb-open").href = `/apps/${data.app}/dashboards/${encodeURIComponent(data.report)}`;
    $("cb-open").hidden = false;
  });

  /* --- start --- */

  async function start() {
    const form = $("cb-form");
    form.replaceChildren(...data.forms.map((f) => el("option", {value: f.key, textContent: f.name})));
    form.value = widget.form;
    form.disabled = !!data.widget;
    form.addEventListener("change", async () => {
      widget = {type: widget.type, form: form.value, name: widget.name, dimensions: [], measures: []};
      aside = {dimensions: [], measures: []};
      if (!widget.name) delete widget.name;
      await loadFields();
      changed();
    });
    if (data.widget) $("cb-key").value = data.widget.key;
    else $("cb-key").value = `chart_${Date.now().toString(36)}`;
    $("cb-report-key").value = `board_${Date.now().toString(36)}`;
    const r = await window.tangram.api("GET", `${api}/widget-types`);
    types = r.ok ? r.data.items : [];
    drawTypes();
    drawReports();
    droppable($("cb-dimensions"), "dimensions");
    droppable($("cb-measures"), "measures");
    droppable($("cb-filter-drop"), "filter");
    droppable($("cb-sort-drop"), "sort");
    droppable($("cb-rows"), "rows");
    droppable($("cb-columns"), "columns");
    await loadFields();
    changed();
    document.body.dataset.chartBuilder = "ready";
  }

  start();
})();
