/* Home and app pages: create an app (from scratch or a template file) and a form, through the API.
   The app page's 有未发布的修改 card drops the builder's draft after a confirmation.
   DOM contract: form#new-app, form#import-app, form.template-install[data-api], form#new-form[data-app] with [data-api],
   #draft-pending[data-app] with #discard-draft[data-confirm]. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, showErrors} = window.tangram;

  const newApp = document.getElementById("new-app");
  if (newApp) newApp.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(newApp));
    const r = await api("POST", newApp.dataset.api,
      {format: "tangram/app@1", key: values.key, name: values.name, version: "1.0.0", forms: []});
    if (r.ok) window.location = `/apps/${r.data.key}`; else showErrors(newApp, r.data);
  });

  const importApp = document.getElementById("import-app");
  if (importApp) importApp.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = importApp.querySelector('input[type="file"]').files[0];
    let definition;
    try { definition = JSON.parse(await file.text()); }
    catch (e) { showErrors(importApp, {error: {message: "JSON: " + e.message}}); return; }
    const r = await api("POST", importApp.dataset.api, definition);
    if (r.ok) window.location = `/apps/${r.data.key}`; else showErrors(importApp, r.data);
  });

  // 模板库: install a bundled template (an add-on joins its app), optionally with its demo records.
  for (const install of document.querySelectorAll("form.template-install")) {
    install.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = install.querySelector("button");
      button.disabled = true;
      const r = await api("POST", install.dataset.api, {demo: Boolean(install.querySelector('input[name="demo"]:checked'))});
      button.disabled = false;
      if (r.ok) window.location = `/apps/${r.data.app}`; else showErrors(install, r.data);
    });
  }

  const discard = document.getElementById("discard-draft");
  if (discard) discard.addEventListener("click", async () => {
    if (!window.confirm(discard.dataset.confirm)) return;
    const card = document.getElementById("draft-pending");
    const r = await api("DELETE", `/api/v1/apps/${card.dataset.app}/draft`);
    if (r.ok) window.location.reload(); else showErrors(card, r.data);
  });

  const newForm = document.getElementById("new-form");
  if (newForm) newForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(newForm));
    const r = await api("POST", newForm.dataset.api, {key: values.key, name: values.name, fields: []});
    if (r.ok) window.location = `/apps/${newForm.dataset.app}/builder/forms/${values.key}`;
    else showErrors(newForm, r.data);
  });
});
