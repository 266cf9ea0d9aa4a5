/* The flow designer: the flow drawn as a vertical tree (trigger, steps in order, the branches of a condition
   or parallel step side by side), a + between any two steps, and a panel for the selected step or branch.
   Every change is one call to the designer API on the draft (runtime/api/flow_designer.py): insert / change /
   move / remove a step, add / remove a branch; the answer is the whole flow, drawn again. A refusal (422)
   names JSON paths (flows[i].steps[1].approvers.role): the message is shown on the step it concerns and
   what is drawn stays as saved. Undo puts back the flow as it was before the last change (PUT).
   DOM contract: #designer-data (JSON: app, flow, palette [{kind, label, sample}], fields, roles, forms,
   words, lang), #flow-zoom, .node[data-path], button.add[data-at], button.add-branch[data-path],
   .branch-head[data-path][data-branch], #step-panel [name], #step-fields (a step's own panel, looked up by
   kind in flow_panels/), #step-json, #step-error, #undo, #zoom-in, #zoom-out, #publish, form#trial,
   #trial-search, #trial-found (a record searched by title fills #trial-record), #trial-result, #flow-json (导出: the flow's definition JSON as saved), #flow-download. Drag to move: flow_drag.js. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, toast} = window.tangram;
  const data = JSON.parse(document.getElementById("designer-data").textContent);
  const words = data.words;
  const base = `/api/v1/apps/${data.app}/draft/flows/${data.flow.key}`;
  const zoomBox = document.getElementById("flow-zoom");
  const panel = document.getElementById("step-panel");
  const panels = window.tangram.flowPanels;
  const stepFields = document.getElementById("step-fields");
  let readPanel = null; // what the selected step's panel asks to change
  let keepPanel = false; // a refused save leaves the panel as the user typed it
  let drawn = 0;
  const labels = Object.fromEntries(data.palette.map((p) => [p.kind, p.label]));
  let flow = data.flow;
  let selected = null; // {path} for a step, {path, branch} for a branch
  let problems = {}; // step path → messages
  let onPath = new Set();
  const history = [];
  let zoom = 1;

  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  function stepAt(path) {
    let holder = flow;
    for (const part of path.split(".")) {
      const m = part.match(/^(steps|branches)\[(\d+)\]$/);
      holder = holder[m[1]][Number(m[2])];
    }
    return holder;
  }

  const kindOf = (step) => (step.type === "action" ? step.action : step.type);

  function summary(step) {
    const kind = kindOf(step);
    if (kind === "approval") {
      const a = step.approvers || {};
      const who = [...(a.users || []).map((u) => (data.people || {})[u] || u), ...[].concat(a.role || []).map((r) => roleName(r))];
      if (a.department_head !== undefined) who.push(`${words.approvers}+${a.department_head}`);
      if (a.field) who.push(fieldName(a.field));
      if (a.department_field) who.push(fieldName(a.department_field.field || a.department_field));
      if (a.owner_department_head !== undefined) who.push(words.owners_head);
      if (a.chosen) who.push(words.chosen);
      return `${words.approvers}：${who.join("、") || words.nobody}`;
    }
    if (kind === "cc" || kind === "notify") return step.message || "";
    if (kind === "update_record") return Object.keys(step.set || {}).map(fieldName).join("、");
    if (kind === "create_record") return (data.forms.find((f) => f.key === step.form) || {}).name || step.form;
    if (kind === "wait") return step.duration || step.until || "";
    if (kind === "webhook") return step.url || "";
    if (kind === "http_request") return `${step.method || "POST"} ${step.url || ""}`;
    return "";
  }

  const roleName = (key) => (data.roles.find((r) => r.key === key) || {name: key}).name;
  const fieldName = (key) => (data.fields.find((f) => f.key === key) || {label: key}).label;

  function addButton(at) {
    const button = el("button", "add", "+");
    button.type = "button";
    button.dataset.at = at;
    button.setAttribute("aria-label", words.add_step);
    button.addEventListener("click", (event) => { event.stopPropagation(); openMenu(button); });
    return button;
  }

  function gap(at) {
    const item = el("li", "gap");
    item.append(addButton(at));
    return item;
  }

  function drawSequence(steps, seq) {
    const list = el("ol", "sequence");
    list.dataset.seq = seq;
    steps.forEach((step, i) => list.append(gap(`${seq}[${i}]`), drawStep(step, `${seq}[${i}]`, i, steps.length)));
    list.append(gap(`${seq}[${steps.length}]`));
    return list;
  }

  function drawStep(step, path, index, count) {
    const item = el("li", "node");
    item.dataset.path = path;
    item.dataset.kind = kindOf(step);
    item.tabIndex = 0;
    if (selected && selected.path === path && selected.branch === undefined) item.classList.add("selected");
    if (onPath.has(path)) item.classList.add("on-path");
    const card = el("div", "card");
    card.append(el("div", "kind", labels[kindOf(step)] || kindOf(step)), el("div", "name", step.name || ""),
                el("div", "summary", summary(step)));
    (problems[path] || []).forEach((message) => card.append(el("div", "problem", message)));
    const tools = el("div", "tools");
    [["↑", words.move_up, index > 0, () => move(path, index - 1)],
     ["↓", words.move_down, index < count - 1, () => move(path, index + 2)],
     ["×", words.remove, true, () => remove(path)]].forEach(([text, label, enabled, act]) => {
      const b = el("button", "tool", text);
      b.type = "button"; b.disabled = !enabled; b.setAttribute("aria-label", label);
      b.addEventListener("click", (event) => { event.stopPropagation(); act(); });
      tools.append(b);
    });
    card.append(tools);
    card.addEventListener("click", () => select({path}));
    item.append(card);
    if (Array.isArray(step.branches)) {
      const row = el("div", "branches");
      step.branches.forEach((branch, b) => {
        const column = el("div", "branch");
        const head = el("div", "branch-head", branch.name || (branch.default ? words.default_branch : `${words.branch} ${b + 1}`));
        head.dataset.path = path; head.dataset.branch = b; head.tabIndex = 0;
        if (branch.when) head.append(el("div", "when", branch.when));
        if (selected && selected.path === path && selected.branch === b) head.classList.add("selected");
        head.addEventListener("click", () => select({path, branch: b}));
        column.append(head, drawSequence(branch.steps || [], `${path}.branches[${b}].steps`));
        row.append(column);
      });
      const more = el("button", "add-branch", words.add_branch);
      more.type = "button"; more.dataset.path = path;
      more.addEventListener("click", () => change(api("POST", `${base}/branches`, {
        path, branch: step.type === "condition" ? {name: `${words.branch} ${step.branches.length}`, when: "TRUE"}
                                               : {name: `${words.branch} ${step.branches.length + 1}`}})));
      row.append(more);
      item.append(row);
    }
    return item;
  }

  function draw() {
    zoomBox.innerHTML = "";
    const trigger = el("div", "node trigger");
    trigger.tabIndex = 0; // a click opens the trigger panel (flow_trigger_panel.js)
    trigger.append(el("div", "kind", words.trigger), el("div", "name", data.triggers[flow.trigger.on] || flow.trigger.on));
    trigger.addEventListener("click", () => { select(null); document.dispatchEvent(new CustomEvent("flow:trigger")); });
    zoomBox.append(trigger, drawSequence(flow.steps || [], "steps"), el("div", "node end", words.end));
    document.getElementById("flow-json").value = JSON.stringify(flow, null, 2);  // 导出: the definition as saved
    if (window.tangram.flowDrag) window.tangram.flowDrag.attach(zoomBox, {
      moveStep: (path, to) => change(api("POST", `${base}/steps/move`, {path, to})),
      moveBranch: (path, branch, to, toPath) => change(api("POST", `${base}/branches/move`,
                                                           {path, branch, to, to_path: toPath || null}))});
    fillPanel();
  }

  function openMenu(button) {
    document.querySelectorAll(".step-menu").forEach((m) => m.remove());
    const menu = el("ul", "step-menu");
    menu.setAttribute("role", "menu");
    data.palette.forEach((p) => {
      const choice = el("li");
      const b = el("button", "", p.label);
      b.type = "button"; b.dataset.kind = p.kind; b.setAttribute("role", "menuitem");
      b.addEventListener("click", () => {
        menu.remove();
        change(api("POST", `${base}/steps`, {at: button.dataset.at, step: p.sample}));
      });
      choice.append(b);
      menu.append(choice);
    });
    button.after(menu);
    menu.querySelector("button").focus();
  }

  document.addEventListener("click", (event) => {
    if (!event.target.closest(".step-menu, button.add")) document.querySelectorAll(".step-menu").forEach((m) => m.remove());
  });

  /* One change on the server; the flow as saved comes back. Refusals go on the steps they name. */
  async function change(request, {keep = false} = {}) {
    const before = flow;
    const r = await request;
    if (r.ok) {
      if (!keep) history.push(before);
      flow = r.data;
      problems = {};
      onPath = new Set();
      document.getElementById("step-error").textContent = "";
      document.getElementById("undo").disabled = history.length === 0;
      draw();
      return true;
    }
    showProblems(r.data);
    return false;
  }

  function showProblems(body) {
    const err = (body && body.error) || {message: String(body)};
    problems = {};
    (err.details || []).forEach((d) => {
      const inFlow = (d.path || "").replace(/^flows\[\d+\]\.?/, "");
      const nodes = [...zoomBox.querySelectorAll(".node[data-path]")].map((n) => n.dataset.path);
      const owner = nodes.filter((p) => inFlow === p || inFlow.startsWith(`${p}.`)).sort((a, b) => b.length - a.length)[0];
      (problems[owner || "flow"] = problems[owner || "flow"] || []).push(d.message);
    });
    document.getElementById("step-error").textContent = err.message + (err.details || []).map((d) => `；${d.message}`).join("");
    toast(err.message, "error");
    keepPanel = Boolean(selected && readPanel);
    draw();
    if (selected && selected.branch === undefined && panels) {
      const inStep = (err.details || []).map((d) => ({...d, path: (d.path || "").replace(/^flows\[\d+\]\.?/, "")}))
        .filter((d) => d.path.startsWith(`${selected.path}.`)).map((d) => ({...d, path: d.path.slice(selected.path.length + 1)}));
      panels.showErrors(stepFields, inStep);
    }
  }

  const move = (path, position) => {
    const seq = path.replace(/\[\d+\]$/, "");
    change(api("POST", `${base}/steps/move`, {path, to: `${seq}[${position}]`}));
  };

  function remove(path) {
    if (!confirm(words.confirm_remove)) return;
    if (selected && selected.path === path) selected = null;
    change(api("DELETE", `${base}/steps?path=${encodeURIComponent(path)}`));
  }

  function select(what) {
    selected = what;
    document.getElementById("step-error").textContent = "";
    draw();
  }

  function fillPanel() {
    if (keepPanel) { keepPanel = false; return; }
    panel.hidden = !selected;
    document.getElementById("step-none").hidden = Boolean(selected);
    if (!selected) return;
    const step = stepAt(selected.path);
    const branch = selected.branch !== undefined ? step.branches[selected.branch] : null;
    const kind = branch ? "branch" : kindOf(step);
    panel.querySelectorAll("[data-for]").forEach((box) => { box.hidden = box.dataset.for !== kind; });
    document.getElementById("step-kind").textContent = branch ? words.branch : (labels[kind] || kind);
    const target = branch || step;
    panel.elements.name.value = target.name || "";
    stepFields.innerHTML = "";
    readPanel = null;
    const render = !branch && panels && panels.get(kind);
    if (render) {
      const ticket = ++drawn;
      panels.choices(`${base}/choices`).then((choices) => {
        if (ticket === drawn) readPanel = render(stepFields, step, {choices, app: data.app, pointing: data.pointing});
      });
    }
    if (branch) {
      panel.elements.when.value = branch.when || "";
      panel.elements.when.dispatchEvent(new Event("condition:load")); // the condition picker reads it again
    }
    const {type, action, branches, steps, ...options} = target;
    document.getElementById("step-json").value = JSON.stringify(options, null, 2);
  }

  /* The changes the panel asks for: the plain inputs, then whatever the expert JSON says differently. */
  function panelChanges(step) {
    const changes = {name: panel.elements.name.value || null, ...(readPanel ? readPanel() : {})};
    let expert;
    try { expert = JSON.parse(document.getElementById("step-json").value || "{}"); } catch (e) {
      document.getElementById("step-error").textContent = e.message;
      return null;
    }
    const {type, action, branches, steps, ...before} = step;
    Object.keys(before).forEach((k) => { if (!(k in expert)) changes[k] = null; });
    Object.entries(expert).forEach(([k, v]) => {
      if (JSON.stringify(v) !== JSON.stringify(before[k])) changes[k] = v;
    });
    return changes;
  }

  panel.addEventListener("submit", (event) => {
    event.preventDefault();
    const step = stepAt(selected.path);
    if (selected.branch !== undefined) {
      const list = JSON.parse(JSON.stringify(step.branches));
      const branch = list[selected.branch];
      branch.name = panel.elements.name.value || undefined;
      if (!branch.default) branch.when = panel.elements.when.value;
      change(api("PATCH", `${base}/steps?path=${encodeURIComponent(selected.path)}`, {branches: JSON.parse(JSON.stringify(list))}));
      return;
    }
    const changes = panelChanges(step);
    if (changes) change(api("PATCH", `${base}/steps?path=${encodeURIComponent(selected.path)}`, changes));
  });

  document.getElementById("undo").addEventListener("click", async () => {
    const previous = history.pop();
    if (previous) await change(api("PUT", base, previous), {keep: true});
    document.getElementById("undo").disabled = history.length === 0;
  });

  // CSS zoom, not a transform: the canvas lays the tree out at its zoomed size, so every part of a wide flow
  // stays within reach of the scroll bars (a scaled transform grew past the canvas's left edge).
  const setZoom = (z) => { zoom = Math.min(1.5, Math.max(0.4, z)); zoomBox.style.zoom = String(zoom); };
  document.getElementById("zoom-in").addEventListener("click", () => setZoom(zoom + 0.1));
  document.getElementById("zoom-out").addEventListener("click", () => setZoom(zoom - 0.1));

  document.getElementById("publish").addEventListener("click", async () => {
    const r = await api("POST", `/api/v1/apps/${data.app}/publish`);
    if (r.ok) toast(words.published.replace("{v}", r.data.version));
    else window.tangram.showErrors(document.querySelector("main"), r.data);
  });

  document.getElementById("trial").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const r = await api("POST", `${base}/trial`, {record_id: Number(form.elements.record_id.value)});
    const out = document.getElementById("trial-result");
    out.innerHTML = "";
    if (!r.ok) { window.tangram.showErrors(form, r.data); return; }
    window.tangram.clearErrors(form);
    onPath = new Set([...Object.keys(r.data.asked), ...r.data.timeline.map((e) => e.step).filter(Boolean)]);
    out.append(el("p", "trial-status", r.data.status));
    const list = el("ol");
    r.data.timeline.forEach((entry) => list.append(el("li", "", entry.message)));
    out.append(list);
    Object.entries(r.data.asked).forEach(([path, users]) => {
      const name = (stepAt(path).name || path);
      out.append(el("p", "asked", `${name} · ${words.asked}：${users.map((u) => (r.data.people || {})[u] || u).join("、")}`));
    });
    draw();
  });

  /* 试运行's record: searched by title in the form's list (its own search, by pinyin too); a match fills the ID. */
  const trialSearch = document.getElementById("trial-search");
  const trialFound = document.getElementById("trial-found");
  let searching;
  trialSearch.addEventListener("input", () => {
    clearTimeout(searching);
    searching = setTimeout(async () => {
      const title = (data.forms.find((f) => f.key === data.flow.form) || {}).title_field;
      const q = trialSearch.value.trim();
      const r = await api("GET", `/api/v1/apps/${data.app}/forms/${data.flow.form}/records?limit=10` +
                                 (q && title ? `&q=${encodeURIComponent(q)}` : ""));
      trialFound.innerHTML = "";
      ((r.ok && r.data.items) || []).forEach((item) => {
        const b = el("button", "link", `${title && item.data[title] != null ? item.data[title] : ""} #${item.id}`.trim());
        b.type = "button";
        b.addEventListener("click", () => {
          document.getElementById("trial-record").value = item.id;
          trialFound.hidden = true;
        });
        const li = el("li");
        li.append(b);
        trialFound.append(li);
      });
      trialFound.hidden = !trialFound.children.length;
    }, 200);
  });

  document.getElementById("flow-download").addEventListener("click", () => {
    const link = el("a");
    link.href = URL.createObjectURL(new Blob([JSON.stringify(flow, null, 2)], {type: "application/json"}));
    link.download = `${flow.key}.json`;
    link.click();
    URL.revokeObjectURL(link.href);
  });

  window.tangram.flowDesigner = {flow: () => flow, change, data}; // for the panels in their own files
  draw();
});
