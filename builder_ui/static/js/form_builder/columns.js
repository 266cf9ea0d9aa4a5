/* The sub-table column editor of the form builder: one block per column (label, key, type, required,
   and by type: options, formula, target form), moved up or down, removed, added. Every change sends
   the whole `fields` list in one PATCH, as the definition holds it; a column keeps the options this
   editor does not show, unless its type changes (then it starts from the palette's defaults).
   DOM contract: [data-editor="columns"] holding ol#p-columns, template#column-template (one
   li with [data-part] inputs, label[data-for-part], [data-part-types], [data-column-error],
   [data-move="-1|1"], [data-remove-column]) and [data-add-column]. */
"use strict";

(function () {
  const formats = window.tangram.builderFormats;
  const editors = window.tangram.builderEditors = window.tangram.builderEditors || {};
  const copy = (value) => JSON.parse(JSON.stringify(value || {}));

  function fillRow(li, column, i, ctx) {
    const part = (name) => li.querySelector(`[data-part="${name}"]`);
    li.dataset.index = i;
    li.querySelector("legend").textContent = ctx.words.column.replace("{n}", i + 1);
    li.querySelectorAll("[data-part]").forEach((el) => { el.id = `col-${i}-${el.dataset.part}`; });
    li.querySelectorAll("label[data-for-part]").forEach((el) => { el.htmlFor = `col-${i}-${el.dataset.forPart}`; });
    part("label").value = column.label || "";
    part("key").value = column.key || "";
    part("type").value = column.type;
    part("required").checked = Boolean(column.required);
    part("options").value = formats.options.toText(column.options);
    part("formula").value = column.formula || "";
    const target = part("target");
    target.replaceChildren(...ctx.forms.map((f) => new Option(f.name, f.key, false, f.key === column.target)));
    li.querySelectorAll("[data-part-types]").forEach((box) => {
      box.hidden = !box.dataset.partTypes.split(" ").includes(column.type);
    });
    const slot = li.querySelector("[data-column-error]");
    slot.dataset.errorFor = `fields[${i}]`;
    slot.textContent = "";
  }

  function readRow(li, before, ctx) {
    const part = (name) => li.querySelector(`[data-part="${name}"]`);
    const old = li.dataset.index === "" ? null : before[Number(li.dataset.index)];
    const type = part("type").value;
    const kept = Boolean(old && old.type === type);
    const column = kept ? copy(old) : Object.assign({type}, copy(ctx.palette[type].defaults));
    if (!kept && type === "relation") column.target = ctx.forms[0].key;
    column.label = part("label").value.trim();
    column.key = part("key").value.trim();
    if (part("required").checked) column.required = true; else delete column.required;
    if (kept && ["select", "multi_select"].includes(type)) column.options = formats.options.fromText(part("options").value, old.options);
    if (kept && type === "formula") column.formula = part("formula").value.trim();
    if (kept && type === "relation") column.target = part("target").value;
    return column;
  }

  function newColumn(list, ctx) {
    const keys = new Set([...list.querySelectorAll('[data-part="key"]')].map((el) => el.value));
    let n = list.children.length + 1;
    while (keys.has(`col_${n}`)) n += 1;
    return {key: `col_${n}`, label: ctx.words.column.replace("{n}", n), type: "text"};
  }

  editors.columns = {
    fill(box, field, ctx) {
      const list = box.querySelector("ol");
      const template = box.querySelector("template");
      const columns = field.fields || [];
      while (list.children.length > columns.length) list.lastElementChild.remove();
      while (list.children.length < columns.length) list.append(template.content.firstElementChild.cloneNode(true));
      columns.forEach((column, i) => fillRow(list.children[i], column, i, ctx));
    },

    read(box, field, ctx) {
      return {fields: [...box.querySelector("ol").children].map((li) => readRow(li, field.fields || [], ctx))};
    },

    /* Buttons change the list in place and then report a change, saved like any other. */
    bind(box, context) {
      const list = box.querySelector("ol");
      const changed = () => box.dispatchEvent(new Event("change", {bubbles: true}));
      box.addEventListener("click", (event) => {
        const li = event.target.closest("li");
        if (event.target.closest("[data-add-column]")) {
          const ctx = context();
          const row = box.querySelector("template").content.firstElementChild.cloneNode(true);
          fillRow(row, newColumn(list, ctx), list.children.length, ctx);
          row.dataset.index = "";
          list.append(row);
          row.querySelector('[data-part="label"]').focus();
          changed();
        } else if (event.target.closest("[data-move]") && li) {
          const step = Number(event.target.closest("[data-move]").dataset.move);
          const other = step < 0 ? li.previousElementSibling : li.nextElementSibling;
          if (!other) return;
          if (step < 0) other.before(li); else other.after(li);
          event.target.focus();
          changed();
        } else if (event.target.closest("[data-remove-column]") && li) {
          const next = li.nextElementSibling || li.previousElementSibling;
          li.remove();
          (next ? next.querySelector('[data-part="label"]') : box.querySelector("[data-add-column]")).focus();
          changed();
        }
      });
    },
  };
})();
