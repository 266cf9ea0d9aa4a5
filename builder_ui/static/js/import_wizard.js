/* The import wizard (issue 26): 上传 → 映射 → 预览/试运行 → 导入 → 结果, over /api/v1/apps/{app}/forms/{form}/imports.
   DOM contract: #import-data (JSON: app, form, run, words, recent), [data-step] / [data-panel] per step,
   #import-upload (file form), #import-sheet, #import-header-row, #import-columns (a row per column, its
   select.import-field), #import-values (value mapping), input[name=mode], #import-key-fields (checkboxes),
   #import-skip-bad, #import-skip-duplicates, #import-dry-run, #import-counts, #import-preview (td.problem carries the message in
   title; td.duplicates lists each row's 可能重复 with links), #import-errors, #import-start, #import-progress, #import-result,
   [data-panel=expired] with #import-expired-text (data-text: the sentence, {file} filled in) and #import-reupload: an
   import whose upload expired (run.expired, or a step answering 410) shows that instead of its steps. The page URL becomes
   /import/{id} once uploaded, so the user can leave and come back to the same import. */
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("import-data").textContent);
  const w = data.words;
  const root = document.getElementById("import-wizard");
  const base = `/api/v1/apps/${data.app}/forms/${data.form}/imports`;
  const $ = (id) => document.getElementById(id);
  let run = null;
  let analysis = null;
  let polling = null;

  function show(step) {
    root.querySelectorAll("[data-panel]").forEach((p) => { p.hidden = p.dataset.panel !== step; });
    const order = ["upload", "mapping", "preview", "run", "result"];
    root.querySelectorAll("[data-step]").forEach((li) => {
      const at = order.indexOf(li.dataset.step), now = order.indexOf(step);
      li.className = at === now ? "current" : at < now ? "passed" : "";
      if (at === now) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
    });
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => { if (v !== undefined && v !== null) node.setAttribute(k, v); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function failed(response) {
    if (response.status === 410 && run) { drawExpired(); return; }  // the upload was removed meanwhile
    window.tangram.showErrors(root, response.data || {});
  }

  /* ---------- 已过期: the upload is gone, only a new upload goes on ---------- */
  function drawExpired() {
    clearInterval(polling);
    const text = $("import-expired-text");
    text.textContent = text.dataset.text.replace("{file}", run.filename);
    show("expired");
  }

  function remember(id) {
    const url = `/apps/${data.app}/forms/${data.form}/import/${id}`;
    if (location.pathname !== url) history.replaceState(null, "", url);
  }

  /* ---------- 上传 ---------- */
  $("import-upload").addEventListener("submit", async (event) => {
    event.preventDefault();
    window.tangram.clearErrors(root);
    const body = new FormData();
    body.append("file", $("import-file").files[0]);
    const r = await window.tangram.api("POST", base, body);
    if (!r.ok) { failed(r); return; }
    run = r.data; analysis = r.data.analysis;
    remember(run.id);
    drawMapping();
  });

  /* ---------- 映射 ---------- */
  function drawMapping() {
    const spec = run.spec;
    const sheets = $("import-sheet");
    sheets.replaceChildren(...analysis.sheets.map((name, i) => el("option", {value: i}, name || `${i + 1}`)));
    sheets.value = String(spec.sheet);
    sheets.closest("label").hidden = analysis.sheets.length < 2;
    $("import-header-row").value = spec.header_row;
    const top = $("import-first-rows");
    top.replaceChildren(...analysis.first_rows.map((row, i) => {
      const tr = el("tr"); tr.append(el("th", {}, String(i + 1)), ...row.map((c) => el("td", {}, c))); return tr;
    }));
    const body = $("import-columns");
    body.replaceChildren(...analysis.columns.map((c) => {
      const tr = el("tr", {"data-column": c.index});
      const pick = el("select", {"class": "import-field", "aria-label": `${c.header} → ${w.imp_field}`});
      pick.append(el("option", {value: ""}, `— ${w.imp_ignored} —`));
      analysis.fields.forEach((f) => pick.append(el("option", {value: f.key}, f.label + (f.required ? " *" : ""))));
      pick.value = c.field || "";
      pick.addEventListener("change", () => { tr.querySelector(".how").textContent = w.imp_how_chosen; drawKeys(); });
      tr.append(el("td", {}, c.header), el("td"), el("td", {"class": "how"}, w["imp_how_" + c.how] || c.how));
      tr.children[1].append(pick);
      if (!c.field) tr.classList.add("ignored");
      return tr;
    }));
    root.querySelectorAll('input[name="mode"]').forEach((r) => { r.checked = r.value === spec.mode; });
    $("import-skip-bad").checked = !!spec.skip_bad;
    $("import-skip-duplicates").checked = !!spec.skip_duplicates;
    drawValues();
    drawKeys();
    show("mapping");
  }

  function chosenColumns() {
    const columns = {};
    $("import-columns").querySelectorAll("tr").forEach((tr) => {
      columns[tr.dataset.column] = tr.querySelector(".import-field").value || null;
    });
    return columns;
  }

  function drawKeys() {
    const mode = root.querySelector('input[name="mode"]:checked').value;
    $("import-key").hidden = mode === "create";
    const mapped = Object.values(chosenColumns()).filter(Boolean);
    const was = new Set(currentKey().length ? currentKey() : run.spec.key);
    const box = $("import-key-fields");
    box.replaceChildren(...analysis.fields.filter((f) => mapped.includes(f.key)).map((f) => {
      const label = el("label");
      const tick = el("input", {type: "checkbox", value: f.key});
      tick.checked = was.has(f.key) || (!was.size && f.unique);
      label.append(tick, " " + f.label);
      return label;
    }));
  }

  function currentKey() {
    return [...$("import-key-fields").querySelectorAll("input:checked")].map((i) => i.value);
  }

  function drawValues() {
    const box = $("import-values");
    box.replaceChildren();
    const fields = Object.fromEntries(analysis.fields.map((f) => [f.key, f]));
    Object.entries(analysis.values || {}).forEach(([key, entries]) => {
      const field = fields[key];
      const table = el("table", {"class": "import-value-map", "data-field": key});
      table.append(el("caption", {}, `${w.imp_values}：${field ? field.label : key}`));
      const head = el("tr"); head.append(el("th", {}, w.imp_value_text), el("th", {}, w.imp_value_as), el("th"));
      table.append(head);
      entries.forEach((entry) => {
        const tr = el("tr", {"data-text": entry.text});
        let input;
        if (entry.problem === "unknown_option") {
          input = el("select", {"aria-label": `${entry.text} → ${w.imp_value_as}`});
          input.append(el("option", {value: ""}, `— ${w.imp_keep} —`));
          (field && field.options ? field.options : []).forEach((o) => input.append(el("option", {value: o}, o)));
          input.value = entry.chosen ?? entry.suggestion ?? "";
        } else if (entry.candidates && entry.candidates.length) {
          input = el("select", {"aria-label": `${entry.text} → ${w.imp_record_id}`});
          input.append(el("option", {value: ""}, `— ${w.imp_keep} —`));
          entry.candidates.forEach((id) => input.append(el("option", {value: String(id)}, `#${id}`)));
          input.value = entry.chosen ?? "";
        } else {
          input = el("input", {placeholder: w.imp_record_id, "aria-label": `${entry.text} → ${w.imp_record_id}`});
          input.value = entry.chosen ?? "";
        }
        input.classList.add("import-value");
        const note = {missing: w.imp_missing, ambiguous: w.imp_ambiguous, unknown_option: w.imp_unknown_option}[entry.problem];
        tr.append(el("td", {}, `${entry.text}（${entry.count} ${w.imp_times}）`), el("td"), el("td", {"class": "flag"}, note));
        tr.children[1].append(input);
        table.append(tr);
      });
      box.append(table);
    });
  }

  function chosenValues() {
    const values = Object.assign({}, run.spec.values || {});
    $("import-values").querySelectorAll("table[data-field]").forEach((table) => {
      const map = Object.assign({}, values[table.dataset.field] || {});
      table.querySelectorAll("tr[data-text]").forEach((tr) => {
        const value = tr.querySelector(".import-value").value.trim();
        if (value) map[tr.dataset.text] = value; else delete map[tr.dataset.text];
      });
      if (Object.keys(map).length) values[table.dataset.field] = map; else delete values[table.dataset.field];
    });
    return values;
  }

  function specNow(resuggest) {
    const mode = root.querySelector('input[name="mode"]:checked').value;
    return {sheet: Number($("import-sheet").value || 0), header_row: Number($("import-header-row").value || 1),
      columns: resuggest ? null : chosenColumns(), values: chosenValues(), mode,
      key: mode === "create" ? [] : currentKey(), skip_bad: $("import-skip-bad").checked,
      skip_duplicates: $("import-skip-duplicates").checked};
  }

  async function saveSpec(resuggest) {
    window.tangram.clearErrors(root);
    const r = await window.tangram.api("PUT", `${base}/${run.id}/spec`, specNow(resuggest));
    if (!r.ok) { failed(r); return false; }
    run = r.data; analysis = r.data.analysis;
    return true;
  }

  $("import-sheet").addEventListener("change", async () => { if (await saveSpec(true)) drawMapping(); });
  $("import-header-row").addEventListener("change", async () => { if (await saveSpec(true)) drawMapping(); });
  root.querySelectorAll('input[name="mode"]').forEach((r) => r.addEventListener("change", drawKeys));

  $("import-dry-run").addEventListener("click", async () => {
    const button = $("import-dry-run");
    button.disabled = true;
    try {
      if (!(await saveSpec(false))) return;
      const r = await window.tangram.api("POST", `${base}/${run.id}/dry-run`);
      if (!r.ok) { failed(r); return; }
      run = r.data;
      drawPreview();
    } finally { button.disabled = false; }
  });

  /* ---------- 预览/试运行 ---------- */
  function countsText(c) {
    return `${c.rows} ${w.imp_rows}：${w.imp_new} ${c.new} · ${w.imp_updated} ${c.updated} · ` +
      `${w.imp_unchanged} ${c.unchanged} · ${w.imp_failed} ${c.failed}`;
  }

  /* A row's likely duplicates: a stored record as a link to it, an earlier row of the file by its number. */
  function duplicatesCell(p) {
    const td = el("td", {"class": "duplicates"});
    (p.duplicates || []).forEach((d, i) => {
      if (i) td.append("、");
      const where = d.url ? el("a", {href: d.url, target: "_blank"}, d.title)
        : d.row ? el("span", {}, `${w.imp_dup_row.replace("{row}", d.row)} ${d.title}`)
        : el("span", {}, d.title || w.imp_dup_unseen);  // a record they may not open, or not know of
      where.title = d.rule_name || "";
      td.append(where);
    });
    if (td.childNodes.length) td.prepend(`${w.imp_duplicates}：`);
    return td;
  }

  function drawPreview() {
    const result = run.result;
    $("import-counts").textContent = countsText(result.counts) +
      (result.duplicates ? ` · ${w.imp_duplicates} ${result.duplicates}` : "");
    const labels = Object.fromEntries((analysis ? analysis.fields : []).map((f) => [f.key, f.label]));
    const table = $("import-preview");
    const head = el("tr");
    head.append(el("th", {}, w.imp_row), el("th", {}, w.imp_action), el("th", {}, w.imp_duplicates),
      ...result.fields.map((k) => el("th", {}, labels[k] || k)));
    const rows = result.preview.map((p) => {
      const tr = el("tr", {"class": "action-" + p.action, "data-row": p.row});
      tr.append(el("td", {}, String(p.row)), el("td", {}, w["imp_action_" + p.action] || p.action), duplicatesCell(p));
      result.fields.forEach((k) => {
        const problem = p.problems[k];
        const td = el("td", problem ? {"class": "problem", title: problem} : {}, p.cells[k] ?? "");
        if (problem) td.append(el("small", {}, problem));
        tr.append(td);
      });
      return tr;
    });
    table.replaceChildren(head, ...rows);
    const bad = result.counts.failed > 0;
    const link = $("import-errors");
    link.hidden = !bad;
    link.href = `${base}/${run.id}/errors`;
    $("import-must-fix").hidden = !bad || run.spec.skip_bad;
    $("import-start").disabled = bad && !run.spec.skip_bad;
    show("preview");
  }

  $("import-back").addEventListener("click", async () => {
    const r = await window.tangram.api("GET", `${base}/${run.id}/analysis`);
    if (!r.ok) { failed(r); return; }
    analysis = r.data;
    drawMapping();
  });

  $("import-start").addEventListener("click", async () => {
    const r = await window.tangram.api("POST", `${base}/${run.id}/run`);
    if (!r.ok) { failed(r); return; }
    run = r.data;
    follow();
  });

  /* ---------- 导入 (progress) and 结果 ---------- */
  function follow() {
    show("run");
    drawProgress();
    clearInterval(polling);
    polling = setInterval(async () => {
      const r = await window.tangram.api("GET", `${base}/${run.id}`);
      if (!r.ok) return;
      run = r.data;
      if (run.status === "done" || run.status === "failed") { clearInterval(polling); drawResult(); }
      else drawProgress();
    }, 1000);
  }

  function drawProgress() {
    const bar = $("import-progress");
    bar.max = Math.max(run.total, 1);
    bar.value = run.done;
    $("import-progress-text").textContent = run.status === "queued" ? w.imp_queued
      : w.imp_progress.replace("{done}", run.done).replace("{total}", run.total);
  }

  function drawResult() {
    const result = run.result;
    const text = run.status === "done" ? `${w.imp_done}。${countsText(result.counts)}`
      : `${w.imp_run_failed}：${(result.error && result.error.message) || ""}`;
    $("import-result").textContent = text;
    const link = $("import-result-errors");
    link.hidden = !(result.issues && result.issues.length) || run.expired;  // the report reads the upload
    link.href = `${base}/${run.id}/errors`;
    show("result");
  }

  async function open(id) {
    const r = await window.tangram.api("GET", `${base}/${id}`);
    if (!r.ok) { failed(r); show("upload"); return; }
    run = r.data;
    if (run.status === "queued" || run.status === "running") { follow(); return; }
    if (run.status === "done" || (run.status === "failed" && run.result.error)) { drawResult(); return; }
    if (run.expired) { drawExpired(); return; }
    const a = await window.tangram.api("GET", `${base}/${id}/analysis`);
    if (!a.ok) { failed(a); return; }
    analysis = a.data;
    if (run.status === "checked") drawPreview(); else drawMapping();
  }

  if (data.run) open(data.run); else show("upload");
})();
