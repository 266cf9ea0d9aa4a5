/* 合并: read the side-by-side choice and POST it to the merge API; then open the record that stayed.
   DOM contract: #merge-data (JSON: app, form, ids), form#merge-form, input[name=survivor] (one per record),
   tr[data-field] > input[name="f-<key>"] (the record whose value the survivor keeps; disabled: all equal). */
"use strict";

(function () {
  document.addEventListener("DOMContentLoaded", () => {
    const {api, toast, showErrors, clearErrors} = window.tangram;
    const base = JSON.parse(document.getElementById("merge-data").textContent);
    const form = document.getElementById("merge-form");
    /* A field keeps following the survivor until the user picks another record's value for it. */
    const touched = new Set();
    form.addEventListener("change", (event) => {
      const input = event.target;
      if (input.name === "survivor") {
        form.querySelectorAll("tr[data-field]").forEach((tr) => {
          if (touched.has(tr.dataset.field)) return;
          const mine = tr.querySelector(`input[value="${input.value}"]`);
          if (mine && !mine.disabled) mine.checked = true;
        });
      } else if (input.name.startsWith("f-")) {
        touched.add(input.name.slice(2));
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const survivor = Number(form.querySelector("input[name=survivor]:checked").value);
      const values = {};
      form.querySelectorAll("tr[data-field]").forEach((tr) => {
        const picked = tr.querySelector("input:checked:not(:disabled)");
        if (picked && Number(picked.value) !== survivor) values[tr.dataset.field] = Number(picked.value);
      });
      const merged = base.ids.filter((id) => id !== survivor);
      const r = await api("POST", `/api/v1/apps/${base.app}/forms/${base.form}/merge`, {survivor, merged, values});
      if (r.ok) {
        window.location = `/apps/${base.app}/forms/${base.form}/records/${survivor}`;
        return;
      }
      showErrors(form, r.data);
      toast(r.data.error.message, "error");
    });
  });
})();
