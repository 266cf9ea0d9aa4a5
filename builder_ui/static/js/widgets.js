/* Drawing one dashboard widget from the reports API's tabular shape (docs/reports.md, "The result shape").
   tangramWidgets.draw(box, widget, {words, stack, lang}, onPoint) fills `box` and returns the ECharts
   instance (or null); onPoint(rowIndex) is called when a chart point or a table row is chosen.
   DOM contract, inside the box: .chart (ECharts; [data-drawn] once its animation is over) with details.data > table.records (the chart's numbers
   as text, one tr[data-row] per row); table.records for tables (a table-type widget with tr.subtotal after each
   value of its first dimension and a tfoot 合计 row, as the result carries them); table.records.pivot for pivots
   (a cross-tab: td[data-row] per cell, tfoot with the totals); a KPI is .kpi with
   .kpi-value (the abbreviated value, the full one in its title) and dl.kpi-facts (dt/dd per fact,
   dd[data-fact=<column key>]; growth dd[data-trend=up|down|flat] with an arrow); a gauge is a .chart
   above the same facts; .period (统计期) says the days a KPI or a date series covers.
   Numbers: the API's `formatted` texts where it sends them, else the same rules here (formats.py);
   value axes abbreviate with 万 / 亿, one axis per unit (the column's `axis`). */
"use strict";

