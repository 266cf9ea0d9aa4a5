/* A dashboard: its filters, its widgets (drawn by widgets.js) and the records behind a point.
   Data: #board-data (JSON: `url` of the report API, `values` of the filters in the page's query string,
   `widgets` {key: {name, form_name, list, columns, stack}}, `words`, `zone`).
   DOM contract: #board-filters holds the controls, [data-filter=<field key>] (a date range is two,
   [data-part=from|to]), and #clear-filters; #board-error (role=alert) shows a refused filter, whose
   control gets aria-invalid; #widgets[data-query] receives one .widget[data-key] per widget and, once
   drawn, the query the widgets were drawn with; .widget .exports a[data-format] are the export links;
   #as-of time is the oldest moment the widgets' data is current as of, in the app's time zone;
   dialog#drill lists a point's records: #drill-title, #drill-table, #drill-count, #drill-more,
   #drill-list (the form's list), #drill-error.
   The page's query string is the reports API's own, so a reload or a shared link shows the same numbers. */
"use strict";

(function () {
  const board = JSON.parse(document.getElementById("board-data").textContent);
  const W = board.words, lang = window.tangram.lang();
  const root = document.getElementById("widgets");
  const form = document.getElementById("board-filters");
  const errorBox = document.getElementById("board-error");
  const dialog = document.getElementById("drill");
  let values = Object.assign({}, board.values);  // as the URL says, so a wrong link gets the API's word on it
  let asked = 0, charts = [], drilling = null;

  const controls = () => (form ? [...form.querySelectorAll("[data-filter]")] : []);

  function query(extra) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
    for (const [k, v] of Object.entries(extra || {})) if (v) params.set(k, v);
    return params.toString();
  }

  function readControls() {
    const out = {};
    for (const c of controls()) {
      const key = c.dataset.filter;
      if (!c.dataset.part) { out[key] = c.value.trim(); continue; }
      const side = (part) => form.querySelector(`[data-filter="${CSS.escape(key)}"][data-part="${part}"]`).value;
      out[key] = side("from") || side("to") ? `${side("from")}..${side("to")}` : "";
    }
    return out;
  }

  function keepInUrl() {
    const url = new URL(window.location.href);
    for (const c of controls()) url.searchParams.delete(c.dataset.filter);
    for (const [k, v] of Object.entries(values)) if (v) url.searchParams.set(k, v);
    window.history.replaceState(null, "", url);
  }

  function localTime(iso) {
    const opts = {year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
    let format;
    try { format = new Intl.DateTimeFormat("en-CA", Object.assign({timeZone: board.zone || undefined}, opts)); }
    catch (e) { format = new Intl.DateTimeFormat("en-CA", opts); }  // a zone this browser does not know
    const p = Object.fromEntries(format.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }

  function showAsOf(widgets) {
    const times = widgets.map((w) => w.as_of).filter(Boolean).sort();
    const time = document.querySelector("#as-of time");
    time.textContent = times.length ? `${W.as_of} ${localTime(times[0])}` : "";
    if (times.length) time.dateTime = times[0];
  }

  function refused(error) {
    errorBox.textContent = error.message;
    for (const c of controls()) {
      if (c.dataset.filter === error.field) { c.setAttribute("aria-invalid", "true"); c.setAttribute("aria-describedby", "board-error"); }
    }
  }

  function exports(key) {
    const links = document.createElement("p");
    links.className = "exports";
    for (const [format, word] of [["csv", W.export_csv], ["xlsx", W.export_xlsx]]) {
      const a = document.createElement("a");
      a.href = `${board.url}/widgets/${encodeURIComponent(key)}/export?${query({format})}`;
      a.dataset.format = format;
      a.textContent = word;
      a.setAttribute("download", "");
      links.append(a, " ");
    }
    return links;
  }

  function draw(widgets) {
    charts.forEach((c) => c.dispose());
    charts = [];
    root.replaceChildren();
    for (const w of widgets) {
      const info = board.widgets[w.key] || {};
      const box = document.createElement("article");
      box.className = "widget";
      box.dataset.key = w.key;
      const title = document.createElement("h2");
      title.textContent = info.name || w.name || w.key;
      box.append(title);
      root.append(box);
      if (w.error) { box.append(Object.assign(document.createElement("p"), {className: "muted", textContent: w.error.message})); continue; }
      box.append(exports(w.key));
      const onPoint = !board.widgets[w.key] ? null : (i) => openDrill(w, i);  // a KPI: the records of its value
      const chart = window.tangramWidgets.draw(box, w, {words: W, lang, stack: info.stack}, onPoint);
      if (chart) charts.push(chart);
    }
  }

  async function load() {
    const mine = ++asked;
    const q = query();
    root.setAttribute("aria-busy", "true");
    const result = await window.tangram.api("GET", board.url + (q ? `?${q}` : ""));
    if (mine !== asked) return;  // a newer choice of filters is on its way
    errorBox.textContent = "";
    controls().forEach((c) => { c.removeAttribute("aria-invalid"); c.removeAttribute("aria-describedby"); });
    if (result.ok) { draw(result.data.widgets); showAsOf(result.data.widgets); }
    else { draw([]); refused((result.data && result.data.error) || {message: `${W.error || "error"} ${result.status}`}); }
    root.dataset.query = q;
    root.setAttribute("aria-busy", "false");
  }

  function cellText(value) {
    if (value === null || value === undefined) return "";
    if (Array.isArray(value)) return value.map(cellText).join("、");
    if (typeof value === "object") return value.title !== undefined ? String(value.title) : JSON.stringify(value);
    return String(value);
  }

  async function fetchDrill() {
    const {w, point, info} = drilling;
    const q = query({point, limit: "20", cursor: drilling.cursor});
    const r = await window.tangram.api("GET", `${board.url}/widgets/${encodeURIComponent(w.key)}/drill?${q}`);
    if (drilling === null || drilling.w !== w || drilling.point !== point) return;
    const more = document.getElementById("drill-more");
    if (!r.ok) { document.getElementById("drill-error").textContent = r.data?.error?.message || String(r.status); more.hidden = true; return; }
    const body = document.querySelector("#drill-table tbody");
    for (const item of r.data.items) {
      const tr = body.insertRow();
      info.columns.forEach(([key], j) => {
        const value = key === "id" ? `#${item.id}` : cellText(item.data[key]);
        const cell = tr.insertCell();
        if (j > 0) { cell.textContent = value; return; }
        const a = document.createElement("a");
        a.href = `${info.list}/records/${item.id}`;
        a.textContent = value || `#${item.id}`;
        cell.append(a);
      });
    }
    drilling.cursor = r.data.next_cursor;
    more.hidden = !r.data.next_cursor;
    document.getElementById("drill-count").textContent = W.records_shown.replace("{n}", String(body.rows.length));
  }

  function openDrill(w, i) {
    const info = board.widgets[w.key];
    const key = w.keys[i];
    drilling = {w, info, point: key === null ? "others" : JSON.stringify(key), cursor: null};
    document.getElementById("drill-title").textContent = `${info.name} · ${window.tangramWidgets.pointLabel(w, i, {words: W, lang})}`;
    document.getElementById("drill-error").textContent = "";
    const head = document.querySelector("#drill-table thead tr");
    head.replaceChildren(...info.columns.map(([, label]) => Object.assign(document.createElement("th"), {scope: "col", textContent: label})));
    document.querySelector("#drill-table tbody").replaceChildren();
    const list = document.getElementById("drill-list");
    list.href = info.list;
    list.textContent = W.open_list.replace("{form}", info.form_name);
    if (!dialog.open) dialog.showModal();
    return fetchDrill();
  }

  function changed() { values = readControls(); keepInUrl(); load(); }

  if (form) {
    form.addEventListener("change", changed);
    form.addEventListener("submit", (e) => { e.preventDefault(); changed(); });
    document.getElementById("clear-filters").addEventListener("click", () => {
      for (const c of controls()) c.value = "";
      changed();
    });
  }
  document.getElementById("drill-more").addEventListener("click", fetchDrill);
  dialog.addEventListener("close", () => { drilling = null; });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  load();
})();
