/* The dashboard editor: widgets on a 12-column grid (drag the title to move, the corner to resize; with the
   keyboard, arrows on the title move and Shift+arrows resize), copy or delete a widget, dashboard filters with
   the widgets each applies to, the roles that may see the dashboard; save to the draft, publish.
   Data: #editor-data (JSON: `report` as the draft holds it, `places` of every widget, `columns`, `forms`,
   `fields` a filter may name with the forms that have them, `roles`, API addresses, `words`).
   DOM contract: #report-name; #save; #publish; #editor-state (role=status); [data-error-for="form"];
   #grid holds one article.widget[data-key][data-x][data-y][data-w][data-h] per widget, with button.handle,
   button.resize, button.copy-widget, button.remove-widget and .body (the preview, drawn by widgets.js from
   the query API on the draft definition; .body[data-drawn] once answered); #editor-filters li[data-field] with
   input[type=checkbox][data-widget] per widget whose form has the field and button.remove-filter;
   select#new-filter with #add-filter; #editor-roles input[type=checkbox][data-role].
   Nothing is written until 保存 (or 发布, which saves first); copying or deleting a widget saves, then
   asks the API, then loads the page again. A dashboard nobody moved keeps no layouts, so opening and
   saving one changes nothing; after the first move every widget keeps its place. */
"use strict";

