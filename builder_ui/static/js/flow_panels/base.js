/* The flow designer's step panels: a registry by step kind (the step's type, or its action) and the pickers
   the panels share. flow_designer.js only looks a panel up: `flowPanels.get(kind)` gives
   render(box, step, ctx), which fills `box` and returns read() → changes; `changes` names only the options the panel
   shows (`null` removes one), so whatever else the step holds stays as it is and stays editable in the
   JSON expert editor. ctx = {choices, app, pointing}: choices come from GET …/draft/flows/{flow}/choices
   (users, departments, roles, forms with fields, the flow's form first); named users are chosen in the
   app's people directory with the people picker (static/js/people_picker.js); pointing: the single relations
   of any form to the flow's form, with that form's condition fields (the designer page's data).
   DOM contract: every input of a panel sits in a [data-option="<path in the step>"] wrapper with a
   p.error[data-option-error] where the engine's refusals at that path (or below it) are shown. */
"use strict";

(function () {
  const panels = {};
  const en = () => document.body.dataset.lang === "en";
  const w = (zh, english) => (en() ? english : zh);
  let uid = 0;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    });
    children.flat().forEach((c) => { if (c !== null && c !== undefined) node.append(c); });
    return node;
  }

  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const copy = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

  /* A labelled input at an option path: the wrapper carries the path, the label points at the input. */
  function labelled(option, label, input, help) {
    const id = `fp-${++uid}`;
    input.id = id;
    const box = el("div", {class: "panel-option", "data-option": option});
    box.append(el("label", {for: id, text: label}), input);
    if (help) box.append(el("p", {class: "help", text: help}));
    box.append(el("p", {class: "error", "data-option-error": option, role: "alert"}));
    return box;
  }

  function checkbox(option, label, checked) {
    const id = `fp-${++uid}`;
    const input = el("input", {type: "checkbox", id, checked: Boolean(checked)});
    const box = el("div", {class: "panel-option check", "data-option": option});
    box.append(el("label", {for: id}, input, ` ${label}`),
               el("p", {class: "error", "data-option-error": option, role: "alert"}));
    return {box, input};
  }

  function select(options, value, {blank} = {}) {
    const input = el("select");
    if (blank !== undefined) input.append(el("option", {value: "", text: blank}));
    options.forEach(([v, text]) => input.append(el("option", {value: v, text})));
    if (value !== undefined && value !== null && ![...input.options].some((o) => o.value === String(value))) {
      input.append(el("option", {value: String(value), text: String(value)}));  // kept, even if unknown now
    }
    input.value = value === undefined || value === null ? "" : String(value);
    return input;
  }

  const fieldsOf = (ctx, form) => ((form ? ctx.choices.forms.find((f) => f.key === form)
                                         : ctx.choices.forms[0]) || {fields: []}).fields;
  const fieldChoices = (fields, types) => fields.filter((f) => !types || types.includes(f.type))
    .map((f) => [f.key, `${f.label}（${f.key}）`]);

  /* Named users: chips chosen in the app's people directory (search as you type; people_picker.js). The
     chosen usernames live in a hidden input, comma-separated; without the picker, that input is typed in
     and a menu of the directory adds one. */
  function usersInput(option, label, users, ctx, pickLabel) {
    const input = el("input", {value: (users || []).join(", "), placeholder: "wang, li"});
    const picker = ctx.app && window.tangram.peoplePicker;
    if (picker) {
      const box = labelled(option, label, input);
      picker.enhance(input, {app: ctx.app, multiple: true, label});
      return {box, read: () => splitNames(input.value)};
    }
    const pick = select(ctx.choices.users.map((u) => [u.username, `${u.name}（${u.username}）`]), "",
                        {blank: w("从通讯录添加…", "Add from the directory…")});
    pick.setAttribute("aria-label", pickLabel || w("从通讯录添加", "Add from the directory"));
    pick.addEventListener("change", () => {
      const names = splitNames(input.value);
      if (pick.value && !names.includes(pick.value)) input.value = [...names, pick.value].join(", ");
      pick.value = "";
    });
    const box = labelled(option, label, input);
    box.insertBefore(pick, box.querySelector(".error"));
    return {box, read: () => splitNames(input.value)};
  }
  const splitNames = (text) => text.split(/[,，、\s]+/).filter(Boolean);

  /* Whom (Recipients): named users, roles, the submitter's department head N levels up, a user field,
     the head of the department a department field names (N levels up), the record owner's department head
     (N levels up), the submitter, whom the submitter chooses (发起人自选). Reading keeps any key of the spec the editor does not show. */
  function recipients(option, spec, ctx, labels) {
    spec = spec || {};
    const box = el("fieldset", {class: "plain recipients", "data-option": option});
    box.append(el("legend", {text: labels.legend}),
               el("p", {class: "error", "data-option-error": option, role: "alert"}));
    const users = usersInput(`${option}.users`, labels.users, spec.users, ctx);
    const roles = [].concat(spec.role || []);
    const role = select(ctx.choices.roles.map((r) => [r.key, r.name]), undefined);
    role.multiple = true;
    role.size = Math.min(5, Math.max(2, ctx.choices.roles.length));
    roles.forEach((key) => {
      if (![...role.options].some((o) => o.value === key)) role.append(el("option", {value: key, text: key}));
    });
    [...role.options].forEach((o) => { o.selected = roles.includes(o.value); });
    const levels = [0, 1, 2, 3, 4].map((n) => [String(n), n === 0 ? w("直属部门负责人", "Head of their department")
      : w(`向上 ${n} 级部门负责人`, `${n} level(s) up`)]);
    const headValue = spec.department_head === undefined || spec.department_head === null || spec.department_head === false
      ? "" : String(Number(spec.department_head));
    const head = select(levels, headValue, {blank: "—"});
    const field = select(fieldChoices(fieldsOf(ctx), ["user", "users"]), spec.field, {blank: "—"});
    const submitter = checkbox(`${option}.submitter`, w("发起人本人", "The submitter"), spec.submitter);
    const chosen = checkbox(`${option}.chosen`, w("发起人自选（提交时选择）", "Chosen by the submitter (when submitting)"),
                            spec.chosen);
    const byField = departmentOfRecord(option, spec.department_field, ctx);
    const owners = ownersHead(option, spec.owner_department_head, ctx);
    box.append(users.box, labelled(`${option}.role`, labels.role || w("角色", "Roles"), role,
                                   w("可多选（按住 Ctrl）", "Several with Ctrl")),
               labelled(`${option}.department_head`, w("发起人的部门负责人", "The submitter's department head"), head),
               labelled(`${option}.field`, w("表单中的人员字段", "A user field of the form"), field),
               byField.box, owners.box, submitter.box, chosen.box);
    const read = () => {
      const out = copy(spec);
      const names = users.read();
      const picked = [...role.selectedOptions].map((o) => o.value);
      out.users = names.length ? names : undefined;
      out.role = picked.length === 0 ? undefined
        : picked.length === 1 && !Array.isArray(spec.role) ? picked[0] : picked;
      if (head.value === "") out.department_head = undefined;
      else if (!(spec.department_head === true && head.value === "0")) out.department_head = Number(head.value);
      out.field = field.value || undefined;
      out.department_field = byField.read();
      out.owner_department_head = owners.read();
      out.submitter = submitter.input.checked ? true : undefined;
      out.chosen = chosen.input.checked ? true : undefined;
      return copy(out);
    };
    return {box, read};
  }

  /* The head of the department a department field of the record names, N levels up (department_field:
     "dept" or {"field", "levels_up"}; the short form is kept while it still says the same). */
  function departmentOfRecord(option, value, ctx) {
    const spec = typeof value === "string" ? {field: value} : value || {};
    const field = select(fieldChoices(fieldsOf(ctx), ["department"]), spec.field, {blank: "—"});
    const levels = select([0, 1, 2, 3, 4].map((n) => [String(n), n === 0 ? w("该部门的负责人", "Its head")
      : w(`向上 ${n} 级部门负责人`, `${n} level(s) up`)]), String(spec.levels_up || 0));
    const box = el("div", {class: "department-field", "data-option": `${option}.department_field`},
                   labelled(`${option}.department_field.field`, w("表单中部门字段所指部门", "The department a field of the form names"), field),
                   labelled(`${option}.department_field.levels_up`, w("部门字段的负责人层级", "Head of that department, or above"), levels));
    const read = () => {
      if (!field.value) return undefined;
      const n = Number(levels.value);
      if (typeof value === "string" && field.value === value && n === 0) return value;
      return copy({...spec, field: field.value, levels_up: n === 0 && spec.levels_up === undefined ? undefined : n});
    };
    return {box, read};
  }

  /* The head of the record owner's department, N levels up (owner_department_head: N, or {"levels_up",
     "field"}: a single-user field standing for the owner, such as a lead's 负责人); the short form is kept
     while it still says the same. */
  function ownersHead(option, value, ctx) {
    const spec = value === undefined || value === null ? null
      : typeof value === "object" ? value : {levels_up: value === true ? 0 : Number(value)};
    const levels = select([0, 1, 2, 3, 4].map((n) => [String(n), n === 0 ? w("负责人的直属部门负责人", "Head of their department")
      : w(`向上 ${n} 级部门负责人`, `${n} level(s) up`)]), spec ? String(spec.levels_up || 0) : "", {blank: "—"});
    const field = select(fieldChoices(fieldsOf(ctx), ["user"]), spec && spec.field, {blank: w("记录的所有者", "The record's owner")});
    const box = el("div", {class: "owner-head", "data-option": `${option}.owner_department_head`},
                   labelled(`${option}.owner_department_head.levels_up`, w("记录负责人的部门负责人", "The record owner's department head"), levels),
                   labelled(`${option}.owner_department_head.field`, w("谁算记录负责人", "Who owns the record"), field));
    const read = () => {
      if (levels.value === "") return undefined;
      const n = Number(levels.value);
      if (!field.value && (value === true || typeof value === "number") && (value === true ? 0 : value) === n) return value;
      if (!field.value && typeof value !== "object") return n;
      return copy({...(spec || {}), levels_up: n, field: field.value || undefined});
    };
    return {box, read};
  }

  /* An ISO 8601 duration as a number and a unit; anything richer (P1DT4H) stays as its ISO text. */
  const UNITS = [["PT{n}M", "分钟", "minutes"], ["PT{n}H", "小时", "hours"], ["P{n}D", "天", "days"],
                 ["P{n}W", "周", "weeks"]];
  function duration(option, label, value, help) {
    let amount = "";
    let unit = "P{n}D";
    if (value) {
      const m = String(value).match(/^([-+]?)(P|PT)(\d+)([MHDW])$/);
      const found = m && UNITS.find(([u]) => u === `${m[2]}{n}${m[4]}`);
      if (found) { amount = `${m[1] === "-" ? "-" : ""}${m[3]}`; unit = found[0]; } else { amount = value; unit = "iso"; }
    }
    const number = el("input", {value: amount, inputmode: "numeric"});
    const units = select([...UNITS.map(([u, zh, english]) => [u, w(zh, english)]),
                          ["iso", w("ISO 8601（如 P1DT4H）", "ISO 8601 (P1DT4H)")]], unit);
    units.setAttribute("aria-label", `${label} · ${w("单位", "unit")}`);
    const box = labelled(option, label, number, help);
    box.insertBefore(el("span", {class: "unit"}, units), box.querySelector(".help, .error"));
    const read = () => {
      const text = number.value.trim();
      if (!text) return undefined;
      if (units.value === "iso") return text;
      const n = text.replace(/^[-+]/, "");
      return `${text.startsWith("-") ? "-" : ""}${units.value.replace("{n}", n)}`;
    };
    return {box, read};
  }

  /* A message with {field} placeholders, and a menu that inserts one where the cursor is. */
  function template(option, label, value, ctx, {rows = 3, multiline = true} = {}) {
    const input = multiline ? el("textarea", {rows}) : el("input");
    input.value = value || "";
    const menu = select(fieldChoices(fieldsOf(ctx)), "", {blank: w("插入字段占位符…", "Insert a field placeholder…")});
    menu.setAttribute("aria-label", `${label} · ${w("插入字段", "insert a field")}`);
    menu.addEventListener("change", () => {
      if (!menu.value) return;
      const at = input.selectionStart ?? input.value.length;
      const end = input.selectionEnd ?? at;
      const token = `{${menu.value}}`;
      input.value = input.value.slice(0, at) + token + input.value.slice(end);
      input.focus();
      input.setSelectionRange(at + token.length, at + token.length);
      menu.value = "";
    });
    const box = labelled(option, label, input, w("{字段标识} 处填入记录的值", "{field} is replaced with the record's value"));
    box.insertBefore(menu, box.querySelector(".help"));
    return {box, read: () => input.value};
  }

  /* A table of target ← expression rows (更新记录's set, 新建记录's values, a webhook's body). `targets`:
     [key, label] choices for the left column, or null for free text; `sources`: fields whose key a menu
     inserts into the expression; `addLabel` names the add button when a panel has two tables. */
  function mapping(option, label, values, {targets, sources, targetLabel, sourceLabel, addLabel}) {
    const box = el("fieldset", {class: "plain mapping", "data-option": option});
    box.append(el("legend", {text: label}), el("p", {class: "error", "data-option-error": option, role: "alert"}));
    const table = el("table", {class: "mapping"});
    table.append(el("thead", {}, el("tr", {}, el("th", {text: targetLabel}), el("th", {text: ""}),
                                        el("th", {text: sourceLabel}), el("th", {text: ""}))));
    const body = el("tbody");
    table.append(body);
    let row = 0;
    const addRow = (key, expression) => {
      const n = ++row;
      const target = targets ? select(targets, key, {blank: w("请选择字段", "Choose a field")}) : el("input", {value: key || ""});
      target.setAttribute("aria-label", `${targetLabel} ${n}`);
      target.className = "map-target";
      const text = el("input", {value: expression || "", class: "map-source", "aria-label": `${sourceLabel} ${n}`});
      const cell = el("td", {}, text);
      if (sources && sources.length) {
        const pick = select(sources, "", {blank: w("← 字段", "← field")});
        pick.setAttribute("aria-label", `${sourceLabel} ${n} · ${w("插入字段", "insert a field")}`);
        pick.addEventListener("change", () => { if (pick.value) text.value = `${text.value}${text.value ? " " : ""}${pick.value}`; pick.value = ""; });
        cell.append(pick);
      }
      const drop = el("button", {type: "button", class: "tool", text: "×", "aria-label": `${w("删除第", "Remove row ")}${n}${w(" 行", "")}`});
      const tr = el("tr", {"data-option": key ? `${option}.${key}` : option}, el("td", {}, target), el("td", {text: "←"}), cell,
                    el("td", {}, drop));
      const errorRow = el("tr", {class: "row-error"}, el("td", {colspan: "4"},
        el("p", {class: "error", "data-option-error": key ? `${option}.${key}` : `${option}.?`, role: "alert"})));
      drop.addEventListener("click", () => { tr.remove(); errorRow.remove(); });
      target.addEventListener("change", () => {
        tr.dataset.option = `${option}.${target.value}`;
        errorRow.querySelector(".error").dataset.optionError = `${option}.${target.value}`;
      });
      body.append(tr, errorRow);
    };
    Object.entries(values || {}).forEach(([k, v]) => addRow(k, v));
    const add = el("button", {type: "button", class: "add-row", text: addLabel || w("添加一行", "Add a row")});
    add.addEventListener("click", () => addRow("", ""));
    box.append(table, add);
    const read = () => {
      const out = {};
      body.querySelectorAll("tr:not(.row-error)").forEach((tr) => {
        const key = tr.querySelector(".map-target").value.trim();
        if (key) out[key] = tr.querySelector(".map-source").value;
      });
      return out;
    };
    return {box, read};
  }

  /* Put each refusal (its path relative to the step) on the deepest option that holds it; the rest on
     the panel's own error line. */
  function showErrors(box, details, fallback) {
    box.querySelectorAll("[data-option-error]").forEach((p) => { p.textContent = ""; });
    box.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
    const left = [];
    details.forEach(({path, message}) => {
      const slots = [...box.querySelectorAll("[data-option-error]")]
        .filter((p) => path === p.dataset.optionError || path.startsWith(`${p.dataset.optionError}.`)
                       || path.startsWith(`${p.dataset.optionError}[`))
        .sort((a, b) => b.dataset.optionError.length - a.dataset.optionError.length);
      if (!slots.length) { left.push(message); return; }
      const slot = slots[0];
      slot.textContent = slot.textContent ? `${slot.textContent}；${message}` : message;
      const owner = slot.closest("[data-option]");
      const input = owner && owner.querySelector("input, select, textarea");
      if (input) input.setAttribute("aria-invalid", "true");
    });
    if (fallback && left.length) fallback(left);
  }

  /* The options a panel read, minus those equal to what the step holds. */
  function changed(step, options) {
    const out = {};
    Object.entries(options).forEach(([k, v]) => {
      const value = v === undefined ? null : v;
      if (!same(value, step[k] === undefined ? null : step[k])) out[k] = value;
    });
    return out;
  }

  /* Every step may carry a key (unique in the flow, docs/flows.md): shown above each panel. */
  function withKey(render) {
    return (box, step, ctx) => {
      const key = el("input", {value: step.key || "", placeholder: "manager_review", pattern: "[a-z][a-z0-9_]*"});
      box.append(labelled("key", w("步骤标识（英文，可选）", "Step key (optional)"), key));
      const read = render(box, step, ctx);
      return () => ({...changed(step, {key: key.value.trim() || undefined}), ...read()});
    };
  }

  /* The choices, asked once per page; a refusal leaves every picker empty (names can still be typed). */
  let asked = null;
  function choices(url) {
    asked = asked || window.tangram.api("GET", url).then((r) => (r.ok ? r.data
      : {users: [], departments: [], roles: [], forms: [{key: "", name: "", fields: []}]}));
    return asked;
  }

  window.tangram.flowPanels = {
    choices,
    register(kind, render) {
      if (panels[kind]) throw new Error(`flow panel ${kind} registered twice`);
      panels[kind] = render;
    },
    get: (kind) => (panels[kind] ? withKey(panels[kind]) : null),
    showErrors,
    ui: {el, w, labelled, checkbox, select, usersInput, recipients, duration, template, mapping, changed, copy,
         fieldsOf, fieldChoices},
  };
})();
