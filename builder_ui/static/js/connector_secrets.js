/* 系统设置 → 连接器密钥: 保存密钥 PUTs /api/v1/settings/connector-secrets/{name} (the value goes one way: the page
   lists names only), 删除 DELETEs one. DOM contract: #connector-secrets with #cs-name, #cs-value, #cs-save,
   #cs-list > li[data-secret] with button[data-delete-secret], [data-error-for], #connector-secret-words (JSON). */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("connector-secrets");
  if (!section) return;
  const {api, showErrors, clearErrors, toast} = window.tangram;
  const words = JSON.parse(document.getElementById("connector-secret-words").textContent);
  const url = (name) => `/api/v1/settings/connector-secrets/${encodeURIComponent(name)}`;

  document.getElementById("cs-save").addEventListener("click", async () => {
    const name = document.getElementById("cs-name").value.trim();
    const value = document.getElementById("cs-value");
    const r = await api("PUT", url(name), {value: value.value});
    if (!r.ok) { showErrors(section, r.data); return; }
    clearErrors(section);
    value.value = "";
    toast(words.saved.replace("{name}", name), "info");
    window.location.reload();  // the list is the server's: names, who set them and when
  });

  section.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-delete-secret]");
    if (!button) return;
    const name = button.dataset.deleteSecret;
    const r = await api("DELETE", url(name));
    if (!r.ok) { showErrors(section, r.data); return; }
    button.closest("li").remove();
    toast(words.deleted.replace("{name}", name), "info");
  });
});
