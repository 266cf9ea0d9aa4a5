/* 升级模板: read the chosen template file, POST …/upgrade/preview, list what the upgrade adds, updates,
   removes and keeps and each conflict side by side (base / ours / theirs) with a choice; apply POSTs
   …/upgrade with the choices, and when stored records need decisions the publish report dialog
   (form_builder/publish_report.js) asks for them and sends them with the same upgrade.
   Also: import an export as a copy (POST /api/v1/apps/import?key=…).
   DOM contract: section#upgrade[data-app], form#upgrade-form with input#upgrade-file, div#upgrade-result,
   ul#up-added, #up-updated, #up-removed, #up-kept (li[data-path]), table#up-conflicts tbody
   (tr[data-path] with input[type=radio][value=ours|theirs]), ul#up-issues, button#upgrade-apply,
   p#upgrade-done; form#copy-form with input#copy-file, input#copy-key, p#copy-done;
   #addons table tr[data-addon] with button.remove-addon, dialog#addon-removal[data-title][data-records] with
   #addon-removal-title, ul#addon-removal-parts, p#addon-removal-records, #addon-removal-cancel, #addon-removal-confirm.
   An add-on's new version is uploaded through the same form: the server merges it as the add-on's upgrade. */
"use strict";

(function () {
  const {api, showErrors, clearErrors, lang} = window.tangram;
  const section = document.getElementById("upgrade");
  if (!section) return;
  const app = section.dataset.app;
  const en = lang() === "en";
  const result = document.getElementById("upgrade-result");
  let template = null;

  const show = (value, removed) => (removed ? (en ? "(removed)" : "（删除）")
    : value === null || value === undefined ? "—" : typeof value === "object" ? JSON.stringify(value) : String(value));

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function parts(id, items, valueOf) {
    const list = document.getElementById(id);
    list.replaceChildren();
    items.forEach((p) => {
      const li = document.createElement("li");
      li.dataset.path = p.path;
      const code = document.createElement("code");
      code.textContent = p.path;
      li.append(code, " ", valueOf(p));
      list.append(li);
    });
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = en ? "None" : "无";
      list.append(li);
    }
  }

  function conflictRow(c, i) {
    const tr = document.createElement("tr");
    tr.dataset.path = c.path;
    const path = document.createElement("td");
    const code = document.createElement("code");
    code.textContent = c.path;
    path.append(code);
    const choose = document.createElement("td");
    [["ours", en ? "Keep local" : "保留本地"], ["theirs", en ? "Take template" : "采用模板"]].forEach(([side, word]) => {
      const label = document.createElement("label");
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = `conflict-${i}`;
      radio.value = side;
      radio.checked = c.choice === side;
      label.append(radio, " ", word);
      choose.append(label, " ");
    });
    tr.append(path, cell(show(c.base)), cell(show(c.ours, c.ours_removed)), cell(show(c.theirs, c.theirs_removed)), choose);
    return tr;
  }

  function render(preview) {
    parts("up-added", preview.added, (p) => show(p.value));
    parts("up-updated", preview.updated, (p) => `${show(p.before)} → ${show(p.value)}`);
    parts("up-removed", preview.removed, () => "");
    parts("up-kept", preview.kept, (p) => `${show(p.before)} → ${show(p.value)}`);
    const body = document.querySelector("#up-conflicts tbody");
    body.replaceChildren(...preview.conflicts.map(conflictRow));
    if (!preview.conflicts.length) {
      const tr = document.createElement("tr");
      const td = cell(en ? "No conflicts" : "没有冲突");
      td.colSpan = 5;
      tr.append(td);
      body.append(tr);
    }
    const issues = document.getElementById("up-issues");
    issues.replaceChildren(...preview.issues.map((i) => {
      const li = document.createElement("li");
      li.textContent = `${i.path}：${i.message}`;
      return li;
    }));
    result.hidden = false;
  }

  function choices() {
    const chosen = {};
    document.querySelectorAll("#up-conflicts tr[data-path]").forEach((tr) => {
      const radio = tr.querySelector("input[type=radio]:checked");
      if (radio) chosen[tr.dataset.path] = radio.value;
    });
    return chosen;
  }

  async function readJson(input) {
    const file = input.files[0];
    if (!file) return null;
    try { return JSON.parse(await file.text()); } catch (e) { return undefined; }
  }

  document.getElementById("upgrade-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(section);
    document.getElementById("upgrade-done").hidden = true;
    template = await readJson(document.getElementById("upgrade-file"));
    if (!template) {
      section.querySelector('[data-error-for="template"]').textContent = en ? "The file is not JSON" : "文件不是有效的 JSON";
      return;
    }
    const r = await api("POST", `/api/v1/apps/${app}/upgrade/preview`, {template});
    if (!r.ok) { result.hidden = true; showErrors(section, r.data); return; }
    render(r.data);
  });

  function done(r) {
    result.hidden = true;
    const note = document.getElementById("upgrade-done");
    note.textContent = en ? `Upgraded: version ${r.data.version} (template ${r.data.label})`
      : `已升级：版本 ${r.data.version}（模板 ${r.data.label}）`;
    note.hidden = false;
  }

  document.getElementById("upgrade-apply").addEventListener("click", async () => {
    clearErrors(section);
    const body = {template, choices: choices()};
    const r = await api("POST", `/api/v1/apps/${app}/upgrade`, body);
    if (r.ok) { done(r); return; }
    const err = r.data && r.data.error;
    if (err && err.report) {  // stored records need decisions: the publish report, then the same upgrade
      const decided = await window.tangram.publishDecisions(err.report, en,
        (decisions) => api("POST", `/api/v1/apps/${app}/upgrade`, Object.assign({}, body, {decisions})));
      if (decided && decided.ok) done(decided);
      return;
    }
    showErrors(section, r.data);
  });

  const copyForm = document.getElementById("copy-form");
  if (copyForm) {
    copyForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const box = document.getElementById("transfer");
      clearErrors(box);
      const bundle = await readJson(document.getElementById("copy-file"));
      const key = document.getElementById("copy-key").value.trim();
      if (!bundle) { box.querySelector('[data-error-for="key"]').textContent = en ? "The file is not JSON" : "文件不是有效的 JSON"; return; }
      const r = await api("POST", `/api/v1/apps/import?key=${encodeURIComponent(key)}`, bundle);
      if (!r.ok) { showErrors(box, r.data); return; }
      const link = document.createElement("a");
      link.href = `/apps/${r.data.key}`;
      link.textContent = r.data.name;
      document.getElementById("copy-done").replaceChildren(en ? "Imported as " : "已导入为 ", link);
    });
  }

  // 已安装的扩展模板: 移除 first shows what goes (GET …/removal) and how many stored records its forms hold;
  // confirming sends the DELETE (with confirm=true: the dialog has said so) and reloads the page.
  const addonsCard = document.getElementById("addons");
  const removal = document.getElementById("addon-removal");
  let removing = null;
  if (addonsCard) addonsCard.addEventListener("click", async (event) => {
    const button = event.target.closest(".remove-addon");
    if (!button) return;
    removing = button.closest("tr").dataset.addon;
    clearErrors(addonsCard);
    const r = await api("GET", `/api/v1/apps/${app}/addons/${removing}/removal`);
    if (!r.ok) { showErrors(addonsCard, r.data); return; }
    document.getElementById("addon-removal-title").textContent = removal.dataset.title.replace("{name}", r.data.name);
    const list = document.getElementById("addon-removal-parts");
    list.replaceChildren();
    for (const kind of ["forms", "fields", "flows", "reports", "roles"]) {
      for (const key of r.data.parts[kind]) {
        const li = document.createElement("li");
        const code = document.createElement("code");
        code.textContent = `${kind}: ${key}`;
        li.append(code);
        list.append(li);
      }
    }
    const total = Object.values(r.data.records).reduce((a, b) => a + b, 0);
    const records = document.getElementById("addon-removal-records");
    records.hidden = total === 0;
    records.textContent = removal.dataset.records.replace("{count}", String(total));
    clearErrors(removal);
    removal.showModal();
  });
  if (removal) {
    document.getElementById("addon-removal-cancel").addEventListener("click", () => removal.close());
    document.getElementById("addon-removal-confirm").addEventListener("click", async () => {
      const r = await api("DELETE", `/api/v1/apps/${app}/addons/${removing}?confirm=true`);
      if (r.ok) window.location.reload(); else showErrors(removal, r.data);
    });
  }
})();
