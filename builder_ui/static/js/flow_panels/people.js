/* 分配负责人, 创建待办 and 调用 Webhook's panels (engine/flows/actions/assign.py, task.py, webhook.py). */
"use strict";

(function () {
  const {register, ui} = window.tangram.flowPanels;
  const {el, w, labelled, checkbox, select, usersInput, recipients, duration, template, mapping, changed, copy,
         fieldsOf, fieldChoices} = ui;

  /* A to-do (TaskSpec): its name (with {field} placeholders), due after a duration, in working time. */
  function taskSpec(option, spec, ctx) {
    spec = spec || {};
    const name = template(`${option}.name`, w("待办名称", "To-do name"), spec.name, ctx, {multiline: false});
    const due = duration(`${option}.due`, w("期限（可选）", "Due after (optional)"), spec.due);
    const business = checkbox(`${option}.business`, w("只计工作时间", "Count working time only"), spec.business);
    return {nodes: [name.box, due.box, business.box],
            read: () => copy({...spec, name: name.read(), due: due.read(), business: business.input.checked || undefined})};
  }

  register("task", (box, step, ctx) => {
    const to = recipients("to", step.to, ctx, {legend: w("为谁创建待办", "For whom"),
                                                users: w("指定成员", "Named users")});
    const task = taskSpec("task", step.task, ctx);
    box.append(to.box, ...task.nodes);
    return () => changed(step, {to: to.read(), task: task.read()});
  });

  /* One row of the assignment rules: when (an expression), and whom: users, a role, a department. */
  function ruleRow(list, rule, n, ctx) {
    const item = el("li", {class: "rule", "data-option": `rules[${n}]`});
    const when = el("input", {value: rule.when || "", placeholder: w("留空：总是适用", "blank: always")});
    const users = usersInput(`rules[${n}].users`, w(`规则 ${n + 1} 的人员`, `Users of rule ${n + 1}`), rule.users, ctx,
                             w(`从通讯录添加到规则 ${n + 1}`, `Add to rule ${n + 1} from the directory`));
    const role = select(ctx.choices.roles.map((r) => [r.key, r.name]), rule.role, {blank: "—"});
    const department = select(ctx.choices.departments.map((d) => [d.key, d.name]), rule.department, {blank: "—"});
    const drop = el("button", {type: "button", class: "tool", text: "×", "aria-label": w(`删除规则 ${n + 1}`, `Remove rule ${n + 1}`)});
    drop.addEventListener("click", () => { item.remove(); renumber(list); });
    item.append(el("div", {class: "rule-head"}, el("strong", {text: w(`规则 ${n + 1}`, `Rule ${n + 1}`)}), drop),
                el("p", {class: "error", "data-option-error": `rules[${n}]`, role: "alert"}),
                labelled(`rules[${n}].when`, w("条件（表达式）", "When (expression)"), when), users.box,
                labelled(`rules[${n}].role`, w("角色", "Role"), role),
                labelled(`rules[${n}].department`, w("部门（含下级部门）", "Department (and below)"), department));
    item._read = () => copy({...rule, when: when.value.trim() || undefined, users: users.read().length ? users.read() : undefined,
                             role: role.value || undefined, department: department.value || undefined});
    list.append(item);
  }

  /* After a rule is removed, the others' paths follow their new places (refusals name rules[i]). */
  function renumber(list) {
    [...list.children].forEach((item, i) => {
      item.querySelectorAll("[data-option], [data-option-error]").forEach((node) => {
        ["option", "optionError"].forEach((k) => {
          if (node.dataset[k]) node.dataset[k] = node.dataset[k].replace(/^rules\[\d+\]/, `rules[${i}]`);
        });
      });
      item.dataset.option = `rules[${i}]`;
      item.querySelector(".rule-head strong").textContent = w(`规则 ${i + 1}`, `Rule ${i + 1}`);
    });
  }

  register("assign", (box, step, ctx) => {
    const field = select(fieldChoices(fieldsOf(ctx), ["user"]), step.field, {blank: w("请选择人员字段", "Choose a user field")});
    const strategy = select([["round_robin", w("轮流分配", "Round robin")],
                             ["fewest_open", w("分给未完成记录最少的人", "Fewest open records")]], step.strategy || "round_robin");
    const openWhen = el("input", {value: step.open_when || "", placeholder: "status != \"已完成\""});
    const openBox = labelled("open_when", w("哪些记录算未完成（表达式，留空为全部）", "Which records count as open (blank: all)"), openWhen);
    const show = () => { openBox.hidden = strategy.value !== "fewest_open"; };
    strategy.addEventListener("change", show);
    show();
    const rules = el("fieldset", {class: "plain rules", "data-option": "rules"});
    const list = el("ol", {class: "rules"});
    (step.rules || [{}]).forEach((rule, n) => ruleRow(list, rule, n, ctx));
    const add = el("button", {type: "button", class: "add-row", text: w("添加规则", "Add a rule")});
    add.addEventListener("click", () => ruleRow(list, {}, list.children.length, ctx));
    rules.append(el("legend", {text: w("分配规则（按顺序，第一条成立且有人的规则生效）", "Rules (the first that holds and names somebody)")}),
                 el("p", {class: "error", "data-option-error": "rules", role: "alert"}), list, add);
    const withTask = checkbox("task", w("同时为负责人创建待办", "Also open a to-do for the owner"), Boolean(step.task));
    const task = taskSpec("task", step.task || {name: w("跟进", "Follow up")}, ctx);
    const taskBox = el("div", {class: "task-spec"}, ...task.nodes);
    const showTask = () => { taskBox.hidden = !withTask.input.checked; };
    withTask.input.addEventListener("change", showTask);
    showTask();
    box.append(labelled("field", w("写入哪个人员字段", "Write the owner into"), field),
               labelled("strategy", w("分配方式", "Strategy"), strategy), openBox, rules, withTask.box, taskBox);
    return () => changed(step, {
      field: field.value, strategy: strategy.value === "round_robin" && step.strategy === undefined ? undefined : strategy.value,
      open_when: strategy.value === "fewest_open" ? openWhen.value.trim() || undefined : step.open_when,
      rules: [...list.children].map((item) => item._read()),
      task: withTask.input.checked ? task.read() : undefined});
  });

  register("webhook", (box, step, ctx) => {
    const url = el("input", {type: "url", value: step.url || "", placeholder: "https://erp.example/hook"});
    const secret = el("input", {value: step.secret || "", autocomplete: "off"});
    const own = fieldsOf(ctx);
    const body = mapping("body", w("请求内容（JSON 键 ← 表达式）", "Body (JSON key ← expression)"), step.body, {
      targets: null, sources: own.map((f) => [f.key, f.label]), targetLabel: w("键", "Key"), sourceLabel: w("值（表达式）", "Value (expression)")});
    const attempts = el("input", {type: "number", min: "1", max: "20", value: step.attempts ?? 5});
    box.append(labelled("url", w("地址（POST）", "URL (POST)"), url),
               labelled("secret", w("签名密钥（HMAC-SHA256，可选）", "Signing secret (HMAC-SHA256, optional)"), secret),
               body.box, labelled("attempts", w("失败重试次数上限", "Attempts at most"), attempts));
    return () => changed(step, {url: url.value.trim(), secret: secret.value || undefined, body: body.read(),
                                attempts: Number(attempts.value) === 5 && step.attempts === undefined ? undefined : Number(attempts.value) || undefined});
  });
})();
