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
   With `placed` (a dashboard laid out in the editor), #widgets is a .dashboard-grid and each widget sits
   at its `layout` {x, y, w, h}. #export-png downloads the dashboard as one PNG composed here (charts from
   ECharts' getDataURL, KPI cards and tables as text); #export-pdf posts those chart images to the API's
   /pdf, which lays them out with every widget's figures as a table (the server's, with the filters).
   #open-subscriptions opens dialog#subscriptions: #subscription-list (li[data-id] with button.edit-subscription and
   button.remove-subscription) and form#new-subscription (who = user:<name> | role:<key>, every, weekday, at,
   channel, webhook, secret; [data-editing=<id>] after 编辑, when its submit PATCHes that subscription),
   over the subscriptions API (`subscriptions` in #board-data).
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
  let asked = 0, charts = {}, drilling = null;

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
    Object.values(charts).forEach((c) => c.dispose());
    charts = {};
    root.replaceChildren();
    for (const w of widgets) {
      const info = board.widgets[w.key];
      if (!info) continue;  // over a form or field hidden from the viewer: the page leaves it off (dashboards.py)
      const box = document.createElement("article");
      box.className = "widget";
      box.dataset.key = w.key;
      if (info.layout) {
        box.style.gridColumn = `${info.layout.x + 1} / span ${info.layout.w}`;
        box.style.gridRow = `${info.layout.y + 1} / span ${info.layout.h}`;
      }
      const title = document.createElement("h2");
      title.textContent = info.name || w.name || w.key;
      box.append(title);
      root.append(box);
      if (w.error) { box.append(Object.assign(document.createElement("p"), {className: "muted", textContent: w.error.message})); continue; }
      box.append(exports(w.key));
      const onPoint = !board.widgets[w.key] ? null : (i) => openDrill(w, i);  // a KPI: the records of its value
      const chart = window.tangramWidgets.draw(box, w, {words: W, lang, stack: info.stack}, onPoint);
      if (chart) charts[w.key] = chart;
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

  function chartImage(key) {
    return charts[key].getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#fff"});
  }

  const loaded = (src) => new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = reject;
    img.src = src;
  });

  /* A widget that is not a chart (KPI card, table, pivot, a refusal) as lines of cells, as it reads on screen. */
  function textRows(box) {
    const table = box.querySelector(":scope > table, :scope > .table-wrap table, :scope table.pivot");
    if (table) return [...table.rows].map((tr) => [...tr.cells].map((c) => c.textContent.trim()));
    return [...box.children].filter((n) => n.tagName !== "H2" && !n.classList.contains("exports"))
      .flatMap((n) => n.innerText.split("\n")).map((line) => [line.trim()]).filter(([line]) => line);
  }

  function download(blob, name) {
    const a = Object.assign(document.createElement("a"), {href: URL.createObjectURL(blob), download: name});
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  /* 订阅: list, add, edit and remove the dashboard's subscriptions. */
  function subscriptions() {
    const box = document.getElementById("subscriptions");
    const list = document.getElementById("subscription-list");
    const add = document.getElementById("new-subscription");
    const f = add.elements;
    const days = W.sub_weekdays.split(",");
    const channels = {email: W.sub_channel_email, in_app: W.sub_channel_in_app, dingtalk: W.sub_channel_dingtalk, wecom: W.sub_channel_wecom};

    // who it goes to as 订阅人 names them (张伟; a role as 角色：经理, never mistaken for a user of the same key)
    function recipient(s) {
      const option = f.who.tagName === "SELECT" ? [...f.who.options].find((o) => o.value === `${s.subscriber}:${s.name}`) : null;
      const name = option ? option.textContent : s.name;
      return s.subscriber === "role" ? `${W.sub_role}${name}` : name;
    }

    function when(s) {
      const every = s.every === "weekly" ? `${W.sub_weekly} ${days[s.weekday - 1]}` : W.sub_daily;
      const next = s.next_at ? ` · ${W.sub_next} ${localTime(s.next_at)}` : "";
      return `${recipient(s)} · ${every} ${s.at} · ${channels[s.channel] || s.channel}${next}`;
    }

    async function refresh() {
      const r = await window.tangram.api("GET", board.subscriptions);
      list.replaceChildren();
      const items = r.ok ? r.data.items : [];
      if (!items.length) list.append(Object.assign(document.createElement("li"), {className: "muted", textContent: W.sub_none}));
      for (const s of items) {
        const li = Object.assign(document.createElement("li"), {textContent: when(s) + " "});
        li.dataset.id = String(s.id);
        const edit = Object.assign(document.createElement("button"), {type: "button", className: "edit-subscription", textContent: W.sub_edit});
        edit.addEventListener("click", () => editing(s));
        li.append(edit, " ");
        const remove = Object.assign(document.createElement("button"), {type: "button", className: "remove-subscription", textContent: W.sub_remove});
        remove.addEventListener("click", async () => {
          const gone = await window.tangram.api("DELETE", `${board.subscriptions}/${s.id}`);
          if (gone.ok) { if (add.dataset.editing === String(s.id)) editing(null); refresh(); } else window.tangram.toast(gone.data?.error?.message || String(gone.status), "error");
        });
        li.append(remove);
        list.append(li);
      }
    }

    const sync = () => {
      f.weekday.disabled = f.every.value !== "weekly";
      add.querySelector(".robot").hidden = !["dingtalk", "wecom"].includes(f.channel.value);
    };

    /* The form for subscription `s` (its values in the fields; a robot's secret is never shown, left blank
       it stays), or back to adding one (null). */
    function editing(s) {
      const title = document.getElementById("sub-form-title"), submit = document.getElementById("sub-submit");
      const cancel = document.getElementById("sub-cancel-edit");
      window.tangram.clearErrors(add);
      if (!s) {
        delete add.dataset.editing;
        add.reset();
        title.textContent = W.sub_new; submit.textContent = W.sub_add; cancel.hidden = true;
        sync();
        return;
      }
      add.dataset.editing = String(s.id);
      if (f.who.tagName === "SELECT") f.who.value = `${s.subscriber}:${s.name}`;
      f.every.value = s.every;
      if (s.weekday) f.weekday.value = String(s.weekday);
      f.at.value = s.at;
      f.channel.value = s.channel;
      f.webhook.value = s.webhook || "";
      f.secret.value = "";
      title.textContent = W.sub_editing; submit.textContent = W.sub_save; cancel.hidden = false;
      sync();
      f.every.focus();
    }
    document.getElementById("sub-cancel-edit").addEventListener("click", () => editing(null));
    add.addEventListener("change", sync);
    add.addEventListener("submit", async (event) => {
      event.preventDefault();
      const [subscriber, ...name] = f.who.value.split(":");
      const body = {subscriber, name: name.join(":"), every: f.every.value, at: f.at.value, channel: f.channel.value};
      if (body.every === "weekly") body.weekday = Number(f.weekday.value);
      if (!add.querySelector(".robot").hidden) {
        body.webhook = f.webhook.value.trim();
        if (f.secret.value.trim()) body.secret = f.secret.value.trim();
      }
      const id = add.dataset.editing;
      // a new subscription takes the page's filters; an edited one keeps its own
      if (!id) for (const [k, v] of Object.entries(values)) if (v) (body.filters = body.filters || {})[k] = v;
      const r = id ? await window.tangram.api("PATCH", `${board.subscriptions}/${id}`, body)
        : await window.tangram.api("POST", board.subscriptions, body);
      if (!r.ok) { window.tangram.showErrors(add, r.data); return; }
      window.tangram.toast(id ? W.sub_saved : W.sub_added);
      editing(null);
      refresh();
    });
    document.getElementById("open-subscriptions").addEventListener("click", () => { editing(null); refresh(); box.showModal(); });
  }

  /* The dashboard as one PNG: title and as-of, then each widget where it sits on the page. */
  async function exportPng() {
    const scale = 2, top = 56, area = root.getBoundingClientRect();
    const canvas = document.createElement("canvas");
    canvas.width = Math.ceil(area.width * scale);
    canvas.height = Math.ceil((area.height + top) * scale);
    const ctx = canvas.getContext("2d");
    ctx.scale(scale, scale);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, area.width, area.height + top);
    const font = '"WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
    ctx.fillStyle = "#111827";
    ctx.font = `bold 20px ${font}`;
    ctx.fillText(board.name, 0, 26);
    ctx.font = `13px ${font}`;
    ctx.fillStyle = "#6b7280";
    ctx.fillText(document.querySelector("#as-of time").textContent, 0, 46);
    for (const box of root.querySelectorAll(".widget")) {
      const r = box.getBoundingClientRect();
      const x = r.left - area.left, y = r.top - area.top + top;
      ctx.strokeStyle = "#e5e7eb";
      ctx.strokeRect(x + 0.5, y + 0.5, r.width - 1, r.height - 1);
      ctx.fillStyle = "#111827";
      ctx.font = `bold 15px ${font}`;
      ctx.fillText(box.querySelector("h2").textContent, x + 12, y + 24, r.width - 24);
      const chart = charts[box.dataset.key], canvasBox = box.querySelector(".chart");
      if (chart && canvasBox) {
        const c = canvasBox.getBoundingClientRect();
        ctx.drawImage(await loaded(chartImage(box.dataset.key)), c.left - area.left, c.top - area.top + top, c.width, c.height);
        continue;
      }
      ctx.font = `13px ${font}`;
      let line = y + 48;
      for (const cells of textRows(box)) {
        if (line > y + r.height - 8) break;
        const width = (r.width - 24) / cells.length;
        cells.forEach((text, i) => ctx.fillText(text, x + 12 + i * width, line, width - 6));
        line += 20;
      }
    }
    canvas.toBlob((blob) => download(blob, `${board.name}.png`), "image/png");
  }

  /* The dashboard as a PDF made by the server: it runs every widget again with the page's filters and lays
     out the chart images posted here beside each widget's figures. */
  async function exportPdf() {
    const images = {};
    for (const key of Object.keys(charts)) images[key] = chartImage(key);
    const q = query();
    const response = await fetch(`${board.url}/pdf${q ? `?${q}` : ""}`, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content,
        "Accept-Language": lang === "en" ? "en" : "zh-CN"},
      body: JSON.stringify({images})});
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      window.tangram.toast((body && body.error && body.error.message) || `${W.error} ${response.status}`, "error");
      return;
    }
    download(await response.blob(), `${board.name}.pdf`);
  }

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
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  document.getElementById("export-png").addEventListener("click", exportPng);
  subscriptions();
  document.getElementById("export-pdf").addEventListener("click", exportPdf);
  load();
})();
