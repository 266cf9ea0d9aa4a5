/* 通讯录导入 on 组织架构: 导入 opens the panel; 预览 sends the file to POST /api/v1/user-imports/preview (a dry
   run) and lists each row's status and problems; 开始导入 (enabled once no row fails) sends it to
   POST /api/v1/user-imports — all rows or none — and shows each new user's initial password once, with a CSV
   download of them. DOM contract: builder_ui/templates/admin/_user_import.html (#ui-*), #ui-words (JSON). */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, showErrors, clearErrors, toast} = window.tangram;
  const panel = document.getElementById("user-import");
  if (!panel) return;
  const words = JSON.parse(document.getElementById("ui-words").textContent);
  const $ = (id) => document.getElementById(id);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k]);

  $("ui-open").addEventListener("click", () => { panel.hidden = false; $("ui-file").focus(); });

  function body() {
    const data = new FormData();
    data.append("file", $("ui-file").files[0]);
    return data;
  }
  const query = () => ($("ui-create").checked ? "?create_departments=true" : "");
  const cell = (tr, text) => { const td = document.createElement("td"); td.textContent = text; tr.append(td); return td; };

  function showRows(plan) {
    const tbody = $("ui-rows").querySelector("tbody");
    tbody.replaceChildren();
    for (const row of plan.rows) {
      const tr = document.createElement("tr");
      tr.dataset.status = row.status;
      cell(tr, row.row);
      cell(tr, row.username);
      cell(tr, words[row.status]);
      cell(tr, row.problems.map((p) => p.message).join("；"));
      tbody.append(tr);
    }
    $("ui-rows").hidden = false;
    $("ui-counts").textContent = fill(words.counts, plan.counts);
    $("ui-run").disabled = plan.counts.failed > 0;
    if (plan.counts.failed > 0) toast(words.fix_first, "error");
  }

  $("ui-preview").addEventListener("click", async () => {
    clearErrors(panel);
    $("ui-done").hidden = true;
    if (!$("ui-file").files.length) return;
    const r = await api("POST", "/api/v1/user-imports/preview" + query(), body());
    if (!r.ok) { showErrors(panel, r.data); $("ui-run").disabled = true; return; }
    showRows(r.data);
  });
  $("ui-file").addEventListener("change", () => { $("ui-run").disabled = true; });
  $("ui-create").addEventListener("change", () => { $("ui-run").disabled = true; });

  $("ui-run").addEventListener("click", async () => {
    clearErrors(panel);
    const r = await api("POST", "/api/v1/user-imports" + query(), body());
    if (!r.ok) { showErrors(panel, r.data); return; }
    $("ui-run").disabled = true;
    const tbody = $("ui-passwords").querySelector("tbody");
    tbody.replaceChildren();
    const lines = ["用户名,初始密码"];
    for (const p of r.data.passwords) {
      const tr = document.createElement("tr");
      cell(tr, p.username);
      cell(tr, p.password).className = "password";
      tbody.append(tr);
      lines.push(`${p.username},${p.password}`);
    }
    const link = $("ui-download");
    link.href = URL.createObjectURL(new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], {type: "text/csv"}));
    link.download = "initial-passwords.csv";
    $("ui-done").hidden = false;
    $("ui-counts").textContent = fill(words.done, r.data.counts);
  });
});
