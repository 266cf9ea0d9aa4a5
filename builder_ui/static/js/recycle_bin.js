/* 回收站: restore the ticked records, or one row's (恢复 / 撤销合并), through POST …/records/{id}/restore,
   then reload the bin; a refused restore (a unique value taken meanwhile) is shown and the others go on.
   DOM contract: #bin-data (JSON: app, form), #bin .select-all, #bin .select-row[value=<id>],
   #bin .bin-restore[data-id], #bin-bar .count, #bin-restore-selected. */
"use strict";

(function () {
  document.addEventListener("DOMContentLoaded", () => {
    const {api, toast} = window.tangram;
    const base = JSON.parse(document.getElementById("bin-data").textContent);
    const table = document.getElementById("bin");
    const button = document.getElementById("bin-restore-selected");
    const ticked = () => Array.from(table.querySelectorAll(".select-row:checked")).map((box) => Number(box.value));

    function counted() {
      const ids = ticked();
      document.querySelector("#bin-bar .count").textContent = ids.length;
      button.disabled = ids.length === 0;
    }

    async function restore(ids) {
      let restored = 0;
      for (const id of ids) {  // one by one: each restore may undo a merge, and one refusal stops none
        const r = await api("POST", `/api/v1/apps/${base.app}/forms/${base.form}/records/${id}/restore`);
        if (r.ok) restored += 1;
        else toast(`#${id}: ${r.data.error.message}`, "error");
      }
      if (restored) {
        toast(`✓ ${restored}`);
        window.location.reload();
      }
    }

    table.addEventListener("change", (event) => {
      if (event.target.matches(".select-all")) {
        table.querySelectorAll(".select-row").forEach((box) => { box.checked = event.target.checked; });
      }
      counted();
    });
    table.addEventListener("click", (event) => {
      const one = event.target.closest(".bin-restore");
      if (one) restore([Number(one.dataset.id)]);
    });
    button.addEventListener("click", () => restore(ticked()));
    counted();
  });
})();
