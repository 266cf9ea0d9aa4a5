/* The condition picker: rows of field / operator / value joined by 且 (AND) or 或 (OR), written as
   expression-language text into an input that stays the one source of truth; an expert box (that input
   itself) for anything else. Reusable by any builder: it knows nothing of flows.

   Usage: const picker = window.tangram.conditionPicker(input, {fields, checkUrl, words});
     fields: [{key, label, type, options?}] of the form; checkUrl: POST {expression} → the engine's verdict
     (…/draft/forms/{form}/check-expression); peopleApp: an app key — a user field's value is then chosen in the
     people picker (people_picker.js, load it first) from that app's directory; words: the UI words (default: the JSON of
     #condition-picker-words, rendered by templates/builder/_condition_picker.html).
     picker.load(text) shows `text` (also: dispatch "condition:load" on the input after setting its value);
     picker.addRow(key) adds a row on that field (false when the field takes no condition or the expert box is open).
   Text the picker wrote is read back into rows (round trip); any other text opens the expert box and is
   kept exactly as typed. The engine checks the text as it changes; its error shows under the picker.
   DOM contract: .condition-picker[data-mode="rows"|"expert"] after the input, .cp-row (select.cp-field,
   select.cp-op, .cp-value inputs), select.cp-join, button.cp-add, button.cp-mode, .cp-error[role=alert].
   Dates are written DATE(y, m, d); relative ones with TODAY(): 今天 DATEDIF(f, TODAY(), "D") = 0, 本月
   YEAR/MONTH = those of TODAY(), 近 N 天 0 ≤ DATEDIF(f, TODAY(), "D") < N; 上月, 本季度, 上季度, 本年 with
   INPERIOD(f, "Q", 0). Date and datetime fields' 早于 / 晚于 / 介于 / 等于 a fixed or relative day (今天,
   N 天前, N 天后) are condition_dates.js's (load it first). A field may be one of a related form's
   (`customer.region`). */
"use strict";

