/* 更新记录 and 新建记录's panels (engine/flows/actions/update_record.py, create_record.py): a table of
   field ← expression. For 新建记录 the left column lists the writable fields of the other form (赢单 →
   订单: 客户 ← customer, 金额 ← amount), and a menu puts a field of this flow's form into the expression;
   then the fields to find an existing record by (`match`), whether the other form's duplicate rules may find it
   (`match_duplicates`), and the relation to link it back (`link`). 删除记录: this record, or the records of
   another form that point to it and meet a condition (`related`). */
"use strict";

(function () {
  const {register, ui} = window.tangram.flowPanels;
  const {el, w, labelled, checkbox, select, mapping, changed, fieldsOf} = ui;

  const writable = (fields) => fields.filter((f) => !f.computed).map((f) => [f.key, `${f.label}（${f.key}）`]);
  const expressionHelp = () => w("右侧是表达式：字段标识、\"文字\"、数字或公式，如 amount * 0.9",
                                 "The right side is an expression: a field key, \"text\", a number or a formula");

  register("update_record", (box, step, ctx) => {
    const own = fieldsOf(ctx);
    const table = mapping("set", w("修改哪些字段", "Fields to set"), step.set, {
      targets: writable(own), sources: own.map((f) => [f.key, f.label]),
      targetLabel: w("字段", "Field"), sourceLabel: w("新值（表达式）", "New value (expression)")});
    box.append(table.box, el("p", {class: "help", text: expressionHelp()}));
    return () => changed(step, {set: table.read()});
  });

  /* 新建记录: the form, the field mapping; `match` — find an existing record whose fields equal these values
     and use it instead of making a duplicate (线索转化: a customer of the same name); `match_duplicates` — else
     the oldest record the other form's duplicate rules take for a likely duplicate (恒瑞精密机械(苏州)有限公司 =
     苏州恒瑞精密机械有限公司); `link` — a relation of this record set to the record made or found. */
  register("create_record", (box, step, ctx) => {
    const own = fieldsOf(ctx);
    const others = ctx.choices.forms.map((f) => [f.key, f.name]);
    const form = select(others, step.form, {blank: w("请选择表单", "Choose a form")});
    const holder = el("div", {class: "mapping-holder"});
    let table = null;
    let match = null;
    let link = null;
    let duplicates = null;
    const fill = (values, matched, linked, byRules) => {
      holder.innerHTML = "";
      const target = fieldsOf(ctx, form.value);
      const sources = own.map((f) => [f.key, f.label]);
      table = mapping("values", w("字段对应（目标字段 ← 本记录的值）", "Field mapping (target ← this record)"), values, {
        targets: writable(target), sources,
        targetLabel: w("目标字段", "Target field"), sourceLabel: w("取值（表达式）", "Value (expression)")});
      match = mapping("match", w("先查找已有记录（不重复新建）", "Find an existing record first (no duplicate)"), matched, {
        targets: target.filter((f) => f.matchable !== false).map((f) => [f.key, `${f.label}（${f.key}）`]), sources,
        targetLabel: w("查找字段", "Match field"), sourceLabel: w("等于（表达式）", "Equals (expression)"),
        addLabel: w("添加查找条件", "Add a match field")});
      match.box.append(el("p", {class: "help", text: w(
        "目标表单中这些字段都等于右侧的值的记录已存在时，使用它而不新建（也不改它）；都不填：总是新建",
        "When a record of the form has all these fields equal to the values, it is used (and left as it is) instead of a new one; none: always create")}));
      const rules = (ctx.choices.forms.find((f) => f.key === form.value) || {}).duplicate_rules || [];
      duplicates = checkbox("match_duplicates", w("按目标表单的查重规则关联已有记录", "Link a record the target form's duplicate rules find"),
                            byRules);
      duplicates.box.append(el("p", {class: "help", text: rules.length
        ? w(`上面没有找到时，查重规则（${rules.join("、")}）认为可能重复的最早一条记录会被使用（分公司不算）；没有则新建`,
            `When none is found above, the oldest record the duplicate rules (${rules.join(", ")}) take for a likely duplicate is used (a branch is not one); else one is created`)
        : w("该表单没有查重规则（在表单设置中添加）", "That form has no duplicate rules (add them in the form's settings)")}));
      const back = own.filter((f) => f.type === "relation" && f.target === form.value)
        .map((f) => [f.key, `${f.label}（${f.key}）`]);
      link = select(back, linked, {blank: w("不关联", "Do not link")});
      holder.append(table.box, match.box, duplicates.box, labelled("link", w("关联回本记录的字段", "Link it back in this record's field"), link,
        w("本记录中指向该表单的关联字段，设为新建或找到的记录", "A relation of this record to that form, set to the record made or found")));
    };
    fill(step.values, step.match, step.link, step.match_duplicates);
    form.addEventListener("change", () => (form.value === step.form
      ? fill(step.values, step.match, step.link, step.match_duplicates) : fill({}, {}, null, false)));
    box.append(labelled("form", w("在哪个表单中新建", "Create in form"), form), holder,
               el("p", {class: "help", text: expressionHelp()}));
    return () => {
      const matched = match.read();
      return changed(step, {form: form.value, values: table.read(),
                            match: Object.keys(matched).length ? matched : undefined,
                            match_duplicates: duplicates.input.checked || undefined,
                            link: link.value || undefined});
    };
  });

  /* 删除记录: the flow's record (to the recycle bin), or (`related`) the records of another form whose single
     relation points to it and that meet a condition built in the condition picker over that form's fields
     (输单: the deal's draft quotes, 报价单 · 商机, 状态 = 草稿). */
  register("delete_record", (box, step, ctx) => {
    const pointing = ctx.pointing || [];
    const idOf = (p) => `${p.form}.${p.field}`;
    const related = step.related || null;
    const what = select([["self", w("本记录（移入回收站）", "This record (to the recycle bin)")],
                         ["related", w("指向本记录的其他表单记录", "Records of another form that point to this one")]],
                        related ? "related" : "self");
    const link = select(pointing.map((p) => [idOf(p), `${p.form_name} · ${p.label}（${idOf(p)}）`]),
                        related ? `${related.form}.${related.field}` : "", {blank: w("请选择", "Choose")});
    const linkBox = labelled("related", w("哪个表单的哪个关联字段", "Which form, by which relation"), link,
                             w("只列出指向本表单的单选关联字段", "Single relations to this flow's form"));
    const holder = el("div", {class: "related-when"});
    let when = null;
    const fill = (text) => {  // the condition is over the chosen form's fields: a new form, a new picker
      holder.innerHTML = "";
      when = el("input", {value: text || "", placeholder: 'status = "草稿"'});
      holder.append(labelled("related.when", w("条件（这些记录自己的字段；不填则全部删除）", "Condition (their own fields; blank: all of them)"), when));
      const chosen = pointing.find((p) => idOf(p) === link.value);
      if (chosen && window.tangram.conditionPicker) {
        const checkUrl = `/api/v1/apps/${encodeURIComponent(ctx.app)}/draft/forms/${encodeURIComponent(chosen.form)}/check-expression`;
        window.tangram.conditionPicker(when, {fields: chosen.fields, checkUrl, peopleApp: ctx.app});
      }
    };
    const show = () => { linkBox.hidden = holder.hidden = what.value !== "related"; };
    fill(related && related.when);
    link.addEventListener("change", () => fill(""));
    what.addEventListener("change", show);
    show();
    box.append(labelled("delete_what", w("删除什么", "Delete what"), what), linkBox, holder,
               el("p", {class: "help", text: w("删除的记录进入回收站，可由管理员恢复；请放在流程最后一步",
                                               "Deleted records go to the recycle bin (an administrator can restore them); make it the flow's last step")}));
    return () => {
      if (what.value !== "related") return changed(step, {related: undefined});
      const [form, field] = link.value ? link.value.split(".") : ["", ""];
      return changed(step, {related: {form, field, when: when.value.trim() || undefined}});
    };
  });
})();
