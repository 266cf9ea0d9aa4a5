/* A dashboard: fetch the report (one tabular shape for every widget) and draw each widget.
   DOM contract: #widgets[data-url] receives one .widget[data-key] per widget; charts use ECharts,
   tables and pivots an HTML table, a KPI its number; a widget refused to this user shows its error. */
(async function () {
  const root = document.getElementById("widgets");
  if (!root) return;
  const result = await window.tangram.api("GET", root.dataset.url);
  if (!result.ok) { window.tangram.toast(result.data?.error?.message || String(result.status), "error"); return; }
  const CHARTS = {bar: "bar", line: "line", pie: "pie", funnel: "funnel", scatter: "scatter"};
  for (const w of result.data.widgets) {
    const box = document.createElement("div");
    box.className = "widget";
    box.dataset.key = w.key;
    const title = document.createElement("h2");
    title.textContent = w.name || w.key;
    box.appendChild(title);
    root.appendChild(box);
    if (w.as_of) document.getElementById("as-of").textContent = "as of " + w.as_of;
    if (w.error) { box.appendChild(Object.assign(document.createElement("p"), {className: "muted", textContent: w.error.message})); continue; }
    const dims = w.columns.filter((c) => c.role === "dimension").length;
    if (w.type === "kpi") {
      const value = w.rows.length ? w.rows[0][0] : null;
      box.appendChild(Object.assign(document.createElement("p"), {className: "kpi", textContent: value === null ? "—" : String(value)}));
    } else if (CHARTS[w.type] && window.echarts) {
      const chart = document.createElement("div");
      chart.className = "chart";
      chart.style.height = "280px";
      box.appendChild(chart);
      const names = w.rows.map((r) => String(r[0]));
      const measures = w.columns.map((c, i) => [c, i]).filter(([c]) => c.role === "measure");
      let series;
      if (w.type === "pie" || w.type === "funnel") {
        series = [{type: w.type, data: w.rows.map((r) => ({name: String(r[0]), value: Number(r[dims])}))}];
      } else {
        series = measures.map(([c, i]) => ({type: CHARTS[w.type], name: c.label, data: w.rows.map((r) => Number(r[i]))}));
      }
      const option = {tooltip: {}, legend: {}, series};
      if (w.type !== "pie" && w.type !== "funnel") { option.xAxis = {type: "category", data: names}; option.yAxis = {type: "value"}; }
      window.echarts.init(chart).setOption(option);
    } else {
      const table = document.createElement("table");
      table.innerHTML = "<thead><tr></tr></thead><tbody></tbody>";
      for (const c of w.columns) table.tHead.rows[0].appendChild(Object.assign(document.createElement("th"), {textContent: c.label}));
      for (const r of w.rows) {
        const tr = table.tBodies[0].insertRow();
        for (const v of r) tr.insertCell().textContent = v === null ? "" : String(v);
      }
      box.appendChild(table);
    }
  }
})();
