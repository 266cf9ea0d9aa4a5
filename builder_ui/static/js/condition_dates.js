/* Date and datetime conditions for the condition picker (condition_picker.js): 早于 / 晚于 / 介于 / 等于 a
   date that is either fixed (a date input) or relative to today (今天, N 天前, N 天后), written in the
   expression language's own date functions so that the engine evaluates exactly what the row says.

   A row's date value is text: "2026-03-01" (fixed), "@0" (今天), "@-7" (7 天前), "@+7" (7 天后).
   Written as (all compile to SQL on every database, so schedule triggers can use them too):
     date field, fixed:        due_on < DATE(2026, 3, 1)
     datetime field, fixed:    DATEDIF(seen_at, DATE(2026, 3, 1), "D") > 0     (the day of seen_at is before)
     今天 / N 天前:             DATEDIF(due_on, TODAY(), "D") > 7                (due_on is before 7 days ago)
     N 天后:                    DATEDIF(TODAY(), due_on, "D") < 7                (due_on is before 7 days on)
   DATEDIF(a, b, "D") = b − a in whole days (docs/expressions.md), so `field op day` becomes
   `DATEDIF(field, day) op' 0` with op' the mirror of op; datetimes count by their day in the app's zone.
   DOM contract: in a .cp-value, select.cp-date-mode (date|today|ago|later), then input.cp-input (a date
   input, or a number of days with .cp-days). */
"use strict";

(function () {
  const COMPARE = ["<", ">", "=", "!=", "<=", ">="];
  const MIRROR = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="};
  const DATE_ARGS = String.raw`DATE \( (\d+) , (\d+) , (\d+) \)`;
  const F = String.raw`([a-z_][a-z0-9_]*)`;
  const OP = "(=|!=|>=|<=|>|<)";

  /* The date kinds' operators: 早于 and 晚于 first, as users ask for them most. */
  const OPERATORS = ["<", ">", "between", "=", "!=", "<=", ">=", "today", "this_month", "last_days", "blank", "not_blank"];

  function parse(value) {
    const v = String(value || "");
    const rel = v.match(/^@([+-]?)(.*)$/);
    if (!rel) return {mode: "date", date: v, days: ""};
    if (v === "@0") return {mode: "today", date: "", days: ""};
    return {mode: rel[1] === "+" ? "later" : "ago", date: "", days: rel[2]};
  }

  const dateLiteral = (text) => {
    const m = String(text).match(/^(\d{4})-(\d{2})-(\d{2})$/);
    return m ? `DATE(${Number(m[1])}, ${Number(m[2])}, ${Number(m[3])})` : null;
  };

  /* `field op value` as text, or null while the value is incomplete. */
  function compare(key, kind, op, value) {
    const v = parse(value);
    if (v.mode === "date") {
      const day = dateLiteral(v.date);
      if (!day) return null;
      return kind === "date" ? `${key} ${op} ${day}` : `DATEDIF(${key}, ${day}, "D") ${MIRROR[op]} 0`;
    }
    if (v.mode === "today") return `DATEDIF(${key}, TODAY(), "D") ${MIRROR[op]} 0`;
    if (!/^\d+$/.test(v.days) || Number(v.days) < 1) return null;
    return v.mode === "ago" ? `DATEDIF(${key}, TODAY(), "D") ${MIRROR[op]} ${Number(v.days)}`
      : `DATEDIF(TODAY(), ${key}, "D") ${op} ${Number(v.days)}`;
  }

  /* A row's text for a date operator this file writes, or undefined for the others (today, blank, …). */
  function rowText(row, field, kind) {
    if (COMPARE.includes(row.op)) return compare(field.key, kind, row.op, row.value);
    if (row.op !== "between") return undefined;
    const low = compare(field.key, kind, ">=", row.value);
    const high = compare(field.key, kind, "<=", row.value2);
    return low && high ? `(${low} AND ${high})` : null;
  }

  const pad = (n) => String(n).padStart(2, "0");
  const UNITS = [
    [new RegExp(`^DATEDIF \\( ${F} , ${DATE_ARGS} , "D" \\) ${OP} 0$`),
      (m) => ({field: m[1], op: MIRROR[m[5]], value: `${m[2]}-${pad(m[3])}-${pad(m[4])}`})],
    [new RegExp(`^DATEDIF \\( ${F} , TODAY \\( \\) , "D" \\) ${OP} (\\d+)$`),
      (m) => ({field: m[1], op: MIRROR[m[2]], value: Number(m[3]) === 0 ? "@0" : `@-${Number(m[3])}`})],
    [new RegExp(`^DATEDIF \\( TODAY \\( \\) , ${F} , "D" \\) ${OP} (\\d+)$`),
      (m) => ({field: m[1], op: m[2], value: `@+${Number(m[3])}`})],
    [new RegExp(`^${F} ${OP} ${DATE_ARGS}$`),
      (m) => ({field: m[1], op: m[2], value: `${m[3]}-${pad(m[4])}-${pad(m[5])}`})],
  ];

  function unit(tokens) {
    const canon = tokens.join(" ");
    for (const [re, make] of UNITS) {
      const m = canon.match(re);
      if (m) return make(m);
    }
    return null;
  }

  /* A row from tokens this file could have written (one comparison, or 介于 as two in brackets), or null.
     The picker still checks that writing the row again gives the same text. */
  function read(tokens) {
    const one = unit(tokens);
    if (one) return one;
    if (tokens[0] !== "(" || tokens[tokens.length - 1] !== ")") return null;
    const inner = tokens.slice(1, -1);
    let depth = 0;
    const cut = inner.findIndex((t) => {
      if (t === "(") depth += 1;
      if (t === ")") depth -= 1;
      return depth === 0 && t === "AND";
    });
    if (cut < 0) return null;
    const low = unit(inner.slice(0, cut));
    const high = unit(inner.slice(cut + 1));
    if (!low || !high || low.field !== high.field || low.op !== ">=" || high.op !== "<=") return null;
    return {field: low.field, op: "between", value: low.value, value2: high.value};
  }

  /* The value widgets of one date value (row[key]): how it is given, then a date or a number of days. */
  function widgets(row, key, w, changed) {
    const el = (tag, attrs) => Object.assign(document.createElement(tag), attrs);
    const mode = el("select", {className: "cp-date-mode"});
    mode.setAttribute("aria-label", w("date_mode"));
    [["date", w("date_fixed")], ["today", w("today")], ["ago", w("days_ago")], ["later", w("days_later")]]
      .forEach(([value, text]) => mode.append(el("option", {value, textContent: text})));
    const v = parse(row[key]);
    mode.value = v.mode;
    const nodes = [mode];
    if (v.mode === "date" || v.mode === "ago" || v.mode === "later") {
      const input = el("input", {className: v.mode === "date" ? "cp-input" : "cp-input cp-days",
                                 type: v.mode === "date" ? "date" : "number"});
      input.setAttribute("aria-label", v.mode === "date" ? w("value") : w("days"));
      if (v.mode !== "date") input.min = "1";
      input.value = v.mode === "date" ? v.date : v.days;
      input.addEventListener("input", () => {
        row[key] = v.mode === "date" ? input.value : `@${v.mode === "later" ? "+" : "-"}${input.value}`;
        changed(false);
      });
      nodes.push(input);
    }
    mode.addEventListener("change", () => {
      row[key] = {date: "", today: "@0", ago: "@-1", later: "@+1"}[mode.value];
      changed(true);
    });
    return nodes;
  }

  window.tangram = Object.assign(window.tangram || {}, {conditionDates: {OPERATORS, rowText, read, widgets}});
})();