(function () {
  const dates = window.tangram.conditionDates;
  const TEXT = ["text", "textarea", "phone", "email", "url", "department", "auto_number"];
  const NUMBER = ["number", "money", "percent"];
  const CMP = ["=", "!=", ">", ">=", "<", "<="];
  const BLANK = ["blank", "not_blank"];
  const PERIODS = {last_month: ["M", -1], this_quarter: ["Q", 0], last_quarter: ["Q", -1], this_year: ["Y", 0]};

  /* The type the expression language gives the field: `kind` as the server says it (the engine's scope:
     number, text, bool, date, datetime, list[…]; absent when expressions cannot use the field), else
     guessed from the field type for callers that do not send it. */
  function kindOf(field) {
    if (!field) return null;
    if ("kind" in field) return field.kind;
    if (NUMBER.includes(field.type)) return "number";
    if (["date", "datetime"].includes(field.type)) return field.type;
    if (field.type === "boolean") return "bool";
    if (TEXT.includes(field.type) || ["select", "user"].includes(field.type)) return "text";
    return null;
  }

  /* The operators a field offers: those the engine accepts for its kind, the value widgets its type's. */
  function operatorsOf(field) {
    const kind = kindOf(field);
    if (kind === "number") return [...CMP, "between", ...BLANK];
    if (kind === "date" || kind === "datetime") {  // the periods (上月 …) follow 本月
      const ops = [...dates.OPERATORS];
      ops.splice(ops.indexOf("this_month") + 1, 0, ...Object.keys(PERIODS));
      return ops;
    }
    if (kind === "bool") return ["is_true", "is_false"];
    if (kind !== "text") return []; // lists and fields expressions cannot read: not offered
    if (field.type === "select") return ["=", "!=", "in", "not_in", ...BLANK];
    if (field.type === "user") return ["=", "!=", "me", ...BLANK];
    return ["=", "!=", "contains", "not_contains", ...BLANK];
  }

  const quote = (s) => `"${String(s).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`;
  const unquote = (s) => s.slice(1, -1).replace(/\\(.)/g, (_, c) => ({n: "\n", t: "\t"}[c] || c));

  function literal(field, value) {
    const t = kindOf(field);
    if (t === "number") return /^-?\d+(\.\d+)?$/.test(String(value).trim()) ? String(value).trim() : null;
    return value === "" || value === undefined ? null : quote(value);
  }

  /* One row as text, or null while it is incomplete. */
  function rowText(row, fields) {
    const field = fields.find((f) => f.key === row.field);
    if (!field) return null;
    const k = field.key;
    const v = (x) => literal(field, x);
    const kind = kindOf(field);
    const dated = kind === "date" || kind === "datetime" ? dates.rowText(row, field, kind) : undefined;
    if (dated !== undefined) return dated;
    switch (row.op) {
      case "blank": return `ISBLANK(${k})`;
      case "not_blank": return `NOT ISBLANK(${k})`;
      case "is_true": return `${k} = TRUE`;
      case "is_false": return `${k} = FALSE`;
      case "me": return `${k} = CURRENT_USER()`;
      case "today": return `DATEDIF(${k}, TODAY(), "D") = 0`;
      case "this_month": return `(YEAR(${k}) = YEAR(TODAY()) AND MONTH(${k}) = MONTH(TODAY()))`;
      case "last_month": case "this_quarter": case "last_quarter": case "this_year":
        return `INPERIOD(${k}, "${PERIODS[row.op][0]}", ${PERIODS[row.op][1]})`;
      case "last_days": return /^\d+$/.test(String(row.value)) && Number(row.value) > 0
        ? `(DATEDIF(${k}, TODAY(), "D") >= 0 AND DATEDIF(${k}, TODAY(), "D") < ${Number(row.value)})` : null;
      case "contains": return v(row.value) && `CONTAINS(${k}, ${v(row.value)})`;
      case "not_contains": return v(row.value) && `NOT CONTAINS(${k}, ${v(row.value)})`;
      case "in": case "not_in": {
        const values = [].concat(row.value || []);
        return values.length ? `${k} ${row.op === "in" ? "IN" : "NOT IN"} [${values.map(quote).join(", ")}]` : null;
      }
      case "between": return v(row.value) && v(row.value2) ? `(${k} >= ${v(row.value)} AND ${k} <= ${v(row.value2)})` : null;
      default: return CMP.includes(row.op) && v(row.value) ? `${k} ${row.op} ${v(row.value)}` : null;
    }
  }

  function write(rows, join, fields) {
    return rows.map((r) => rowText(r, fields)).filter(Boolean).join(join === "OR" ? " OR " : " AND ");
  }

  /* Tokens of the expression language, spaces dropped and keywords upper-cased; null when it does not lex. */
  function tokens(text) {
    const re = /\s*("(?:[^"\\]|\\.)*"|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?|<>|!=|<=|>=|[=<>()[\],&+\-*/])\s*/y;
    const out = [];
    let at = 0;
    text = text.trim();
    while (at < text.length) {
      re.lastIndex = at;
      const m = re.exec(text);
      if (!m) return null;
      let t = m[1];
      if (/^(and|or|not|in|true|false|null)$/i.test(t)) t = t.toUpperCase();
      if (t === "<>") t = "!=";
      const prev = out[out.length - 1];
      if (/^\d/.test(t) && prev === "-" && (out.length === 1 || /^(=|!=|<|>|<=|>=|\(|\[|,|AND|OR|NOT|IN)$/.test(out[out.length - 2]))) {
        out[out.length - 1] = `-${t}`; // a negative number, as the picker writes it
      } else out.push(t);
      at = re.lastIndex;
    }
    return out;
  }

  const S = String.raw`("(?:[^"\\]|\\.)*")`;
  const N = String.raw`(-?\d+(?:\.\d+)?)`;
  const D = String.raw`(DATE \( \d+ , \d+ , \d+ \))`;
  const V = `(?:${S}|${N}|${D})`;
  const F = String.raw`([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)`;
  const T = String.raw`DATEDIF \( \1 , TODAY \( \) , "D" \)`;
  const PATTERNS = [
    [`^ISBLANK \\( ${F} \\)$`, (m) => ({field: m[1], op: "blank"})],
    [`^NOT ISBLANK \\( ${F} \\)$`, (m) => ({field: m[1], op: "not_blank"})],
    [`^${F} = TRUE$`, (m) => ({field: m[1], op: "is_true"})],
    [`^${F} = FALSE$`, (m) => ({field: m[1], op: "is_false"})],
    [`^${F} = CURRENT_USER \\( \\)$`, (m) => ({field: m[1], op: "me"})],
    [`^DATEDIF \\( ${F} , TODAY \\( \\) , "D" \\) = 0$`, (m) => ({field: m[1], op: "today"})],
    [`^\\( YEAR \\( ${F} \\) = YEAR \\( TODAY \\( \\) \\) AND MONTH \\( \\1 \\) = MONTH \\( TODAY \\( \\) \\) \\)$`,
      (m) => ({field: m[1], op: "this_month"})],
    [`^INPERIOD \\( ${F} , "([DWMQY])" , (-?\\d+) \\)$`, (m) => ({field: m[1],
      op: Object.keys(PERIODS).find((op) => PERIODS[op][0] === m[2] && String(PERIODS[op][1]) === m[3]) || "?"})],
    [`^\\( DATEDIF \\( ${F} , TODAY \\( \\) , "D" \\) >= 0 AND ${T} < (\\d+) \\)$`,
      (m) => ({field: m[1], op: "last_days", value: m[2]})],
    [`^CONTAINS \\( ${F} , ${S} \\)$`, (m) => ({field: m[1], op: "contains", value: unquote(m[2])})],
    [`^NOT CONTAINS \\( ${F} , ${S} \\)$`, (m) => ({field: m[1], op: "not_contains", value: unquote(m[2])})],
    [`^${F} (IN|NOT IN) \\[ (${S.slice(1, -1)}(?: , ${S.slice(1, -1)})*) \\]$`, (m) => ({field: m[1],
      op: m[2] === "IN" ? "in" : "not_in", value: m[3].match(new RegExp(S, "g")).map(unquote)})],
    [`^\\( ${F} >= ${V} AND \\1 <= ${V} \\)$`, (m) => ({field: m[1], op: "between", value: value(m[2], m[3], m[4]),
      value2: value(m[5], m[6], m[7])})],
    [`^${F} (=|!=|>=|<=|>|<) ${V}$`, (m) => ({field: m[1], op: m[2], value: value(m[3], m[4], m[5])})],
  ].map(([p, make]) => [new RegExp(p), make]);

  function value(str, num, date) {
    if (str !== undefined) return unquote(str);
    if (num !== undefined) return num;
    const [y, m, d] = date.match(/\d+/g).map(Number);
    return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  }

  /* {rows, join} for text the picker could have written, or null (the expert box keeps it). */
  function read(text, fields) {
    if (!text.trim()) return {rows: [], join: "AND"};
    const toks = tokens(text);
    if (!toks) return null;
    const parts = [[]];
    const joins = new Set();
    let depth = 0;
    toks.forEach((t) => {
      if (t === "(" || t === "[") depth += 1;
      if (t === ")" || t === "]") depth -= 1;
      if (depth === 0 && (t === "AND" || t === "OR")) { joins.add(t); parts.push([]); } else parts[parts.length - 1].push(t);
    });
    if (joins.size > 1) return null; // AND mixed with OR needs brackets the rows cannot show
    const rows = [];
    for (const part of parts) {
      const canon = part.join(" ");
      const hit = PATTERNS.map(([re, make]) => [canon.match(re), make]).find(([m]) => m);
      const row = hit ? hit[1](hit[0]) : dates.read(part);
      if (!row) return null;
      const field = fields.find((f) => f.key === row.field);
      if (!field || !operatorsOf(field).includes(row.op)) return null;
      rows.push(row);
    }
    const join = joins.has("OR") ? "OR" : "AND";
    const again = tokens(write(rows, join, fields));
    return again && again.join(" ") === toks.join(" ") ? {rows, join} : null; // only exact round trips
  }

  const el = (tag, attrs, text) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  };

  function conditionPicker(input, options) {
    const fields = options.fields || [];
    const holder = document.getElementById("condition-picker-words");
    const words = options.words || (holder ? JSON.parse(holder.textContent) : {});
    const w = (k) => words[k] || k;
    const box = el("div", {class: "condition-picker", "data-mode": "rows"});
    const list = el("div", {class: "cp-rows"});
    const join = el("select", {class: "cp-join", "aria-label": w("join")});
    [["AND", w("and")], ["OR", w("or")]].forEach(([v, t]) => join.append(el("option", {value: v}, t)));
    const add = el("button", {type: "button", class: "cp-add"}, w("add"));
    const mode = el("button", {type: "button", class: "cp-mode"}, w("expert"));
    const note = el("p", {class: "cp-note"});
    const error = el("p", {class: "cp-error error", role: "alert"});
    const tools = el("div", {class: "cp-tools"});
    tools.append(join, add, mode);
    box.append(list, tools, note);
    input.after(box);
    box.after(error);
    let rows = [];
    let timer = null;

    function rowView(row) {
      const line = el("div", {class: "cp-row"});
      const fieldSel = el("select", {class: "cp-field", "aria-label": w("field")});
      fieldSel.append(el("option", {value: ""}, "—"));
      fields.filter((f) => operatorsOf(f).length).forEach((f) => fieldSel.append(el("option", {value: f.key}, f.label || f.key)));
      fieldSel.value = row.field || "";
      const field = fields.find((f) => f.key === row.field);
      const opSel = el("select", {class: "cp-op", "aria-label": w("operator")});
      const ops = field ? operatorsOf(field) : BLANK;
      const dated = ["date", "datetime"].includes(kindOf(field));  // 早于 / 晚于 for dates, < / > for numbers
      ops.forEach((op) => opSel.append(el("option", {value: op}, dated && words[`op_date_${op}`] || w(`op_${op}`))));
      if (!ops.includes(row.op)) row.op = ops[0];
      opSel.value = row.op;
      const values = el("span", {class: "cp-value"});
      valueWidgets(field, row).forEach((n) => values.append(n));
      const drop = el("button", {type: "button", class: "cp-remove", "aria-label": w("remove")}, "×");
      fieldSel.addEventListener("change", () => {
        row.field = fieldSel.value; row.value = ""; row.value2 = "";
        row.op = operatorsOf(fields.find((f) => f.key === row.field))[0]; // the new type's first: = for most
        draw(); changed();
      });
      opSel.addEventListener("change", () => { row.op = opSel.value; if (row.op === "in" || row.op === "not_in") row.value = []; draw(); changed(); });
      drop.addEventListener("click", () => { rows.splice(rows.indexOf(row), 1); draw(); changed(); });
      line.append(fieldSel, opSel, values, drop);
      return line;
    }

    function valueWidgets(field, row) {
      if (!field || ["blank", "not_blank", "is_true", "is_false", "me", "today", "this_month", ...Object.keys(PERIODS)]
        .includes(row.op)) return [];
      const input1 = (key, extra) => {
        const attrs = {class: "cp-input", "aria-label": w("value"), ...extra};
        if (kindOf(field) === "number" || row.op === "last_days") attrs.type = "number";  // dates: condition_dates.js
        const box = el("input", attrs);
        box.value = row[key] || "";
        box.addEventListener("input", () => { row[key] = box.value; changed(); });
        return box;
      };
      if (row.op === "last_days") return [input1("value", {min: "1"}), el("span", {}, w("days"))];
      if (["date", "datetime"].includes(kindOf(field))) {
        const redrawn = (again) => { if (again) draw(); changed(); };
        const one = (key) => dates.widgets(row, key, w, redrawn);
        return row.op === "between" ? [...one("value"), el("span", {}, w("to")), ...one("value2")] : one("value");
      }
      if (field.type === "select" && (row.op === "in" || row.op === "not_in")) {
        const multi = el("select", {class: "cp-input", multiple: "", "aria-label": w("value")});
        (field.options || []).forEach((o) => {
          const opt = el("option", {value: o.value}, o.label || o.value);
          opt.selected = [].concat(row.value || []).includes(o.value);
          multi.append(opt);
        });
        multi.addEventListener("change", () => { row.value = [...multi.selectedOptions].map((o) => o.value); changed(); });
        return [multi];
      }
      if (field.type === "select") {
        const one = el("select", {class: "cp-input", "aria-label": w("value")});
        one.append(el("option", {value: ""}, "—"));
        (field.options || []).forEach((o) => one.append(el("option", {value: o.value}, o.label || o.value)));
        one.value = row.value || "";
        one.addEventListener("change", () => { row.value = one.value; changed(); });
        return [one];
      }
      if (field.type === "user" && options.peopleApp && window.tangram.peoplePicker) {
        // one person, searched as you type in the app's directory (the plain input if it refuses)
        const one = input1("value");
        const holder = el("span", {class: "cp-person"});
        holder.append(one);
        window.tangram.peoplePicker.enhance(one, {app: options.peopleApp, multiple: false, label: w("value")});
        return [holder];
      }
      if (row.op === "between") return [input1("value"), el("span", {}, w("to")), input1("value2")];
      return [input1("value")];
    }

    function draw() {
      list.innerHTML = "";
      rows.forEach((row) => list.append(rowView(row)));
      join.hidden = rows.length < 2;
    }

    function setMode(expert) {
      box.dataset.mode = expert ? "expert" : "rows";
      input.hidden = !expert;
      list.hidden = expert; add.hidden = expert; join.hidden = expert || rows.length < 2;
      mode.textContent = expert ? w("rows") : w("expert");
    }

    /* The rows changed: write their text into the input and let the engine check it. */
    function changed() {
      input.value = write(rows, join.value, fields);
      input.dispatchEvent(new Event("input", {bubbles: true}));
    }

    async function checkNow() {
      const text = input.value.trim();
      error.textContent = "";
      if (!text || !options.checkUrl) return;
      const r = await window.tangram.api("POST", options.checkUrl, {expression: text});
      if (input.value.trim() !== text) return; // typed on meanwhile
      if (!r.ok) error.textContent = (r.data && r.data.error && r.data.error.message) || String(r.status);
    }

    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(checkNow, 250); });
    join.addEventListener("change", changed);
    add.addEventListener("click", () => { rows.push({field: "", op: "=", value: ""}); draw(); });
    mode.addEventListener("click", () => {
      if (box.dataset.mode === "rows") { setMode(true); input.focus(); return; }
      const parsed = read(input.value, fields);
      if (!parsed) { note.textContent = w("cannot_show"); return; }
      load(input.value);
    });

    function load(text) {
      if (text !== undefined) input.value = text;
      const parsed = read(input.value, fields);
      note.textContent = parsed ? "" : w("cannot_show");
      rows = parsed ? parsed.rows : [];
      join.value = parsed ? parsed.join : "AND";
      draw();
      setMode(!parsed);
      clearTimeout(timer);
      error.textContent = "";
      checkNow();
    }

    input.addEventListener("condition:load", () => load());
    load();
    /* A new row on `key` (the chart builder's 筛选 slot: a field dropped or added there). */
    function addRow(key) {
      const field = fields.find((f) => f.key === key);
      if (!field || !operatorsOf(field).length) return false;
      if (box.dataset.mode === "expert") return false;
      rows.push({field: key, op: operatorsOf(field)[0], value: ""});
      draw();
      return true;
    }

    return {load, addRow, read: (text) => read(text, fields), element: box, showError: (m) => { error.textContent = m; }};
  }

  window.tangram = Object.assign(window.tangram || {}, {conditionPicker, conditionText: write, readCondition: read,
                                                        conditionOperators: operatorsOf});
})();