window.tangramWidgets = (function () {
  const CHARTS = {bar: "bar", stacked_bar: "bar", horizontal_bar: "bar", line: "line", area: "line", pie: "pie",
    donut: "pie", funnel: "funnel", scatter: "scatter", gauge: "gauge", map: "map"};
  const CHINA = "/static/vendor/china.json";  // ECharts 4.9's province GeoJSON (builder_ui/vendor.py)
  let china = null;  // the map, fetched and registered once per page
  const PERCENT = new Set(["completion", "previous_growth", "last_year_growth", "conversion"]);
  const DECIMALS = {percent: 1, money: 2, count: 0, days: 1};
  const STEPS = [[1e8, "亿"], [1e4, "万"]];

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
    const places = column.decimals ?? DECIMALS[column.format];
    const fixed = places === undefined ? {maximumFractionDigits: 4}
      : {minimumFractionDigits: places, maximumFractionDigits: places};
    const style = {percent: {style: "percent"}, money: {style: "currency", currency: "CNY", currencyDisplay: "narrowSymbol"}};
    const shown = new Intl.NumberFormat(lang === "en" ? "en-US" : "zh-CN", Object.assign({roundingMode: "halfExpand",
      signDisplay: column.signed ? "exceptZero" : "negative"}, style[column.format] || {}, fixed)).format(value);  // -0.001 → ¥0.00
    return column.format === "days" ? `${shown} ${lang === "en" ? "days" : "天"}` : shown;
  }

  /* A large money, count or number abbreviated for an axis or a KPI card: ¥1.23亿, ¥568.0万, 1.2万. */
  function short(value, column, lang) {
    if (typeof value !== "number") return value === null || value === undefined ? "—" : String(value);
    const unit = column.format || "number";
    const step = ["money", "count", "number"].includes(unit) && STEPS.find(([size]) => Math.abs(value) >= size);
    if (!step) return formatted(value, column, lang);
    const scaled = value / step[0];  // up to 2 decimals under 10, 1 above, trailing zeros dropped: ¥2万, ¥1.25亿
    const places = Math.abs(scaled) < 10 ? 2 : 1;
    const money = unit === "money" ? {style: "currency", currency: "CNY", currencyDisplay: "narrowSymbol"} : {};
    return new Intl.NumberFormat(lang === "en" ? "en-US" : "zh-CN", Object.assign({roundingMode: "halfExpand",
      minimumFractionDigits: 0, maximumFractionDigits: places, signDisplay: column.signed ? "exceptZero" : "negative"},
      money)).format(scaled) + step[1];
  }

  /* A cell as text: blanks say so in dimension columns (a blank measure is —), numbers are grouped,
     rates are percentages. */
  function text(value, column, opts) {
    if (value === null || value === undefined) return column.role === "dimension" ? opts.words.blank : "—";
    if (typeof value === "number" && column.format) return formatted(value, column, opts.lang);
    if (typeof value === "number") return PERCENT.has(column.key) ? percent(value, opts.lang) : number(value, opts.lang);
    return String(value);
  }

  function dims(w) { return w.columns.filter((c) => c.role === "dimension").length; }

  function pointLabel(w, i, opts) {
    const n = dims(w);
    if (!n) return period(w, opts) || w.columns[0].label;  // a KPI: the records of its period
    return w.rows[i].slice(0, n).map((v, j) => text(v, w.columns[j], opts)).join(" / ");
  }

  /* 统计期: the first and last day a KPI or a series over a bucketed date covers ("" when it has none). */
  function period(w, opts) {
    const range = w.period || (w.columns[0] && w.columns[0].period);
    if (!range) return "";  // `end` is the next period's first day: show the last day of this one
    const last = new Date(Date.parse(range.end + "T00:00:00Z") - 86400000).toISOString().slice(0, 10);
    return `${opts.words.period} ${range.start} – ${last}`;
  }

  /* Cell (i, j) as the API formatted it, or by the same rules when it did not (a column without format). */
  function cell(w, i, j, opts) {
    const sent = w.formatted && w.formatted[i] && w.formatted[i][j];
    return sent || text(w.rows[i][j], w.columns[j], opts);
  }

  /* A row or cell that opens the records behind row i (click or Enter), when the row has a key. */
  function drillable(node, w, i, opts, onPoint) {
    if (!onPoint || !w.keys || w.keys[i] === undefined) return;
    node.tabIndex = 0;
    node.classList.add("drillable");
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
    const n = dims(w), first = (r) => text(r[0], w.columns[0], opts);
    const subtotals = new Map((w.type === "table" && w.subtotals ? w.subtotals : []).map((r) => [first(r), r.slice(1)]));
    // A table's 小计 row follows the last row of each value of its first dimension.
    const lastOf = new Map(w.rows.map((r, i) => [first(r), i]));
    w.rows.forEach((r, i) => {
      const tr = body.insertRow();
      tr.dataset.row = String(i);
      r.forEach((v, j) => tr.insertCell().append(cell(w, i, j, opts)));
      drillable(tr, w, i, opts, onPoint);
      const sub = subtotals.get(first(r));
      if (sub && lastOf.get(first(r)) === i) {
        const row = body.insertRow();
        row.className = "subtotal";
        row.append(el("th", {scope: "row", colSpan: n, textContent: `${first(r)} ${opts.words.subtotal || opts.words.total}`}));
        sub.forEach((v, j) => row.insertCell().append(text(v, w.columns[n + j], opts)));
      }
    });
    if (w.type === "table" && n && w.totals && w.totals.length) {
      const foot = table.createTFoot().insertRow();
      foot.append(el("th", {scope: "row", colSpan: n, textContent: opts.words.total}));
      w.totals.forEach((v, j) => foot.insertCell().append((w.formatted_totals && w.formatted_totals[j]) || text(v, w.columns[n + j], opts)));
    }
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

  /* A KPI: the value (abbreviated: ¥568.0万, in full in its title), then each fact its row carries
     (target and completion; 环比 and 同比 with a period, each growth with an arrow and its colour). */
  function kpiFacts(w, opts) {
    const cols = w.columns, row = w.rows[0] || [], W = opts.words;
    const at = (key) => cols.findIndex((c) => c.key === key);
    const facts = el("dl", {className: "kpi-facts"});
    const fact = (key, label) => {
      const j = at(key);
      if (j < 0) return;
      const value = row[j];
      const dd = el("dd", {textContent: value === null ? "—" : cell(w, 0, j, opts)});
      dd.dataset.fact = key;
      if (key.endsWith("_growth") && value !== null) {  // up is good (green ▲), down is bad (red ▼)
        const trend = value > 0 ? "up" : value < 0 ? "down" : "flat";
        dd.dataset.trend = trend;
        dd.prepend(el("span", {className: "trend", textContent: {up: "▲ ", down: "▼ ", flat: "– "}[trend],
          ariaHidden: "true"}));
      }
      facts.append(el("dt", {textContent: label}), dd);
    };
    if (row[at("target")] !== null) {
      fact("target", W.kpi_target);
      fact("completion", W.completion);
    }
    fact("previous", W.previous);
    fact("previous_growth", W.previous_growth);
    fact("last_year", W.last_year);
    fact("last_year_growth", W.last_year_growth);
    return facts;
  }

  function kpi(w, opts, onPoint) {
    const row = w.rows[0] || [];
    const value = row.length ? row[0] : null;
    const shortText = w.formatted_short && w.formatted_short[0] && w.formatted_short[0][0];
    const headline = el("p", {className: "kpi-value", textContent: value === null ? "—" : shortText || cell(w, 0, 0, opts)});
    drillable(headline, w, 0, opts, onPoint);
    if (value !== null) headline.title = cell(w, 0, 0, opts);  // the full amount on hover: ¥2,117,521.22
    const box = el("div", {className: "kpi"}, [headline, kpiFacts(w, opts)]);
    const range = period(w, opts);
    if (range) box.prepend(el("p", {className: "muted kpi-period period", textContent: range}));
    return box;
  }

  /* A value axis labelled in column c's unit, abbreviated (¥500万). */
  function unitAxis(c, opts) {
    return {type: "value", axisLabel: {formatter: (v) => (v === 0 ? "0" : short(v, c, opts.lang))},  // 0, not ¥0.00, at the origin
      minInterval: c.format === "count" ? 1 : undefined};  // no 0.5 customer ticks
  }

  /* Value axes, one per unit (the columns' `axis`). */
  function valueAxes(measures, opts, horizontal) {
    const axes = [];
    for (const [c] of measures) {
      const k = c.axis || 0;
      if (axes[k]) continue;
      axes[k] = Object.assign(unitAxis(c, opts), {name: measures.filter(([m]) => (m.axis || 0) === k).map(([m]) => m.label).join(" / "),
        nameTextStyle: {align: k ? "right" : "left"}, splitLine: {show: k === 0}});
      if (horizontal) axes[k].position = k ? "top" : "bottom";
    }
    return axes.length ? axes : [{type: "value"}];
  }

  /* The ECharts option; every data item carries `row`, its index in w.rows, for drill-down. */
  function chartOption(w, opts) {
    const n = dims(w);
    // a measure of a third unit has no axis (`axis` null): it stays in the data table, off the chart
    const measures = w.columns.map((c, i) => [c, i]).filter(([c]) => c.role === "measure" && c.axis !== null);
    const name = (r) => text(r[0], w.columns[0], opts);
    const option = {tooltip: {}, legend: {}, grid: {containLabel: true, left: 8, right: 8}};
    // tooltips show a value as its column's cells do (57.0%, ¥1,234.50)
    const shown = (c) => ({valueFormatter: (v) => (v === null || v === undefined ? "—" : text(v, c, opts))});
    const kind = CHARTS[w.type];
    const horizontal = w.type === "horizontal_bar", stacked = w.type === "stacked_bar" || opts.stack;
    const area = w.type === "area" ? {areaStyle: {opacity: 0.25}} : {};
    if (kind === "pie" || kind === "funnel") {
      const c = w.columns[n];
      const series = {type: kind, sort: "none", tooltip: shown(c), label: {formatter: (p) => `${p.name} ${text(p.value, c, opts)}`},
        data: w.rows.map((r, row) => ({name: name(r), value: r[n], row}))};
      if (w.type === "donut") {
        series.radius = ["45%", "70%"];
        option.title = {text: w.totals && w.totals.length ? short(w.totals[0], c, opts.lang) : "", left: "center", top: "center",
          subtext: `${opts.words.total}`, textStyle: {fontSize: 16}};
      }
      option.series = [series];
    } else if (kind === "scatter") {
      option.xAxis = Object.assign(unitAxis(measures[0][0], opts), {name: measures[0][0].label});
      option.yAxis = measures[1] ? Object.assign(unitAxis(measures[1][0], opts), {name: measures[1][0].label}) : {type: "value"};
      option.tooltip = {formatter: (p) => `${p.name}: ${measures.map(([c], k) => text(p.value[k], c, opts)).join(", ")}`};
      option.series = [{type: "scatter", data: w.rows.map((r, row) => ({name: name(r), row,
        value: [r[measures[0][1]], measures[1] ? r[measures[1][1]] : 0]}))}];
    } else {
      const categories = {type: "category", data: []};
      const values = valueAxes(measures, opts, horizontal);
      if (n === 2) {  // the second dimension becomes one series each (stacked when the widget says so)
        const xs = [...new Set(w.rows.map(name))];
        const groups = [...new Set(w.rows.map((r) => text(r[1], w.columns[1], opts)))];
        const c = w.columns[n];
        categories.data = xs;
        option.series = groups.map((g) => Object.assign({type: kind, name: g, stack: stacked ? `axis${c.axis || 0}` : undefined,
          tooltip: shown(c), [horizontal ? "xAxisIndex" : "yAxisIndex"]: c.axis || 0,
          data: xs.map((x) => { const row = w.rows.findIndex((r) => name(r) === x && text(r[1], w.columns[1], opts) === g);
            return row < 0 ? null : {value: w.rows[row][n], row}; })}, area));
      } else {
        categories.data = w.rows.map(name);
        // a growth rate (环比 / 同比) beside bars: a line with points on its own percent axis
        const lineOf = (c) => (c.compare && c.signed && kind === "bar" && !horizontal ? "line" : kind);
        option.series = measures.map(([c, i]) => Object.assign({type: lineOf(c), name: c.label, tooltip: shown(c),
          stack: stacked && !c.compare ? `axis${c.axis || 0}` : undefined,  // last period beside, never on top
          [horizontal ? "xAxisIndex" : "yAxisIndex"]: c.axis || 0, data: w.rows.map((r, row) => ({value: r[i], row}))}, area));
      }
      if (horizontal) {  // a ranking: the first at the top, every name shown
        Object.assign(categories, {inverse: true, axisLabel: {interval: 0}});
        option.yAxis = categories; option.xAxis = values;
      }
      else { option.xAxis = categories; option.yAxis = values; }
    }
    return option;
  }

  /* A gauge: the value on a dial whose end is the target, in the value's unit. */
  function gaugeOption(w, opts) {
    const c = w.columns[0], row = w.rows[0] || [];
    const target = row[1] || 1;
    return {series: [{type: "gauge", min: 0, max: target, progress: {show: true, width: 14},
      axisLine: {lineStyle: {width: 14}}, splitNumber: 4, title: {offsetCenter: [0, "30%"], fontSize: 12},
      axisLabel: {distance: 20, formatter: (v) => (v === 0 ? "0" : short(v, c, opts.lang))},
      detail: {valueAnimation: false, fontSize: 20, offsetCenter: [0, "75%"],
        formatter: (v) => (row[0] === null ? "—" : short(v, c, opts.lang))},
      data: [{value: row[0] === null ? 0 : row[0], name: c.label, row: 0}]}]};
  }

  /* The GeoJSON names provinces short: 江苏省 → 江苏, 广西壮族自治区 → 广西, 北京市 → 北京. */
  function province(name) {
    return String(name).replace(/(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$/, "");
  }

  /* A map by province: each province shaded by the measure, its value (as the cells show it) on hover. */
  function mapOption(w, opts) {
    const c = w.columns[1];
    const values = w.rows.map((r) => r[1]).filter((v) => typeof v === "number");
    const data = w.rows.map((r, row) => ({name: r[0] === null ? "" : province(r[0]), value: r[1], row, text: cell(w, row, 1, opts)}))
      .filter((d) => d.name);
    return {tooltip: {trigger: "item", formatter: (p) => `${p.name}: ${p.data ? p.data.text : "—"}`},
      visualMap: {min: 0, max: Math.max(1, ...values), left: 8, bottom: 8,
        formatter: (v) => short(v, c, opts.lang), inRange: {color: ["#dbeafe", "#1d4ed8"]}},
      series: [{type: "map", map: "china", name: c.label, data}]};
  }

  function drawMap(chart, w, opts) {
    china = china || fetch(CHINA).then((r) => r.json()).then((json) => { window.echarts.registerMap("china", json); });
    china.then(() => { if (!chart.isDisposed()) chart.setOption(mapOption(w, opts)); });
  }

  function canvas(box, w, opts, onPoint, option) {
    const node = el("div", {className: "chart"});
    node.setAttribute("role", "img");
    node.setAttribute("aria-label", w.name || w.key);
    box.append(node);
    const chart = window.echarts.init(node);
    chart.on("finished", () => { node.dataset.drawn = "true"; });  // animations over: points are where they stay
    option.animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (option.series) chart.setOption(option);  // a map sets its option once the GeoJSON is in
    chart.on("click", (p) => { if (onPoint && p.data && p.data.row !== undefined) onPoint(p.data.row); });
    return chart;
  }

  function draw(box, w, opts, onPoint) {
    if (w.type === "kpi" || (w.type === "gauge" && !window.echarts)) { box.append(kpi(w, opts, onPoint)); return null; }
    const range = period(w, opts);
    if (range && w.type !== "gauge") box.append(el("p", {className: "muted period", textContent: range}));
    if (w.type === "pivot") { box.append(pivotTable(w, opts, onPoint)); return null; }
    if (!CHARTS[w.type] || !window.echarts) { box.append(dataTable(w, opts, onPoint)); return null; }
    if (w.type === "gauge") {
      const facts = kpi(w, opts, onPoint);
      facts.querySelector(".kpi-value").hidden = true;  // the dial shows the value
      const chart = canvas(box, w, opts, onPoint, gaugeOption(w, opts));
      box.append(facts);
      return chart;
    }
    const chart = canvas(box, w, opts, onPoint, w.type === "map" ? {} : chartOption(w, opts));
    if (w.type === "map") drawMap(chart, w, opts);
    box.append(el("details", {className: "data"}, [el("summary", {textContent: opts.words.data_table}),
      dataTable(w, opts, onPoint)]));
    return chart;
  }

  return {draw, pointLabel, text, short};
})();
