/* 系统设置: each section's 保存 sends its settings in one PATCH /api/v1/settings (an empty box: back to the
   environment's value; an empty password box: unchanged); 发送测试消息 calls POST /api/v1/settings/test-robot; 导入 turns a pasted year of 放假安排 into the two date
   lists (saved with 保存); 发送测试邮件 calls POST /api/v1/settings/test-email and shows the server's words.
   DOM contract: section[data-section] > .setting[data-setting][data-kind] with inputs named by the setting,
   [data-clear], [data-save], [data-test-robot] (#st-robot-result), [data-test-app] (#st-app-result), [data-error-for], #st-import-text/-run/-result, #st-test-to/-email/-result,
   #settings-words (JSON). */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, showErrors, clearErrors, toast} = window.tangram;
  const words = JSON.parse(document.getElementById("settings-words").textContent);

  const lines = (text) => text.split(/\n/).map((s) => s.trim()).filter(Boolean);

  const asDataUrl = (file) => new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });

  async function valueOf(row) {  // the setting's new value; undefined: leave it as it is
    const name = row.dataset.setting;
    const inputs = row.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    const box = inputs[0];
    switch (row.dataset.kind) {
      case "checkbox": return box.checked;
      case "password": {
        const clear = row.querySelector("[data-clear]");
        if (clear && clear.checked) return null;
        return box.value === "" ? undefined : box.value;
      }
      case "logo": {  // sent as a data URL; the server checks its type, size and first bytes
        const clear = row.querySelector("[data-clear]");
        if (clear && clear.checked) return null;
        return box.files.length ? asDataUrl(box.files[0]) : undefined;
      }
      case "hours": return [inputs[0].value, inputs[1].value];
      case "dates": return lines(box.value);
      case "number": return box.value.trim() === "" ? null : Number(box.value);
      default: return box.value.trim() === "" ? null : box.value.trim();
    }
  }

  document.querySelectorAll("[data-save]").forEach((button) => button.addEventListener("click", async () => {
    const section = button.closest("section");
    const body = {};
    for (const row of section.querySelectorAll(".setting")) {
      const value = await valueOf(row);
      if (value !== undefined) body[row.dataset.setting] = value;
    }
    const r = await api("PATCH", "/api/v1/settings", body);
    if (!r.ok) { showErrors(section, r.data); return; }
    clearErrors(section);
    section.querySelectorAll('[data-kind="password"] input').forEach((input) => { input.value = ""; });
    toast(words.saved, "info");
  }));

  // 导入: "2026-10-01 休" / "2026/10/10 班" → the year's holidays and 调休 workdays, replacing that year's dates
  const importButton = document.getElementById("st-import-run");
  if (importButton) importButton.addEventListener("click", () => {
    const found = {holidays: [], workdays: []};
    const years = new Set();
    for (const line of lines(document.getElementById("st-import-text").value)) {
      const m = line.match(/(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})/);
      if (!m) continue;
      const day = `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}`;
      years.add(m[1]);
      found[line.includes("班") ? "workdays" : "holidays"].push(day);
    }
    const result = document.getElementById("st-import-result");
    if (!years.size) { result.textContent = words.none; return; }
    for (const kind of ["holidays", "workdays"]) {
      const box = document.querySelector(`textarea[name="${kind}"]`);
      const kept = lines(box.value).filter((day) => !years.has(day.slice(0, 4)));
      box.value = [...new Set([...kept, ...found[kind]])].sort().join("\n");
    }
    result.textContent = words.imported.replace("{holidays}", found.holidays.length)
      .replace("{workdays}", found.workdays.length).replace("{year}", [...years].sort().join("、"));
  });

  document.querySelectorAll("[data-test-robot]").forEach((button) => button.addEventListener("click", async () => {
    const result = document.getElementById("st-robot-result");
    result.textContent = "";
    const r = await api("POST", "/api/v1/settings/test-robot", {channel: button.dataset.testRobot});
    if (!r.ok) { showErrors(button.closest("section"), r.data); return; }
    result.textContent = r.data.ok ? words.robot_sent : words.failed + r.data.error;
    result.className = r.data.ok ? "" : "error";
  }));

  document.querySelectorAll("[data-test-app]").forEach((button) => button.addEventListener("click", async () => {
    const result = document.getElementById("st-app-result");
    result.textContent = "";
    const r = await api("POST", "/api/v1/settings/test-app", {channel: button.dataset.testApp});
    if (!r.ok) { showErrors(button.closest("section"), r.data); return; }
    result.textContent = r.data.ok ? words.app_ok : words.failed + r.data.error;
    result.className = r.data.ok ? "" : "error";
  }));

  const testButton = document.getElementById("st-test-email");
  if (testButton) testButton.addEventListener("click", async () => {
    const result = document.getElementById("st-test-result");
    result.textContent = "";
    const r = await api("POST", "/api/v1/settings/test-email", {to: document.getElementById("st-test-to").value});
    if (!r.ok) { showErrors(testButton.closest("section"), r.data); return; }
    result.textContent = r.data.ok ? words.sent : words.failed + r.data.error;
    result.className = r.data.ok ? "" : "error";
  });
});
