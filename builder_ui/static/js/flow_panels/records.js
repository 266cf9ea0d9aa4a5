/* 更新记录 and 新建记录's panels (engine/flows/actions/update_record.py, create_record.py): a table of
   field ← expression. For 新建记录 the left column lists the writable fields of the other form (赢单 →
   订单: 客户 ← customer, 金额 ← amount), and a menu puts a field of this flow's form into the expression. */
"use strict";

(function () {
  const {register, ui} = window.tangram.flowPanels;
  const {el, w, labelled, select, mapping, changed, fieldsOf} = ui;

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

  register("create_record", (box, step, ctx) => {
    const own = fieldsOf(ctx);
    const others = ctx.choices.forms.map((f) => [f.key, f.name]);
    const form = select(others, step.form, {blank: w("请选择表单", "Choose a form")});
    const holder = el("div", {class: "mapping-holder"});
    let table = null;
    const fill = (values) => {
      holder.innerHTML = "";
      table = mapping("values", w("字段对应（目标字段 ← 本记录的值）", "Field mapping (target ← this record)"), values, {
        targets: writable(fieldsOf(ctx, form.value)), sources: own.map((f) => [f.key, f.label]),
        targetLabel: w("目标字段", "Target field"), sourceLabel: w("取值（表达式）", "Value (expression)")});
      holder.append(table.box);
    };
    fill(step.values);
    form.addEventListener("change", () => fill(form.value === step.form ? step.values : {}));
    box.append(labelled("form", w("在哪个表单中新建", "Create in form"), form), holder,
               el("p", {class: "help", text: expressionHelp()}));
    return () => changed(step, {form: form.value, values: table.read()});
  });
})();
