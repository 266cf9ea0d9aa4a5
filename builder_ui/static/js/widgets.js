/* Drawing one dashboard widget from the reports API's tabular shape (docs/reports.md, "The result shape").
   tangramWidgets.draw(box, widget, {words, stack, lang}, onPoint) fills `box` and returns the ECharts
   instance (or null); onPoint(rowIndex) is called when a chart point or a table row is chosen.
   DOM contract, inside the box: .chart (ECharts; [data-drawn] once its animation is over) with details.data > table.records (the chart's numbers
   as text, one tr[data-row] per row); table.records for tables; table.records.pivot for pivots
   (a cross-tab: td[data-row] per cell, tfoot with the totals); a KPI is .kpi with
   .kpi-value and dl.kpi-facts (dt/dd per fact, dd[data-fact=<column key>]). */
"use strict";

window.tangramWidgets = (function () {
  const CHARTS = {bar: "bar", line: "line", pie: "pie", funnel: "funnel", scatter: "scatter"};
  const PERCENT = new Set(["completion", "previous_growth", "last_year_growth", "conversion"]);

  function el(tag, props, children) {
    const node = Object.assign(document.createElement(tag), props || {});
    for (const child of children || []) node.append(child);
    return node;
  }

  function number(value, lang) {
    return new Intl.NumberFormat(lang === "en" ? "en-US" : "zh-CN", {maximumFractionDigits: 4}).format(value);
  }

  function percent(value, lang, signed) {
    return new Intl.NumberFormat(lang === "en" ? "en-US" : "zh-CN",
      {style: "percent", maximumFractionDigits: 1, signDisplay: signed ? "exceptZero" : "auto"}).format(value);
  }

  /* A number in its column's format (docs/reports.md, "Measure formats"; the API's `formatted` texts
     follow the same rules): percent 0.57 → 57.0%, money → ¥1,234.50, number with fixed decimals. */
  function formatted(value, column, lang) {
    const places = column.decimals ?? {percent: 1, money: 2}[column.format];
    const fixed = places === undefined ? {maximumFractionDigits: 4}
      : {minimumFractionDigits: places, maximumFractionDigits: places};
    const style = {percent: {style: "percent"}, money: {style: "currency", currency: "CNY", currencyDisplay: "narrowSymbol"}};
    return new Intl.NumberFormat(lang === "en" ? "en-US" : "zh-CN",
      Object.assign({roundingMode: "halfExpand"}, style[column.format] || {}, fixed)).format(value);
  }

  /* A cell as text: blanks say so in dimension columns, numbers are grouped, rates are percentages. */
  function text(value, column, opts) {
    if (value === null || value === undefined) return column.role === "dimension" ? opts.words.blank : "";
    if (typeof value === "number" && column.format) return formatted(value, column, opts.lang);
    if (typeof value === "number") return PERCENT.has(column.key) ? percent(value, opts.lang) : number(value, opts.lang);
    return String(value);
  }

  function dims(w) { return w.columns.filter((c) => c.role === "dimension").length; }

  function pointLabel(w, i, opts) {
    const n = dims(w);
    return w.rows[i].slice(0, n).map((v, j) => text(v, w.columns[j], opts)).join(" / ");
  }

  /* A row or cell that opens the records behind row i (click or Enter), when the row has a key. */
  function drillable(node, w, i, opts, onPoint) {
    if (!onPoint || !w.keys || w.keys[i] === undefined) return;
    node.tabIndex = 0;
    node.className = "drillable";
    node.title = opts.words.drill;
    node.addEventListener("click", () => onPoint(i));
    // preventDefault: the Enter would otherwise press the dialog's first button as it opens
    node.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); onPoint(i); } });
  }

  /* The rows as an HTML table; rows with a drill-down key are links to their records (click or Enter). */
  function dataTable(w, opts, onPoint) {
    const table = el("table", {className: "records"});
    const head = table.createTHead().insertRow();
    for (const c of w.columns) head.append(el("th", {scope: "col", textContent: c.label}));
    const body = table.createTBody();
    w.rows.forEach((r, i) => {
      const tr = body.insertRow();
      tr.dataset.row = String(i);
      r.forEach((v, j) => tr.insertCell().append(text(v, w.columns[j], opts)));
      drillable(tr, w, i, opts, onPoint);
    });
    return el("div", {className: "table-wrap"}, [table]);
  }

  /* A pivot as a cross-tab: the first dimension down, the second across (each of its values spanning
     the measures), row totals on the right, column totals and the grand total at the foot. A cell is
     a drill-down point like a table row. */
  function pivotTable(w, opts, onPoint) {
    const [down, across] = w.columns, measures = w.columns.slice(2);
    const rowNames = [], colNames = [], cells = new Map();
    w.rows.forEach((r, i) => {
      const a = text(r[0], down, opts), b = text(r[1], across, opts);
      if (!rowNames.includes(a)) rowNames.push(a);
      if (!colNames.includes(b)) colNames.push(b);
      cells.set(a + "\u0000" + b, i);
    });
    const totalsBy = (list, column) => new Map((list || []).map((r) => [text(r[0], column, opts), r.slice(1)]));
    const rowTotals = totalsBy(w.row_totals, down), colTotals = totalsBy(w.column_totals, across);
    const table = el("table", {className: "records pivot"});
    const head = table.createTHead();
    const top = head.insertRow();
    top.append(el("th", {scope: "col", rowSpan: measures.length > 1 ? 2 : 1, textContent: `${down.label} \\ ${across.label}`}));
    for (const name of [...colNames, opts.words.total]) top.append(el("th", {scope: "colgroup", colSpan: measures.length, textContent: name}));
    if (measures.length > 1) {
      const second = head.insertRow();
      for (let k = 0; k <= colNames.length; k++) for (const m of measures) second.append(el("th", {scope: "col", textContent: m.label}));
    }
    const values = (tr, list) => measures.forEach((m, j) => tr.insertCell().append(list ? text(list[j], m, opts) : ""));
    const body = table.createTBody();
    for (const a of rowNames) {
      const tr = body.insertRow();
      tr.append(el("th", {scope: "row", textContent: a}));
      for (const b of colNames) {
        const i = cells.get(a + "\u0000" + b);
        measures.forEach((m, j) => {
          const td = tr.insertCell();
          if (i === undefined) return;
          td.append(text(w.rows[i][2 + j], m, opts));
          td.dataset.row = String(i);
          drillable(td, w, i, opts, onPoint);
        });
      }
      values(tr, rowTotals.get(a));
    }
    const foot = table.createTFoot().insertRow();
    foot.append(el("th", {scope: "row", textContent: opts.words.total}));
    for (const b of colNames) values(foot, colTotals.get(b));
    values(foot, w.totals);
    return el("div", {className: "table-wrap"}, [table]);
  }

  /* A KPI: the value, then each fact its row carries (target and completion; 环比 and 同比 with a period). */
  function kpi(w, opts) {
    const cols = w.columns, row = w.rows[0] || [], W = opts.words;
    const at = (key) => { const i = cols.findIndex((c) => c.key === key); return i < 0 ? undefined : row[i]; };
    const facts = el("dl", {className: "kpi-facts"});
    const fact = (key, label, shown) => {
      const value = at(key);
      if (value === undefined) return;
      const dd = el("dd", {textContent: value === null ? "—" : shown(value)});
      dd.dataset.fact = key;
      facts.append(el("dt", {textContent: label}), dd);
    };
    const amount = (v) => text(v, cols[0], opts);
    if (at("target") !== null) {
      fact("target", W.kpi_target, amount);
      fact("completion", W.completion, (v) => percent(v, opts.lang));
    }
    fact("previous", W.previous, amount);
    fact("previous_growth", W.previous_growth, (v) => percent(v, opts.lang, true));
    fact("last_year", W.last_year, amount);
    fact("last_year_growth", W.last_year_growth, (v) => percent(v, opts.lang, true));
    const value = row.length ? row[0] : null;
    const box = el("div", {className: "kpi"}, [
      el("p", {className: "kpi-value", textContent: value === null ? "—" : amount(value)}), facts]);
    const period = cols[0].period;
    if (period) {  // `end` is the next period's first day: show the last day of this one
      const last = new Date(Date.parse(period.end + "T00:00:00Z") - 86400000).toISOString().slice(0, 10);
      box.prepend(el("p", {className: "muted kpi-period", textContent: `${W.period} ${period.start} – ${last}`}));
    }
    return box;
  }

  /* The ECharts option; every data item carries `row`, its index in w.rows, for drill-down. */
  function chartOption(w, opts) {
    const n = dims(w);
    const measures = w.columns.map((c, i) => [c, i]).filter(([c]) => c.role === "measure");
    const name = (r) => text(r[0], w.columns[0], opts);
    const option = {tooltip: {}, legend: {}, grid: {containLabel: true, left: 8, right: 8}};
    // tooltips show a value as its column's cells do (57.0%, ¥1,234.50)
    const shown = (c) => ({valueFormatter: (v) => (v === null || v === undefined ? "—" : text(v, c, opts))});
    if (w.type === "pie" || w.type === "funnel") {
      option.series = [{type: w.type, sort: "none", tooltip: shown(w.columns[n]),
        data: w.rows.map((r, row) => ({name: name(r), value: r[n], row}))}];
    } else if (w.type === "scatter") {
      option.xAxis = {type: "value", name: measures[0][0].label};
      option.yAxis = {type: "value", name: measures[1] ? measures[1][0].label : ""};
      option.tooltip = {formatter: (p) => `${p.name}: ${p.value.join(", ")}`};
      option.series = [{type: "scatter", data: w.rows.map((r, row) => ({name: name(r), row,
        value: [r[measures[0][1]], measures[1] ? r[measures[1][1]] : 0]}))}];
    } else if (n === 2) {  // the second dimension becomes one series each (stacked when the widget says so)
      const xs = [...new Set(w.rows.map(name))];
      const groups = [...new Set(w.rows.map((r) => text(r[1], w.columns[1], opts)))];
      option.xAxis = {type: "category", data: xs};
      option.yAxis = {type: "value"};
      option.series = groups.map((g) => ({type: CHARTS[w.type], name: g, stack: opts.stack ? "all" : undefined,
        tooltip: shown(w.columns[n]),
        data: xs.map((x) => { const row = w.rows.findIndex((r) => name(r) === x && text(r[1], w.columns[1], opts) === g);
          return row < 0 ? null : {value: w.rows[row][n], row}; })}));
    } else {
      option.xAxis = {type: "category", data: w.rows.map(name)};
      option.yAxis = {type: "value"};
      option.series = measures.map(([c, i]) => ({type: CHARTS[w.type], name: c.label, tooltip: shown(c),
        data: w.rows.map((r, row) => ({value: r[i], row}))}));
    }
    return option;
  }

  function draw(box, w, opts, onPoint) {
    if (w.type === "kpi") { box.append(kpi(w, opts)); return null; }
    if (w.type === "pivot") { box.append(pivotTable(w, opts, onPoint)); return null; }
    if (!CHARTS[w.type] || !window.echarts) { box.append(dataTable(w, opts, onPoint)); return null; }
    const canvas = el("div", {className: "chart"});
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", w.name || w.key);
    box.append(canvas, el("details", {className: "data"}, [el("summary", {textContent: opts.words.data_table}),
      dataTable(w, opts, onPoint)]));
    const chart = window.echarts.init(canvas);
    chart.on("finished", () => { canvas.dataset.drawn = "true"; });  // animations over: points are where they stay
    const option = chartOption(w, opts);
    option.animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    chart.setOption(option);
    chart.on("click", (p) => { if (p.data && p.data.row !== undefined) onPoint(p.data.row); });
    return chart;
  }

  return {draw, pointLabel, text};
})();
