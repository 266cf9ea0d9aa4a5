/* The chart builder's type-specific slots (loaded before chart_builder.js, which calls them): a pivot's
   行 / 列 (its two dimensions, the first down and the second across; 值 is the measures slot), a table's
   小计 / 合计 switches (`subtotals` / `totals`, written only when off) and a funnel's steps (`steps`: each a
   name and a condition written with the condition picker). Each edits the widget JSON it is handed and calls
   `changed`, as the rest of the builder does; keys it does not know stay as they were.
   Usage: const extra = window.tangramChartTypes(cb), cb = {widget(), fields(), changed(redraw), el, W, checkUrl(),
   dimensionExtras(d), labelOf(key), fieldOf(key), showSlotError(slot, message)}; extra.draw() after every
   change, extra.drop(slot, key) for a field dropped on 行 / 列, extra.slotOf(index) for an error's dimension.
   DOM contract: #cb-pivot with ul.cb-drop#cb-rows / #cb-columns (li.cb-chip[data-index] = the dimension's index,
   button.cb-swap, button.cb-remove); #cb-subtotals, #cb-totals (checkboxes); ol#cb-steps > li.cb-chip.cb-step
   [data-index] (span.cb-step-handle, the number, drags the step; input.cb-step-label, input.cb-step-filter with its .condition-picker, button.cb-up / .cb-down /
   .cb-remove); button#cb-add-step; #cb-stages-slot with ul#cb-stages li input[type=checkbox][data-stage] (a funnel's
   stages: the options of its select dimension, ticked when shown). */
"use strict";

