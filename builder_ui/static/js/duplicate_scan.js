/* 查重: 开始查重 / 重新查重 starts the form's scan through the API (or joins the one running) and follows its
   progress; when it is done the page reloads on the new groups. A scan running when the page opens (the user
   left and came back) is followed the same way.
   DOM contract: #dup-scan-data (JSON: app, form, status), #dup-rescan, #dup-running (hidden while idle),
   #dup-progress, #dup-progress-text (data-running: the words with {p}), #dup-scan. */
"use strict";

(function () {
  const POLL_MS = 1000;

  document.addEventListener("DOMContentLoaded", () => {
    const {api, toast} = window.tangram;
    const data = JSON.parse(document.getElementById("dup-scan-data").textContent);
    const url = `/api/v1/apps/${data.app}/forms/${data.form}/duplicates/scan`;
    const button = document.getElementById("dup-rescan");
    const running = document.getElementById("dup-running");
    const bar = document.getElementById("dup-progress");
    const text = document.getElementById("dup-progress-text");

    function show(scan) {
      document.getElementById("dup-scan").dataset.status = scan.status;
      bar.value = scan.progress;
      text.textContent = text.dataset.running.replace("{p}", scan.progress);
    }

    async function follow() {
      running.hidden = false;
      button.disabled = true;
      for (;;) {
        const r = await api("GET", url);
        if (!r.ok) { toast(r.data && r.data.error ? r.data.error.message : String(r.status), "error"); break; }
        show(r.data);
        if (r.data.status === "done" || r.data.status === "failed") { window.location.reload(); return; }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      button.disabled = false;
    }

    button.addEventListener("click", async () => {
      const r = await api("POST", url);
      if (!r.ok) { toast(r.data && r.data.error ? r.data.error.message : String(r.status), "error"); return; }
      show(r.data);
      follow();
    });
    if (data.status === "queued" || data.status === "running") follow();
  });
})();
