/* The form builder's publish: first POST …/publish/check; when stored records break a new or stricter
   rule, dialog#publish-report lists each problem (how many records, a few examples) and lets the user
   choose per problem — fill the gap with a value (or an expression), or apply the rule to new and
   changed values only — then POST …/publish with those `decisions`. Duplicates for a field made
   unique have no choice: the dialog says to resolve them first, and publishing stays disabled.
   DOM contract: dialog#publish-report, filled here: h2#publish-report-title, ol#publish-problems
   (li[data-problem="form.field.constraint"] with input[type=radio][value=fill|new_only],
   input[data-fill-value], input[data-fill-expression]), p[data-error-for="decisions"],
   button#publish-confirm, button#publish-cancel. */
"use strict";

(function () {
  const {api} = window.tangram;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else if (k in node && typeof v !== "string") node[k] = v;
      else node.setAttribute(k, v);
    });
    children.forEach((c) => node.append(c));
    return node;
  }

  const show = (value) => (value === null || value === undefined ? "（空）"
    : typeof value === "object" ? JSON.stringify(value) : String(value));

  function problemItem(p, i, en) {
    const id = `problem-${i}`;
    const li = el("li", {"data-problem": `${p.form}.${p.field}.${p.constraint}`});
    const name = en ? p.constraint_name_en : p.constraint_name;
    const limit = p.limit === null || p.limit === undefined || (Array.isArray(p.limit) && !p.limit.length) ? ""
      : (en ? ` (${show(p.limit)})` : `（${Array.isArray(p.limit) ? p.limit.join("、") : show(p.limit)}）`);
    const what = p.constraint === "unique"
      ? (en ? `${p.count} duplicated value(s)` : `${p.count} 组重复的值`)
      : (en ? `${p.count} record(s) break it` : `${p.count} 条记录不符合`);
    li.append(el("p", {class: "problem-title"}, el("strong", {text: `${p.form_name} · ${p.label}`}),
      ` ${name}${limit}：${what}`));
    const examples = el("ul", {class: "examples"});
    p.examples.forEach((e) => examples.append(el("li", {text: `#${e.id} ${e.title}：${show(e.value)}`})));
    li.append(examples);
    if (!p.choices.length) {
      li.append(el("p", {class: "error", text: en
        ? "Resolve the duplicates in the records first, then publish again."
        : "请先在记录中处理重复的值，再发布。"}));
      li.dataset.blocking = "true";
      return li;
    }
    const choices = el("fieldset", {class: "plain choices"}, el("legend", {text: en ? "What to do" : "处理方式"}));
    if (p.choices.includes("fill")) {
      const radio = el("input", {type: "radio", name: id, value: "fill", id: `${id}-fill`});
      const value = el("input", {type: "text", "data-fill-value": "", "aria-label": en ? "Fill value" : "填充的值",
        placeholder: en ? "value" : "填充的值", value: p.default === null || p.default === undefined ? "" : String(p.default)});
      const asExpr = el("input", {type: "checkbox", "data-fill-expression": "", id: `${id}-expr`});
      value.addEventListener("focus", () => { radio.checked = true; });
      choices.append(el("div", {class: "choice"}, radio,
        el("label", {for: `${id}-fill`, text: en ? "Fill the breaking records with " : "填充不符合的记录为 "}), value,
        asExpr, el("label", {for: `${id}-expr`, text: en ? "expression" : "按表达式计算（如 LEFT(name, 3)）"})));
    }
    if (p.choices.includes("new_only")) {
      const radio = el("input", {type: "radio", name: id, value: "new_only", id: `${id}-new`});
      choices.append(el("div", {class: "choice"}, radio, el("label", {for: `${id}-new`, text: en
        ? "Apply to new and changed values only (stored values stay)"
        : "仅对新值生效（已有记录的值保留，编辑其他字段不受影响）"})));
    }
    li.append(choices);
    return li;
  }

  /* The decisions the dialog holds, or a message naming the first problem without one. */
  function decisions(list, problems, en) {
    const out = [];
    for (const [i, p] of problems.entries()) {
      const li = list.children[i];
      const chosen = li.querySelector("input[type=radio]:checked");
      if (!chosen) return {missing: en ? `Choose what to do for ${p.label}` : `请为“${p.label}”选择处理方式`};
      const d = {form: p.form, field: p.field, constraint: p.constraint, action: chosen.value};
      if (chosen.value === "fill") {
        const text = li.querySelector("[data-fill-value]").value;
        if (li.querySelector("[data-fill-expression]").checked) d.expression = text;
        else d.value = text;
      }
      out.push(d);
    }
    return {decisions: out};
  }

  /* `send(decisions)` makes the publish (the draft's, or a template upgrade's) and answers the API's result. */
  function ask(dialog, problems, en, send) {
    dialog.replaceChildren();
    const list = el("ol", {id: "publish-problems"});
    problems.forEach((p, i) => list.append(problemItem(p, i, en)));
    const error = el("p", {class: "error", "data-error-for": "decisions", role: "alert"});
    const confirm = el("button", {type: "button", class: "primary", id: "publish-confirm", text: en ? "Publish" : "确认发布"});
    const cancel = el("button", {type: "button", id: "publish-cancel", text: en ? "Cancel" : "取消"});
    confirm.disabled = problems.some((p) => !p.choices.length);
    dialog.append(el("h2", {id: "publish-report-title", text: en ? "Stored records break the new rules" : "已有数据不符合新的规则"}),
      el("p", {class: "help", text: en ? "Choose for each problem before publishing."
        : "发布前请为每一处选择：填充不符合的记录，或仅对新值生效。"}),
      list, error, el("div", {class: "actions"}, confirm, cancel));
    return new Promise((resolve) => {
      cancel.addEventListener("click", () => { dialog.close(); resolve(null); });
      dialog.addEventListener("cancel", () => resolve(null), {once: true});
      confirm.addEventListener("click", async () => {
        const chosen = decisions(list, problems, en);
        if (chosen.missing) { error.textContent = chosen.missing; return; }
        error.textContent = "";
        const r = await send(chosen.decisions);
        if (r.ok) { dialog.close(); resolve(r); return; }
        const err = r.data.error;
        if (err.report) { resolve(ask(dialog, err.report, en, send)); return; }  // the data changed meanwhile
        error.textContent = [err.message].concat((err.details || []).map((d) => d.message)).join("；");
      });
      if (!dialog.open) dialog.showModal();
    });
  }

  /* Publish the draft of `app`: the API's answer, or null when the user cancelled. */
  window.tangram.builderPublish = async function (app, en) {
    const check = await api("POST", `/api/v1/apps/${app}/publish/check`);
    if (!check.ok) return check;
    if (!check.data.problems.length) return api("POST", `/api/v1/apps/${app}/publish`);
    return ask(document.getElementById("publish-report"), check.data.problems, en,
      (decisions) => api("POST", `/api/v1/apps/${app}/publish`, {decisions}));
  };

  /* The same dialog for another publish (升级模板): `problems` from a report, `send(decisions)` the publish. */
  window.tangram.publishDecisions = (problems, en, send) =>
    ask(document.getElementById("publish-report"), problems, en, send);
})();
