/* The record form: read every field's input into the API's shape, save with POST (new) or PATCH with
   If-Match (edit), put the server's 422 details at the fields, say so on 412 (someone saved first).
   DOM contract: #record-data (JSON: app, form, id, version, fields[{key,type,multiple,target,title_field,
   checks_duplicates}]),
   form#record-form, .field[data-field][data-type], .relation, .attachment, .subtable-wrap, [data-read] (a
   reader of `byName`), fieldset > .computed (not sent), button[data-save-submit=<flow key>] (保存并提交). */
"use strict";

(function () {
  const {api, toast, showErrors, clearErrors} = window.tangram;
  const blank = (v) => (v === "" ? null : v);
  /* A percent is typed as shown (60 is 60%); the API reads "60%" as the fraction 0.6. */
  const percent = (input) => {
    const v = input.value.trim();
    return v === "" ? null : (/[%％]$/.test(v) ? v : `${v}%`);
  };

  /* A relation picker's value: the chosen ids (one, or a list when multiple). */
  const chosen = (box) => {
    const ids = Array.from(box.querySelectorAll(".chips li")).map((li) => Number(li.dataset.id));
    return box.dataset.multiple === "1" ? ids : (ids[0] || null);
  };

  const readers = {
    boolean: (el) => el.querySelector("input").checked,
    multi_select: (el) => Array.from(el.querySelectorAll("input:checked")).map((i) => i.value),
    users: (el) => Array.from(el.querySelector("select").selectedOptions).map((o) => o.value),
    address: (el) => {
      const parts = {};
      el.querySelectorAll(".address input").forEach((i) => {
        if (i.value.trim()) parts[i.name.split(".").pop()] = i.value.trim();
      });
      return Object.keys(parts).length ? parts : null;
    },
    datetime: (el) => blank(el.querySelector("input").value),
    percent: (el) => percent(el.querySelector("input")),
    relation: (el) => chosen(el.querySelector(".relation")),
    attachment: (el) => JSON.parse(el.querySelector(".attachment").dataset.value || "[]"),
    sub_table: (el) => Array.from(el.querySelectorAll("tbody tr:not(.template)")).map((tr) => {
      const row = {};
      tr.querySelectorAll("[data-sub]").forEach((i) => {
        if (i.classList.contains("computed")) return;
        if (i.classList.contains("relation")) { row[i.dataset.sub] = chosen(i); return; }
        row[i.dataset.sub] = i.type === "checkbox" ? i.checked : i.dataset.percent ? percent(i) : blank(i.value);
      });
      return row;
    }),
  };
  /* Readers an input template names on its box ([data-read]), for types that need no code of their own. */
  const byName = {
    /* A row of radio buttons (rating's stars): the checked one's value, or blank. */
    radio: (box) => { const c = box.querySelector('input[type="radio"]:checked'); return c ? blank(c.value) : null; },
  };

  /* `creating`: a blank field whose default formula reads other fields is left out, so the server fills it. */
  function values(form, metaOf, creating) {
    const data = {};
    form.querySelectorAll(".field[data-field]").forEach((el) => {
      const type = el.dataset.type;
      // computed: the server sets it (inputs/_computed.html); locked: editable_when is false
      if (el.querySelector(":scope > fieldset > .computed") || el.querySelector("fieldset[disabled]")) return;
      const box = el.querySelector("[data-read]");
      const reader = readers[type];
      const input = el.querySelector("input, select, textarea");
      const value = box ? byName[box.dataset.read](box) : reader ? reader(el) : blank(input ? input.value : null);
      if (creating && value === null && (metaOf[el.dataset.field] || {}).default_on_save) return;
      data[el.dataset.field] = value;
    });
    return data;
  }

  function setupRelation(box, meta, base) {
    const search = box.querySelector('input[type="search"]');
    const results = box.querySelector(".results");
    const chips = box.querySelector(".chips");
    let timer;
    chips.addEventListener("click", (e) => { if (e.target.matches("button")) e.target.closest("li").remove(); });
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const title = meta.title_field;
        const q = search.value.trim();
        let url = `/api/v1/apps/${base.app}/forms/${meta.target}/records?limit=10`;
        // q= is the list's search: indexed, and by pinyin too (szhr, hengrui find 苏州恒瑞…)
        if (q && title) url += `&q=${encodeURIComponent(q)}`;
        const r = await api("GET", url);
        results.innerHTML = "";
        ((r.data && r.data.items) || []).forEach((item) => {
          const li = document.createElement("li");
          li.setAttribute("role", "option"); li.tabIndex = 0;
          li.dataset.id = item.id;
          const text = title && item.data[title] != null ? String(item.data[title]) : `#${item.id}`;
          li.textContent = text;
          results.append(li);
        });
        results.hidden = !results.children.length;
      }, 200);
    });
    const choose = (li) => {
      if (box.dataset.multiple !== "1") chips.innerHTML = "";
      if (!chips.querySelector(`li[data-id="${li.dataset.id}"]`)) {
        const chip = document.createElement("li");
        chip.dataset.id = li.dataset.id;
        chip.textContent = li.textContent + " ";
        const x = document.createElement("button"); x.type = "button"; x.className = "link"; x.textContent = "✕";
        chip.append(x); chips.append(chip);
      }
      results.hidden = true; search.value = "";
    };
    results.addEventListener("click", (e) => { if (e.target.matches("li")) choose(e.target); });
    results.addEventListener("keydown", (e) => { if (e.key === "Enter" && e.target.matches("li")) { e.preventDefault(); choose(e.target); } });
  }

  function setupAttachment(box) {
    const list = box.querySelector(".files");
    const sync = () => { box.dataset.value = JSON.stringify(Array.from(list.children).map((li) => JSON.parse(li.dataset.file || "null") || {id: li.dataset.id})); };
    Array.from(list.children).forEach((li, i) => { li.dataset.file = JSON.stringify(JSON.parse(box.dataset.value)[i]); });
    list.addEventListener("click", (e) => { if (e.target.matches("button")) { e.target.closest("li").remove(); sync(); } });
    box.querySelector('input[type="file"]').addEventListener("change", async (e) => {
      for (const file of e.target.files) {
        const body = new FormData(); body.append("file", file);
        const r = await api("POST", "/api/v1/files", body);
        if (!r.ok) { toast(r.data.error.message, "error"); continue; }
        const li = document.createElement("li");
        li.dataset.id = r.data.id; li.dataset.file = JSON.stringify(r.data);
        const a = document.createElement("a"); a.href = `/api/v1/files/${r.data.id}`; a.textContent = r.data.name;
        const x = document.createElement("button"); x.type = "button"; x.className = "link"; x.textContent = "✕";
        li.append(a, " ", x); list.append(li);
      }
      e.target.value = ""; sync();
    });
  }

  /* `setupRow(tr)`: what a new row's cells need (relation pickers: listeners are not cloned). */
  function setupSubTable(wrap, setupRow) {
    const body = wrap.querySelector("tbody");
    const template = body.querySelector("tr.template");
    wrap.querySelector(".add-row").addEventListener("click", () => {
      const row = template.cloneNode(true);
      row.classList.remove("template"); row.hidden = false;
      body.insertBefore(row, template);
      setupRow(row);
      const first = row.querySelector("input, select"); if (first) first.focus();
    });
    body.addEventListener("click", (e) => { if (e.target.matches(".remove-row")) e.target.closest("tr").remove(); });
    if (window.Sortable) window.Sortable.create(body, {handle: ".handle", filter: ".template", animation: 120});
  }

  /* `lines[1].qty`: mark that cell of the sub-table (the message is under the field already). */
  function markRowErrors(form, error) {
    ((error && error.error && error.error.details) || []).forEach((d) => {
      const m = (d.path || "").match(/^([a-z0-9_]+)\[(\d+)\]\.([a-z0-9_]+)$/);
      if (!m) return;
      const row = form.querySelectorAll(`.field[data-field="${m[1]}"] tbody tr:not(.template)`)[Number(m[2])];
      const input = row && row.querySelector(`[data-sub="${m[3]}"]`);
      if (input) { input.setAttribute("aria-invalid", "true"); input.title = d.message; }
    });
  }

  /* As the user types, from POST …/records/preview (nothing is saved): formulas and sub-table subtotals, the
     fields a `visible_when` hides, and 可能重复 (a form with duplicate rules) as a hint without 仍然保存. A hint
     never replaces the refusal a save showed until a value changes; a save cancels the preview asked. */
  function setupPreview(form, base, metaOf) {
    const computes = base.fields.some((f) => ["formula", "lookup"].includes(f.type) || f.visible_when
      || (f.type === "sub_table" && (f.fields || []).some((s) => s.type === "formula")));
    const checked = new Set(base.fields.filter((f) => f.checks_duplicates).map((f) => f.key));
    const none = {cancel() {}, refused() {}};
    if ((!computes && !checked.size) || form.dataset.preview) return none;
    const text = (v) => (v === null || v === undefined ? "" : Array.isArray(v) ? v.join("、")
      : typeof v === "object" ? (v.title || JSON.stringify(v)) : String(v));
    const url = `/api/v1/apps/${base.app}/forms/${base.form}/records/preview${base.id ? `?record_id=${base.id}` : ""}`;
    let timer;
    let asked = 0;
    let saveWarned = false;  // the warning on the page is a save's refusal, with 仍然保存
    const hint = (answer) => {
      if (saveWarned || !("duplicates" in answer)) return;
      const found = [...answer.duplicates, ...answer.related];
      if (!found.length) { window.tangram.duplicateWarning.hide(); return; }
      window.tangram.duplicateWarning.hint(answer.blocked, found);
    };
    const run = async () => {
      const ticket = ++asked;
      const r = await api("POST", url, {data: values(form, metaOf, !base.id)});
      if (ticket !== asked || !r.ok || !r.data.data) return;  // a later change, or a save, asked since
      const data = r.data.data;
      const hidden = new Set(r.data.hidden || []);
      form.querySelectorAll(".field[data-field]").forEach((el) => { el.hidden = hidden.has(el.dataset.field); });
      form.querySelectorAll('.field[data-type="formula"], .field[data-type="lookup"]').forEach((el) => {
        el.querySelector(".computed").textContent = text(data[el.dataset.field]);
      });
      form.querySelectorAll('.field[data-type="sub_table"]').forEach((el) => {
        const rows = data[el.dataset.field] || [];
        el.querySelectorAll("tbody tr:not(.template)").forEach((tr, i) => {
          tr.querySelectorAll(".computed[data-sub]").forEach((cell) => { cell.textContent = text((rows[i] || {})[cell.dataset.sub]); });
        });
      });
      hint(r.data);
    };
    const later = (event) => {
      const field = event && event.target.closest && event.target.closest(".field[data-field]");
      if (!computes && !(field && checked.has(field.dataset.field))) return;  // only a compared field asks
      saveWarned = false;
      clearTimeout(timer);
      timer = setTimeout(run, 300);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("click", (e) => { if (e.target.matches(".remove-row, .add-row")) later(e); });
    if (base.fields.some((f) => f.visible_when)) run();  // hide what the starting values hide
    return {
      cancel() { clearTimeout(timer); asked += 1; },
      refused() { saveWarned = true; },
    };
  }

  document.addEventListener("DOMContentLoaded", () => {
    const base = JSON.parse(document.getElementById("record-data").textContent);
    const form = document.getElementById("record-form");
    const metaOf = Object.fromEntries(base.fields.map((f) => [f.key, f]));
    /* A sub_table's relation column carries its target on the box; its meta is the column's. */
    const columnMeta = (wrap, key) => ((metaOf[wrap.dataset.name] || {}).fields || []).find((c) => c.key === key) || {};
    const relations = (root, wrap) => root.querySelectorAll(".relation").forEach((box) => {
      if (box.closest("tr.template")) return;
      setupRelation(box, box.dataset.sub ? columnMeta(wrap || box.closest(".subtable-wrap"), box.dataset.sub)
        : metaOf[box.dataset.name], base);
    });
    relations(form);
    form.querySelectorAll(".attachment").forEach(setupAttachment);
    /* A new row starts with its columns' defaults (`start`), as a new record starts with the fields'. */
    const startRow = (row, wrap) => row.querySelectorAll("[data-sub]").forEach((cell) => {
      const start = columnMeta(wrap, cell.dataset.sub).start;
      if (start === undefined || cell.classList.contains("computed") || cell.classList.contains("relation")) return;
      if (cell.type === "checkbox") cell.checked = Boolean(start); else cell.value = start;
    });
    form.querySelectorAll(".subtable-wrap").forEach((wrap) => setupSubTable(wrap, (row) => {
      startRow(row, wrap); relations(row, wrap);
    }));
    const previews = setupPreview(form, base, metaOf);

    /* 保存并提交 (button[data-save-submit=<flow>]): save, then start the flow on the saved record. A refused
       submit leaves the record saved: its page opens and says why (approvals.js reads the flash). A flow whose
       people the submitter picks (button[data-choose], 发起人自选) is submitted from the record page, which asks. */
    let submitFlow = null;
    const chooses = new Set([...form.querySelectorAll("button[data-save-submit][data-choose]")].map((b) => b.dataset.saveSubmit));
    let allowDuplicates = false;  /* set by 仍然保存 (duplicate_warning.js) for the next save only */
    form.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-save-submit]");
      if (!button) return;
      submitFlow = button.dataset.saveSubmit;
      form.requestSubmit();
    });

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const flow = submitFlow;
      submitFlow = null;
      previews.cancel();
      clearErrors(form);
      window.tangram.duplicateWarning.hide();
      const url = `/api/v1/apps/${base.app}/forms/${base.form}/records`;
      const data = values(form, metaOf, !base.id);
      const confirmed = allowDuplicates ? "?allow_duplicates=true" : "";
      allowDuplicates = false;
      const r = base.id
        ? await api("PATCH", `${url}/${base.id}${confirmed}`, {data}, {"If-Match": `"${base.version}"`})
        : await api("POST", `${url}${confirmed}`, {data});
      if (r.ok) {
        const page = `/apps/${base.app}/forms/${base.form}/records/${r.data.id}`;
        if (flow && chooses.has(flow)) {
          sessionStorage.setItem("tangram.choose", flow);  // the record page asks for the people, then submits
        } else if (flow) {
          const s = await api("POST", `/api/v1/apps/${base.app}/flows/${flow}/instances`, {record_id: r.data.id});
          if (!s.ok) {
            const why = s.data && s.data.error ? s.data.error.message : String(s.status);
            sessionStorage.setItem("tangram.flash", JSON.stringify({kind: "submit_refused", message: why}));
          }
        }
        window.location = page;
        return;
      }
      const code = r.status === 409 && r.data && r.data.error ? r.data.error.code : "";
      if (code === "possible_duplicates" || code === "duplicate_blocked") {
        previews.refused();
        window.tangram.duplicateWarning.show(r.data.error, () => {
          allowDuplicates = true;
          submitFlow = flow;
          form.requestSubmit();
        });
        return;
      }
      if (r.status === 412) {
        const lang = document.body.dataset.lang;
        const v = r.data.error.current_version;
        showErrors(form, {error: {message: lang === "en"
          ? `Someone else changed this record (now version ${v}); reload to edit`
          : `记录已被他人修改（当前版本 ${v}），请刷新后再编辑`}});
        toast(r.data.error.message, "error");
        return;
      }
      const placed = showErrors(form, r.data);
      markRowErrors(form, r.data);
      const first = form.querySelector('[aria-invalid="true"]');
      if (first) first.focus();
      if (placed) toast(r.data.error.message, "error");
    });
  });
})();