(function () {
  const E = JSON.parse(document.getElementById("editor-data").textContent);
  const W = E.words, lang = window.tangram.lang();
  const {api, showErrors} = window.tangram;
  const main = document.querySelector("main");
  const grid = document.getElementById("grid");
  const nameInput = document.getElementById("report-name");
  const ROW = 60, GAP = 12;  // as .dashboard-grid in dashboards.css
  let report = E.report;
  let places = E.places;
  let placed = (report.widgets || []).some((w) => w.layout);
  let charts = {};

  const el = (tag, props, children) => { const n = Object.assign(document.createElement(tag), props || {}); if (children) n.append(...children); return n; };
  const clone = (x) => JSON.parse(JSON.stringify(x));
  const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
  const state = (text) => { document.getElementById("editor-state").textContent = text; };
  let dirty = false;
  function changed() { dirty = true; state(W.ed_unsaved); }

  /* The report as it will be saved. */
  function held() {
    const out = Object.assign({}, report, {name: nameInput.value.trim()});
    if (placed) out.widgets = (report.widgets || []).map((w) => Object.assign({}, w, {layout: places[w.key]}));
    return out;
  }

  const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

  /* Keep `moved` where it is and push every widget it now covers down, top to bottom, until none overlap. */
  function settle(moved) {
    const settled = [places[moved]];
    const others = Object.keys(places).filter((k) => k !== moved).sort((a, b) => places[a].y - places[b].y || places[a].x - places[b].x);
    for (const k of others) {
      const p = places[k];
      for (let hit = settled.find((q) => overlaps(p, q)); hit; hit = settled.find((q) => overlaps(p, q))) p.y = hit.y + hit.h;
      settled.push(p);
    }
  }

  function position(box) {
    const p = places[box.dataset.key];
    box.style.gridColumn = `${p.x + 1} / span ${p.w}`;
    box.style.gridRow = `${p.y + 1} / span ${p.h}`;
    Object.assign(box.dataset, {x: p.x, y: p.y, w: p.w, h: p.h});
  }

  function layoutAll() {
    grid.querySelectorAll(".widget").forEach(position);
    Object.values(charts).forEach((c) => c.resize());
  }

  function cell() {
    const width = grid.getBoundingClientRect().width;
    return {w: (width + GAP) / E.columns, h: ROW + GAP};
  }

  /* Drag on `handle`: move the widget (mode "move") or change its size ("resize") by whole cells. */
  function draggable(box, handle, mode) {
    handle.addEventListener("pointerdown", (down) => {
      if (down.button !== 0) return;
      down.preventDefault();
      handle.setPointerCapture(down.pointerId);
      const key = box.dataset.key, before = clone(places), size = cell();
      box.classList.add("dragging");
      const follow = (ev) => {
        const dx = Math.round((ev.clientX - down.clientX) / size.w), dy = Math.round((ev.clientY - down.clientY) / size.h);
        places = clone(before);
        const p = places[key];
        if (mode === "move") { p.x = clamp(before[key].x + dx, 0, E.columns - p.w); p.y = clamp(before[key].y + dy, 0, 1000); }
        else { p.w = clamp(before[key].w + dx, 1, E.columns - p.x); p.h = clamp(before[key].h + dy, 1, 24); }
        settle(key);
        layoutAll();
      };
      const end = () => {
        handle.removeEventListener("pointermove", follow);
        box.classList.remove("dragging");
        if (JSON.stringify(before) !== JSON.stringify(places)) { placed = true; changed(); }
      };
      handle.addEventListener("pointermove", follow);
      handle.addEventListener("pointerup", end, {once: true});
      handle.addEventListener("pointercancel", end, {once: true});
    });
    handle.addEventListener("keydown", (ev) => {
      const step = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]}[ev.key];
      if (!step) return;
      ev.preventDefault();
      const p = places[box.dataset.key];
      if (mode === "resize" || ev.shiftKey) { p.w = clamp(p.w + step[0], 1, E.columns - p.x); p.h = clamp(p.h + step[1], 1, 24); }
      else { p.x = clamp(p.x + step[0], 0, E.columns - p.w); p.y = clamp(p.y + step[1], 0, 1000); }
      settle(box.dataset.key);
      layoutAll();
      placed = true;
      changed();
    });
  }

  async function preview(w, body) {
    const definition = Object.assign({}, w);
    delete definition.layout;
    const r = await api("POST", E.query, definition);
    body.replaceChildren();
    body.dataset.drawn = "true";
    if (!r.ok) { body.append(el("p", {className: "muted", textContent: (r.data && r.data.error && r.data.error.message) || `${W.error} ${r.status}`})); return; }
    const chart = window.tangramWidgets.draw(body, r.data.widgets[0], {words: W, lang, stack: w.stack}, () => {});
    if (chart) charts[w.key] = chart;
  }

  async function saveFirst() {
    const r = await api("PUT", E.api, held());
    if (!r.ok) { showErrors(main, r.data); return null; }
    report = r.data;
    dirty = false;
    state(W.ed_saved);
    return r;
  }

  async function copyWidget(key) {
    if (!(await saveFirst())) return;
    const taken = new Set(report.widgets.map((w) => w.key));
    let copy = `${key}_copy`;
    for (let n = 2; taken.has(copy); n += 1) copy = `${key}_copy${n}`;
    const r = await api("POST", `${E.api}/widgets/${encodeURIComponent(key)}/copy`, {key: copy.slice(0, 64)});
    if (r.ok) window.location.reload(); else showErrors(main, r.data);
  }

  async function removeWidget(key, name) {
    if (!confirm(`${W.ed_confirm_delete_widget} ${name}`)) return;
    if (!(await saveFirst())) return;
    const r = await api("DELETE", `${E.api}/widgets/${encodeURIComponent(key)}`);
    if (r.ok) window.location.reload(); else showErrors(main, r.data);
  }

  function drawGrid() {
    grid.replaceChildren();
    for (const w of report.widgets || []) {
      const name = w.name || w.key;
      const handle = el("button", {type: "button", className: "handle", textContent: name, title: W.ed_move});
      handle.setAttribute("aria-label", `${W.ed_move}：${name}`);
      const resize = el("button", {type: "button", className: "resize", textContent: "◢", title: W.ed_resize});
      resize.setAttribute("aria-label", `${W.ed_resize}：${name}`);
      const copy = el("button", {type: "button", className: "copy-widget", textContent: W.copy});
      const remove = el("button", {type: "button", className: "remove-widget danger", textContent: W.delete});
      copy.addEventListener("click", () => copyWidget(w.key));
      remove.addEventListener("click", () => removeWidget(w.key, name));
      const body = el("div", {className: "body", textContent: W.loading});
      const box = el("article", {className: "widget"}, [
        el("header", {className: "widget-bar"}, [handle, el("span", {className: "muted", textContent: E.forms[w.form] || w.form}), copy, remove]),
        body, resize]);
      box.dataset.key = w.key;
      grid.append(box);
      position(box);
      draggable(box, handle, "move");
      draggable(box, resize, "resize");
      preview(w, body);
    }
    grid.setAttribute("aria-busy", "false");
  }

  /* Filters: one row per filter, with a checkbox per widget whose form has its field. */
  function drawFilters() {
    const list = document.getElementById("editor-filters");
    list.replaceChildren();
    const filters = report.filters || [];
    if (!filters.length) list.append(el("li", {className: "muted", textContent: W.ed_no_filters}));
    filters.forEach((f, i) => {
      const field = E.fields.find((x) => x.key === f.field) || {key: f.field, label: f.field, forms: []};
      const set = el("fieldset", {className: "plain"}, [el("legend", {textContent: `${f.label || field.label} · ${W.ed_apply_to}`})]);
      for (const w of (report.widgets || []).filter((x) => field.forms.includes(x.form))) {
        const box = el("input", {type: "checkbox", checked: !f.widgets || f.widgets.includes(w.key)});
        box.dataset.widget = w.key;
        box.addEventListener("change", () => {
          f.widgets = [...set.querySelectorAll("input[data-widget]:checked")].map((c) => c.dataset.widget);
          changed();
        });
        set.append(el("label", {className: "check"}, [box, ` ${w.name || w.key}`]));
      }
      const remove = el("button", {type: "button", className: "remove-filter", textContent: W.ed_remove_filter});
      remove.addEventListener("click", () => { filters.splice(i, 1); report.filters = filters; drawFilters(); changed(); });
      const item = el("li", {}, [set, remove]);
      item.dataset.field = f.field;
      list.append(item);
    });
    const select = document.getElementById("new-filter");
    const used = new Set(filters.map((f) => f.field));
    select.replaceChildren(el("option", {value: "", textContent: "—"}),
      ...E.fields.filter((x) => !used.has(x.key)).map((x) => el("option", {value: x.key, textContent: x.label})));
  }

  function drawRoles() {
    const box = document.getElementById("editor-roles");
    box.replaceChildren();
    for (const role of E.roles) {
      const input = el("input", {type: "checkbox", checked: (report.roles || []).includes(role.key)});
      input.dataset.role = role.key;
      input.addEventListener("change", () => {
        const roles = [...box.querySelectorAll("input[data-role]:checked")].map((c) => c.dataset.role);
        if (roles.length) report.roles = roles; else delete report.roles;  // none: everyone who may open the app
        changed();
      });
      box.append(el("label", {className: "check"}, [input, ` ${role.name}`]));
    }
  }

  document.getElementById("add-filter").addEventListener("click", () => {
    const key = document.getElementById("new-filter").value;
    if (!key) return;
    report.filters = (report.filters || []).concat([{field: key}]);
    drawFilters();
    changed();
  });
  nameInput.addEventListener("input", changed);
  document.getElementById("save").addEventListener("click", saveFirst);
  document.getElementById("publish").addEventListener("click", async () => {
    if (dirty && !(await saveFirst())) return;
    const r = await api("POST", E.publish);
    if (r.ok) state(W.ed_published); else showErrors(main, r.data);
  });
  window.addEventListener("beforeunload", (ev) => { if (dirty) ev.preventDefault(); });
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  drawGrid();
  drawFilters();
  drawRoles();
})();
