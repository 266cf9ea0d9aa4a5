/* 审批's panel: whom to ask (engine/flows/parts.Recipients), how they decide (mode, required), what happens
   when nobody is found (if_empty), whether approvers may return, transfer and add approvers, which fields
   they may edit meanwhile (editable_fields), and the SLA as stages (sla: after how long, remind / escalate
   to named users or the next level up / approve / reject by itself, in working time or not; a one-stage `due` is shown as a stage). engine/flows/steps/approval.py is the
   model. */
"use strict";

(function () {
  const {register, ui} = window.tangram.flowPanels;
  const {el, w, labelled, checkbox, select, usersInput, recipients, duration, changed, copy, fieldsOf} = ui;

  const MODES = () => [["any", w("或签（一人同意即可）", "Any one")], ["all", w("会签（需全部同意）", "All (countersign)")],
                       ["sequential", w("依次审批", "One after another")], ["n_of_m", w("N 人同意", "N of them")]];
  const DOES = () => [["remind", w("提醒审批人", "Remind the approver")],
                      ["escalate", w("升级（给指定成员，或审批人的上级）", "Escalate (to named users, or the approver's head)")],
                      ["auto_approve", w("自动同意", "Approve by itself")], ["auto_reject", w("自动驳回", "Reject by itself")]];

  const SWITCHES = () => [["allow_return", w("允许退回发起人修改", "Approvers may return it to the submitter")],
                          ["allow_transfer", w("允许转交他人", "Approvers may transfer the task")],
                          ["allow_add_approver", w("允许加签", "Approvers may add approvers")]];

  /* What approvers may do besides approve and reject (default: allowed, so the option is left out). */
  function switches(step) {
    const boxes = SWITCHES().map(([option, label]) => [option, checkbox(option, label, step[option] !== false)]);
    const box = el("fieldset", {class: "plain allow"}, el("legend", {text: w("审批人可以", "Approvers may")}),
                   ...boxes.map(([, c]) => c.box));
    const read = () => Object.fromEntries(boxes.map(([option, c]) => [
      option, c.input.checked ? (step[option] === true ? true : undefined) : false]));
    return {box, read};
  }

  /* The record's fields an approver may change while their task is open (computed ones cannot be). */
  function editable(step, ctx) {
    const chosen = step.editable_fields || [];
    const input = select(fieldsOf(ctx).filter((f) => !f.computed).map((f) => [f.key, `${f.label}（${f.key}）`]), undefined);
    input.multiple = true;
    input.size = Math.min(6, Math.max(3, input.options.length));
    chosen.forEach((key) => {
      if (![...input.options].some((o) => o.value === key)) input.append(el("option", {value: key, text: key}));
    });
    [...input.options].forEach((o) => { o.selected = chosen.includes(o.value); });
    const box = labelled("editable_fields", w("审批人可修改的字段", "Fields the approver may change"), input,
                         w("可多选（按住 Ctrl）；其余字段在审批期间保持锁定", "Several with Ctrl; the others stay locked"));
    const read = () => {
      const picked = [...input.selectedOptions].map((o) => o.value);
      return picked.length ? picked : (step.editable_fields && step.editable_fields.length === 0 ? [] : undefined);
    };
    return {box, read};
  }

  /* The one-stage `due` as a stage (the panel shows both shapes as stages). */
  const DO_OF = {remind: "remind", escalate: "escalate", approve: "auto_approve", reject: "auto_reject"};
  function dueAsStage(due) {
    if (!due) return null;
    const d = typeof due === "string" ? {after: due} : due;
    return copy({after: d.after, do: DO_OF[d.action || "remind"], to: d.escalate_to, business: d.business || undefined});
  }

  /* The SLA: stages (after how long, counted from when the task opened: remind, escalate, decide by itself),
     written as `sla`; a step's one-stage `due` is shown as one stage and kept as it is until edited. */
  function slaEditor(step, ctx) {
    const fromDue = dueAsStage(step.due);
    let stages = step.sla ? copy(step.sla) : fromDue ? [fromDue] : [];
    const box = el("fieldset", {class: "plain sla", "data-option": "sla"});
    const list = el("ol", {class: "sla-stages"});
    const add = el("button", {type: "button", class: "add-row", text: w("添加时限阶段", "Add a stage")});
    let rows = [];
    const draw = () => {
      list.replaceChildren();
      rows = stages.map((stage, i) => {
        const n = i + 1;
        const label = (zh, english) => w(`阶段 ${n}：${zh}`, `Stage ${n}: ${english}`);
        const after = duration(`sla[${i}].after`, label("超过多久未处理", "when not handled within"), stage.after,
                               w("从任务开始计", "counted from when the task opened"));
        const does = select(DOES(), stage.do || "remind");
        const to = usersInput(`sla[${i}].to`, label("升级给（留空为上级）", "escalate to (blank: the head)"),
                              stage.to, ctx);
        const business = checkbox(`sla[${i}].business`, label("只计工作时间（按工作日历）", "count working time only"),
                                  stage.business);
        const showTo = () => { to.box.hidden = does.value !== "escalate"; };
        does.addEventListener("change", showTo);
        showTo();
        const drop = el("button", {type: "button", class: "tool", text: "×", "aria-label": label("删除", "remove")});
        drop.addEventListener("click", () => { stages = read(); stages.splice(i, 1); draw(); });
        list.append(el("li", {class: "sla-stage", "data-option": `sla[${i}]`}, after.box,
                       labelled(`sla[${i}].do`, label("然后", "then"), does), to.box, business.box, drop));
        return () => {
          const names = to.read();
          return copy({...stage, after: after.read(), do: does.value,
                       to: does.value === "escalate" && names.length ? names : undefined,
                       business: business.input.checked ? true : stage.business === false ? false : undefined});
        };
      });
    };
    const read = () => rows.map((r) => r());
    add.addEventListener("click", () => { stages = [...read(), {after: "P1D", do: "remind"}]; draw(); });
    draw();
    box.append(el("legend", {text: w("时限（SLA）", "Time limit (SLA)")}),
               el("p", {class: "error", "data-option-error": "sla", role: "alert"}), list, add);
    /* {sla, due}: the step's own `due` while it says the same as the stages; else the stages, as `sla`. */
    const options = () => {
      const now = read();
      if (step.due !== undefined && now.length === 1 && JSON.stringify(now) === JSON.stringify([fromDue])) {
        return {due: step.due, sla: undefined};
      }
      return {due: undefined, sla: now.length ? now : undefined};
    };
    return {box, options};
  }

  register("approval", (box, step, ctx) => {
    const who = recipients("approvers", step.approvers, ctx, {
      legend: w("审批人", "Approvers"), users: w("指定成员", "Named users")});
    const mode = select(MODES(), step.mode || "any");
    const required = el("input", {type: "number", min: "1", value: step.required ?? ""});
    const requiredBox = labelled("required", w("需要同意的人数（N）", "Approvals required (N)"), required);
    const showRequired = () => { requiredBox.hidden = mode.value !== "n_of_m"; };
    mode.addEventListener("change", showRequired);
    showRequired();
    const ifEmpty = select([["fail", w("流程结束为失败", "Fail the flow")], ["approve", w("自动通过本步骤", "Pass the step")]],
                           step.if_empty || "fail");
    const sla = slaEditor(step, ctx);
    const allow = switches(step);
    const edits = editable(step, ctx);
    box.append(who.box, labelled("mode", w("审批方式", "How they decide"), mode), requiredBox,
               labelled("if_empty", w("找不到审批人时", "When nobody is found"), ifEmpty), allow.box, edits.box, sla.box);
    return () => {
      const options = {...allow.read(), editable_fields: edits.read(), approvers: who.read(), mode: mode.value,
                       required: mode.value === "n_of_m" ? Number(required.value) || 1 : undefined,
                       if_empty: ifEmpty.value === "fail" && step.if_empty === undefined ? undefined : ifEmpty.value};
      Object.assign(options, sla.options());
      return changed(step, options);
    };
  });
})();
