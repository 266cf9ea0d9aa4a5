/* 查看为's banner: 退出查看 stops viewing as the user (DELETE /api/v1/view-as) and goes home as yourself.
   DOM contract: #view-as-stop. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("view-as-stop").addEventListener("click", async () => {
    const r = await window.tangram.api("DELETE", "/api/v1/view-as");
    if (r.ok) window.location.href = "/";
    else window.tangram.toast(r.data.error.message, "error");
  });
});
