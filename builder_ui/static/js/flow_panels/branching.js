/* The panels of 条件分支, 并行分支 and 等待 (engine/flows/steps/condition.py, parallel.py, wait.py). A condition's
   branches are edited on their heads on the canvas; the step itself has only its name. */
"use strict";

(function () {
  const {register, ui} = window.tangram.flowPanels;
  const {el, w, labelled, checkbox, select, duration, changed, fieldsOf, fieldChoices} = ui;

  register("condition", (box, step) => {
    box.append(el("p", {class: "help", text: w(
      "按顺序判断各分支的条件，走第一个成立的分支，都不成立时走默认分支。点击画布上的分支标题编辑条件，拖动分支标题调整顺序。",
      "Branches are tried in order; the first whose condition holds runs, else the default. Click a branch head on the canvas to edit it; drag it to reorder.")}));
    return () => changed(step, {});
  });

  register("parallel", (box, step) => {
    const ends = checkbox("reject_ends_flow", w("任一分支驳回，整个流程即驳回", "A rejection in one branch rejects the whole flow"),
                          step.reject_ends_flow !== false);
    box.append(el("p", {class: "help", text: w("所有分支同时进行，全部完成后流程继续。", "Every branch runs; the flow goes on when all have finished.")}),
               ends.box);
    return () => changed(step, {reject_ends_flow: ends.input.checked ? (step.reject_ends_flow === undefined ? undefined : true) : false});
  });

  register("wait", (box, step, ctx) => {
    const how = select([["duration", w("等待一段时间", "For a while")], ["until", w("等到表单中的日期", "Until a date of the record")]],
                       step.until ? "until" : "duration");
    const span = duration("duration", w("等待时长", "How long"), step.duration);
    const until = select(fieldChoices(fieldsOf(ctx), ["date", "datetime"]), step.until, {blank: w("请选择日期字段", "Choose a date field")});
    const offset = duration("offset", w("相对该日期（负数为提前）", "Relative to that date (negative: before)"), step.offset,
                            w("如 -1 天：日期前一天；留空：当天", "e.g. -1 day: the day before; blank: on the day"));
    const untilBox = el("div", {}, labelled("until", w("日期字段", "Date field"), until), offset.box);
    const business = checkbox("business", w("按工作日历计算（跳过休息日）", "Count working time only"), step.business);
    const show = () => { span.box.hidden = how.value !== "duration"; untilBox.hidden = how.value !== "until"; };
    how.addEventListener("change", show);
    show();
    box.append(labelled("wait_kind", w("等待方式", "Wait"), how), span.box, untilBox, business.box);
    return () => changed(step, how.value === "duration"
      ? {duration: span.read(), until: undefined, offset: undefined, business: business.input.checked || undefined}
      : {duration: undefined, until: until.value || undefined, offset: offset.read(), business: business.input.checked || undefined});
  });
})();
