/* 审批's panel: whom to ask (engine/flows/parts.Recipients), how they decide (mode, required), what happens
   when nobody is found (if_empty), whether approvers may return, transfer and add approvers, which fields
   they may edit meanwhile (editable_fields), and the SLA (due: after, working time only, then remind / escalate to
   the next level up / approve / reject by itself). engine/flows/steps/approval.py is the model. */
"use strict";

(function () {
  const {register, ui} = window.tangram.flowPanels;
  const {el, w, labelled, checkbox, select, recipients, duration, changed, copy, fieldsOf} = ui;

  const MODES = () => [["any", w("或签（一人同意即可）", "Any one")], ["all", w("会签（需全部同意）", "All (countersign)")],
                       ["sequential", w("依次审批", "One after another")], ["n_of_m", w("N 人同意", "N of them")]];
  const ACTIONS = () => [["remind", w("提醒审批人", "Remind the approver")],
                         ["escalate", w("升级给审批人的上级（部门负责人）", "Escalate to the approver's head")],
                         ["approve", w("自动同意", "Approve by itself")], ["reject", w("自动驳回", "Reject by itself")]];

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

  const dueOf = (step) => (typeof step.due === "string" ? {after: step.due} : step.due || null);

  register("approval", (box, step, ctx) => {
    const who = recipients("approvers", step.approvers, ctx, {
      legend: w("审批人", "Approvers"), users: w("指定成员（用户名，逗号分隔）", "Named users (usernames, comma-separated)")});
    const mode = select(MODES(), step.mode || "any");
    const required = el("input", {type: "number", min: "1", value: step.required ?? ""});
    const requiredBox = labelled("required", w("需要同意的人数（N）", "Approvals required (N)"), required);
    const showRequired = () => { requiredBox.hidden = mode.value !== "n_of_m"; };
    mode.addEventListener("change", showRequired);
    showRequired();
    const ifEmpty = select([["fail", w("流程结束为失败", "Fail the flow")], ["approve", w("自动通过本步骤", "Pass the step")]],
                           step.if_empty || "fail");
    const due = dueOf(step);
    const sla = el("fieldset", {class: "plain sla", "data-option": "due"});
    const on = checkbox("due", w("设置处理时限（SLA）", "Set a time limit (SLA)"), Boolean(due));
    const after = duration("due.after", w("超过多久未处理", "When not handled within"), due && due.after);
    const business = checkbox("due.business", w("只计工作时间（按工作日历）", "Count working time only"), due && due.business);
    const action = select(ACTIONS(), (due && due.action) || "remind");
    const details = el("div", {class: "sla-details"}, after.box, business.box,
                       labelled("due.action", w("超时后", "Then"), action));
    const showSla = () => { details.hidden = !on.input.checked; };
    on.input.addEventListener("change", showSla);
    showSla();
    sla.append(el("legend", {text: w("时限（SLA）", "Time limit (SLA)")}), on.box, details);
    const allow = switches(step);
    const edits = editable(step, ctx);
    box.append(who.box, labelled("mode", w("审批方式", "How they decide"), mode), requiredBox,
               labelled("if_empty", w("找不到审批人时", "When nobody is found"), ifEmpty), allow.box, edits.box, sla);
    return () => {
      const options = {...allow.read(), editable_fields: edits.read(), approvers: who.read(), mode: mode.value,
                       required: mode.value === "n_of_m" ? Number(required.value) || 1 : undefined,
                       if_empty: ifEmpty.value === "fail" && step.if_empty === undefined ? undefined : ifEmpty.value};
      if (!on.input.checked) options.due = undefined;
      else {
        const before = due || {};
        const next = {...copy(before), after: after.read()};
        next.business = business.input.checked ? true : undefined;
        if (!business.input.checked && before.business === false) next.business = false;
        next.action = action.value === "remind" && before.action === undefined ? undefined : action.value;
        options.due = copy(next);
        if (typeof step.due === "string" && JSON.stringify(options.due) === JSON.stringify({after: step.due})) {
          options.due = step.due;  // unchanged: stays in its short form
        }
      }
      return changed(step, options);
    };
  });
})();
