/* The form builder. Every action is one call to the builder endpoints of the API on the draft:
   drop a palette type on the canvas → POST …/fields?position=N; reorder → POST …/fields/{key}/move;
   change a property → PATCH …/fields/{key}; remove → DELETE; publish → POST …/publish/check, then
   …/publish with the user's decisions (form_builder/publish_report.js).
   Each answer is the form's new definition, which is drawn again; a refusal (422) is shown next to
   the property it names, and what the user typed stays for them to correct.
   Plain inputs carry data-prop (one option each; data-format="options|tree|rules" names a text format
   of form_builder/formats.js); a box with data-editor is one editor of form_builder/ (columns, lookup,
   rollup: {fill, read, bind?, defaults?}) whose read() gives the changes to send.
   DOM contract: #builder-data (JSON: app, form, palette, forms (the catalogue of builder.py), results,
   words, lang), #palette li[data-type], #canvas, form#properties [data-prop] [data-editor]
   [data-for-types] [data-not-for-types] [data-error-for], #remove-field, #publish. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, toast, builderFormats: formats, builderEditors: editors = {}} = window.tangram;
  const data = JSON.parse(document.getElementById("builder-data").textContent);
  const en = data.lang === "en";
  const base = `/api/v1/apps/${data.app}/forms/${data.form.key}`;
  const canvas = document.getElementById("canvas");
  const panel = document.getElementById("properties");
  const palette = Object.fromEntries(data.palette.map((p) => [p.type, p]));
  let form = data.form;
  let selected = null;
  const context = () => ({form, forms: data.forms, palette, results: data.results, words: data.words});

  const typeName = (type) => (palette[type] ? (en ? palette[type].en : palette[type].zh) : type);

  function draw() {
    drawCanvas();
    fillPanel();
  }

  function drawCanvas() {
    canvas.innerHTML = "";
    (form.fields || []).forEach((f) => {
      const li = document.createElement("li");
      li.dataset.key = f.key;
      li.tabIndex = 0;
      li.setAttribute("role", "button");
      if (f.width === "half") li.classList.add("half");
      if (f.key === selected) li.classList.add("selected");
      const label = document.createElement("div");
      label.textContent = f.label + (f.required ? " *" : "");
      const type = document.createElement("div");
      type.className = "type";
      type.textContent = `${typeName(f.type)} · ${f.key}`;
      li.append(label, type);
      canvas.append(li);
    });
    document.getElementById("canvas-hint").hidden = (form.fields || []).length > 0;
  }

  function fieldOf(key) { return (form.fields || []).find((f) => f.key === key); }

  function fillPanel() {
    const field = selected && fieldOf(selected);
    panel.hidden = !field;
    if (!field) return;
    panel.querySelectorAll(".error").forEach((e) => { e.textContent = ""; });
    panel.querySelectorAll("[data-for-types]").forEach((box) => {
      box.hidden = !box.dataset.forTypes.split(" ").includes(field.type);
    });
    panel.querySelectorAll("[data-not-for-types]").forEach((box) => {
      box.hidden = box.dataset.notForTypes.split(" ").includes(field.type);
    });
    panel.querySelectorAll("[data-prop]").forEach((input) => {
      const value = field[input.dataset.prop];
      if (input.type === "checkbox") input.checked = Boolean(value);
      else if (input.dataset.format) {
        input.value = shown(input) ? formats[input.dataset.format].toText(value) : "";
      } else if (input.dataset.prop === "width") input.value = value || "full";
      else input.value = value === undefined || value === null ? "" : String(value);
    });
    panel.querySelectorAll("[data-editor]").forEach((box) => {
      if (!box.hidden) editors[box.dataset.editor].fill(box, field, context());
    });
    const target = panel.querySelector('[data-prop="target"]');
    target.innerHTML = '<option value=""></option>';
    data.forms.forEach((f) => {
      const option = new Option(f.name, f.key, false, f.key === field.target);
      target.append(option);
    });
  }

  /* Whether an element is in a part of the panel shown for the selected field's type. */
  function shown(el) {
    for (let box = el.closest("[hidden]"); box; box = box.parentElement && box.parentElement.closest("[hidden]")) {
      if (box !== panel) return false;
    }
    return true;
  }

  function propValue(input, field) {
    const prop = input.dataset.prop;
    const text = input.value.trim();
    if (input.type === "checkbox") return input.checked || null;
    if (input.dataset.format) return formats[input.dataset.format].fromText(input.value, field[prop], data.words);
    if (prop === "width") return text === "half" ? "half" : null;
    if (["min", "max", "max_length"].includes(prop)) return text === "" ? null : Number(text);
    return text === "" ? null : text;
  }

  /* The shown error slot for a property path: `fields[2]` (a sub-table column) before `fields`. */
  function slotFor(path) {
    const names = [(path.match(/^[a-z_]+\[\d+\]/) || [])[0], (path.match(/^[a-z_]+/) || [])[0]];
    for (const name of names.filter(Boolean)) {
      const slot = [...panel.querySelectorAll(`[data-error-for="${CSS.escape(name)}"]`)].find(shown);
      if (slot) return slot;
    }
    return null;
  }

  /* A refusal names a JSON path such as forms[1].fields[3].options[0]: show it at that property. */
  function showRefusal(error) {
    const err = (error && error.error) || {message: String(error)};
    const details = err.details && err.details.length ? err.details : [{path: err.field || "", message: err.message}];
    panel.querySelectorAll(".error").forEach((e) => { e.textContent = ""; });
    let placed = false;
    details.forEach((d) => {
      const slot = !panel.hidden && slotFor((d.path || "").replace(/^forms\[\d+\]\.fields\[\d+\]\./, ""));
      if (slot) { slot.textContent = (slot.textContent ? slot.textContent + "；" : "") + d.message; placed = true; }
    });
    if (!placed) toast(details.map((d) => d.message).join("；"), "error");
  }

  /* On a refusal the draft is unchanged: the canvas is drawn again (a drag may have moved an item),
     the panel keeps what the user typed, next to the reason. */
  async function edit(method, url, body) {
    const r = await api(method, url, body);
    if (r.ok) { form = r.data; draw(); return true; }
    drawCanvas();
    showRefusal(r.data);
    return false;
  }

  function newKey(type) {
    const keys = new Set((form.fields || []).map((f) => f.key));
    let n = 1;
    while (keys.has(`${type}_${n}`)) n += 1;
    return `${type}_${n}`;
  }

  async function addField(type, position) {
    const key = newKey(type);
    const count = (form.fields || []).filter((f) => f.type === type).length;
    const field = Object.assign({key, type, label: typeName(type) + (count ? ` ${count + 1}` : "")},
      JSON.parse(JSON.stringify(palette[type].defaults)));
    if (type === "relation") field.target = data.forms[0].key;
    if (editors[type] && editors[type].defaults) {
      try { Object.assign(field, editors[type].defaults(context())); } catch (e) { toast(e.message, "error"); return; }
    }
    const where = position === undefined ? "" : `?position=${position}`;
    if (await edit("POST", `${base}/fields${where}`, field)) { selected = key; draw(); }
  }

  window.Sortable.create(document.getElementById("palette"), {
    group: {name: "fields", pull: "clone", put: false}, sort: false, animation: 120, forceFallback: true,
    draggable: "li[data-type]",  // not the group headings
  });
  window.Sortable.create(canvas, {
    group: {name: "fields", pull: false, put: true}, animation: 120, forceFallback: true,
    onAdd: (event) => { const type = event.item.dataset.type; event.item.remove(); addField(type, event.newIndex); },
    onUpdate: (event) => edit("POST", `${base}/fields/${event.item.dataset.key}/move`, {position: event.newIndex}),
  });

  document.getElementById("palette").addEventListener("keydown", (event) => {
    if ((event.key === "Enter" || event.key === " ") && event.target.dataset.type) {
      event.preventDefault();
      addField(event.target.dataset.type);
    }
  });
  const choose = (event) => {
    const li = event.target.closest("li[data-key]");
    if (!li) return;
    selected = li.dataset.key;
    draw();
    const label = document.getElementById("p-label");
    if (label) label.focus();
  };
  canvas.addEventListener("click", choose);
  canvas.addEventListener("keydown", (event) => { if (event.key === "Enter") choose(event); });

  panel.addEventListener("submit", (event) => event.preventDefault());
  panel.querySelectorAll("[data-editor]").forEach((box) => {
    const editor = editors[box.dataset.editor];
    if (editor.bind) editor.bind(box, context);
  });
  panel.addEventListener("change", async (event) => {
    const box = event.target.closest("[data-editor]");
    const input = box || event.target.closest("[data-prop]");
    const field = selected && fieldOf(selected);
    if (!input || !field) return;
    let changes;
    try {
      changes = box ? editors[box.dataset.editor].read(box, field, context())
        : {[input.dataset.prop]: propValue(input, field)};
    } catch (e) {
      showRefusal({error: {message: e.message, details: [{path: box ? "" : input.dataset.prop, message: e.message}]}});
      return;
    }
    const ok = await edit("PATCH", `${base}/fields/${selected}`, changes);
    if (ok && changes.key) { selected = changes.key; draw(); }
  });

  document.getElementById("remove-field").addEventListener("click", async () => {
    if (!selected) return;
    const key = selected;
    selected = null;
    if (!(await edit("DELETE", `${base}/fields/${key}`))) selected = key;
  });

  document.getElementById("publish").addEventListener("click", async () => {
    const slot = document.querySelector('[data-error-for="publish"]');
    slot.textContent = "";
    const r = await window.tangram.builderPublish(data.app, en);  // the report first (publish_report.js)
    if (r === null) return;  // cancelled in the report
    if (r.ok) {
      toast(en ? `Published as version ${r.data.version}` : `已发布为第 ${r.data.version} 版`);
      document.querySelector("h1 small").textContent = (en ? "Version " : "版本 ") + r.data.version;
      return;
    }
    const err = r.data.error;
    slot.textContent = [err.message].concat((err.details || []).map((d) => `${d.path}: ${d.message}`)).join("；");
  });

  draw();
});