window.tangramChartTypes = function (cb) {
  const $ = (id) => document.getElementById(id);
  const {el, W} = cb;
  let drawnSteps = "";  // the steps as last drawn: typing in one does not redraw them (the caret stays)

  function button(className, text, label, onClick, disabled) {
    const b = el("button", {type: "button", className, textContent: text, title: label, disabled: !!disabled});
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }

  /* --- pivot: 行 = dimensions[0], 列 = dimensions[1] --- */

  function pivotChip(index) {
    const widget = cb.widget(), d = widget.dimensions[index];
    const label = d.label || cb.labelOf(d.field);
    const item = el("li", {className: "cb-chip"});
    item.dataset.index = String(index);
    item.append(el("span", {className: "cb-chip-label", textContent: label}), ...cb.dimensionExtras(d),
      button("cb-swap", "⇄", `${W.cb_swap}：${label}`, () => {
        widget.dimensions.reverse();
        cb.changed();
      }, widget.dimensions.length < 2),
      button("cb-remove", "×", `${W.remove}：${label}`, () => {
        widget.dimensions.splice(index, 1);
        cb.changed();
      }));
    return item;
  }

  /* A field dropped on 行 replaces the row dimension; on 列, the column one (a row comes first). */
  function drop(slot, key) {
    const widget = cb.widget(), f = cb.fieldOf(key);
    cb.showSlotError(slot, "");
    if (!f || !f.dimension) { cb.showSlotError(slot, W.cb_not_dimension); return; }
    const dim = f.buckets ? {field: key, bucket: "month"} : {field: key};
    const dims = widget.dimensions = (widget.dimensions || []).slice(0, 2);
    if (slot === "rows") dims[0] = dim;
    else if (!dims.length) { cb.showSlotError(slot, W.cb_pivot_rows_first); return; }
    else dims[1] = dim;
    cb.changed();
  }

  function drawPivot() {
    const widget = cb.widget(), pivot = widget.type === "pivot";
    $("cb-pivot").hidden = !pivot;
    $("cb-measures-name").textContent = pivot ? W.cb_values : W.cb_measures;
    if (!pivot) return;
    const dims = widget.dimensions || [];
    $("cb-rows").replaceChildren(...(dims.length > 0 ? [pivotChip(0)] : []));
    $("cb-columns").replaceChildren(...(dims.length > 1 ? [pivotChip(1)] : []));
  }

  /* --- table: 小计 / 合计 --- */

  function toggle(id, key) {
    $(id).addEventListener("change", () => {
      const widget = cb.widget();
      if ($(id).checked) delete widget[key]; else widget[key] = false;
      cb.changed();
    });
  }

  toggle("cb-subtotals", "subtotals");
  toggle("cb-totals", "totals");

  /* --- funnel steps --- */

  function stepItem(step, i, count) {
    const widget = cb.widget();
    const item = el("li", {className: "cb-chip cb-step"});
    item.dataset.index = String(i);
    const name = el("input", {className: "cb-step-label", value: step.label, placeholder: W.cb_step_label});
    name.setAttribute("aria-label", `${W.cb_step_label} ${i + 1}`);
    name.addEventListener("input", () => { step.label = name.value; cb.changed(false); });
    const condition = el("input", {className: "cb-step-filter", value: step.filter || ""});
    condition.setAttribute("aria-label", `${W.cb_step_condition} ${i + 1}`);
    condition.addEventListener("input", () => {
      if (condition.value.trim()) step.filter = condition.value.trim(); else delete step.filter;
      cb.changed(false);
    });
    const move = (to) => {
      widget.steps.splice(to, 0, widget.steps.splice(i, 1)[0]);
      cb.changed();
    };
    const buttons = [
      [button("cb-up", "↑", "", () => move(i - 1), i === 0), W.move_up],
      [button("cb-down", "↓", "", () => move(i + 1), i === count - 1), W.move_down],
      [button("cb-remove", "×", "", () => {
        widget.steps.splice(i, 1);
        if (!widget.steps.length) delete widget.steps;
        cb.changed();
      }), W.remove]];
    const named = () => buttons.forEach(([b, word]) => {  // the buttons say which step they act on, as it is named now
      b.title = `${word}：${step.label || `${W.cb_step} ${i + 1}`}`;
      b.setAttribute("aria-label", b.title);
    });
    named();
    name.addEventListener("input", named);
    const handle = el("span", {className: "cb-chip-label cb-step-handle", textContent: `${i + 1}.`, title: W.cb_step_drag});
    item.append(handle, name, ...buttons.map(([b]) => b),
      condition);
    return item;
  }

  function drawSteps() {
    const widget = cb.widget(), steps = widget.steps || [];
    const shape = JSON.stringify([widget.form, steps]);
    if (shape === drawnSteps && $("cb-steps").children.length === steps.length) return;
    drawnSteps = shape;
    const list = $("cb-steps");
    list.replaceChildren(...steps.map((s, i) => stepItem(s, i, steps.length)));
    list.querySelectorAll("input.cb-step-filter").forEach((input) => {
      window.tangram.conditionPicker(input, {fields: cb.fields(), checkUrl: cb.checkUrl()});
    });
  }

  // Dragging a step by its number reorders the steps (as ↑ / ↓ do).
  window.Sortable.create($("cb-steps"), {handle: ".cb-step-handle", animation: 0, forceFallback: true,
    onUpdate: (e) => {
      const steps = cb.widget().steps;
      steps.splice(e.newIndex, 0, steps.splice(e.oldIndex, 1)[0]);
      drawnSteps = "";  // the numbers and buttons follow the new order
      cb.changed();
    }});

  $("cb-add-step").addEventListener("click", () => {
    const widget = cb.widget();
    widget.steps = widget.steps || [];
    widget.steps.push({label: `${W.cb_step} ${widget.steps.length + 1}`});
    cb.changed();
    const names = document.querySelectorAll("#cb-steps input.cb-step-label");
    if (names.length) names[names.length - 1].select();
  });

  /* --- funnel stages: which options of its select dimension it shows (`stages`, left out when all, in order) --- */

  function drawStages() {
    const widget = cb.widget(), dim = (widget.dimensions || [])[0];
    const f = dim && widget.type === "funnel" ? cb.fieldOf(dim.field) : null;
    const options = f && f.type === "select" ? (f.options || []) : [];
    $("cb-stages-slot").hidden = !options.length;
    if (!options.length) { $("cb-stages").replaceChildren(); return; }
    const labelOf = new Map(options.map((o) => [o.value, o.label || o.value]));
    const chosen = widget.stages || options.map((o) => o.value);
    // The chosen stages in their order (a value no longer an option too, to be unticked), then the others.
    const shown = [...chosen, ...options.map((o) => o.value).filter((v) => !chosen.includes(v))];
    $("cb-stages").replaceChildren(...shown.map((value) => {
      const box = el("input", {type: "checkbox", checked: chosen.includes(value)});
      box.dataset.stage = value;
      box.addEventListener("change", () => {
        const ticked = [...$("cb-stages").querySelectorAll("input[data-stage]")].filter((b) => b.checked).map((b) => b.dataset.stage);
        const all = ticked.length === options.length && ticked.every((v, i) => v === options[i].value);
        if (all) delete widget.stages; else widget.stages = ticked;
        cb.changed();
      });
      return el("li", {}, [el("label", {className: "check"}, [box, ` ${labelOf.get(value) || value}`])]);
    }));
  }

  function draw() {
    const widget = cb.widget();
    drawStages();
    drawPivot();
    $("cb-subtotals").checked = widget.subtotals !== false;
    $("cb-totals").checked = widget.totals !== false;
    drawSteps();
  }

  /* The slot an engine error on dimensions[index] belongs to: a pivot's 行 or 列, else 维度. */
  function slotOf(index) {
    if (cb.widget().type !== "pivot") return "dimensions";
    return index === "1" ? "columns" : "rows";
  }

  return {draw, drop, slotOf};
};
