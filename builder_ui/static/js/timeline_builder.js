/* 时间线设置: edit a form's timelines on the draft. 保存到草稿 PUTs the form's values to
   /api/v1/apps/{app}/forms/{form}/timelines/{key}; 删除 DELETEs it (after a confirm); 发布 publishes the
   draft. A refusal (422 with the definition's paths, `forms[i].timelines[j].start`) shows each message next
   to its input. DOM contract: #tlb-data (JSON: app, form, views, scales), #tlb-form[name=key|name|name_en|
   start|end|group_by|done|scale], .tlb-edit[data-key], .tlb-delete[data-key], #tlb-publish. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, toast, showErrors} = window.tangram;
  const data = JSON.parse(document.getElementById("tlb-data").textContent);
  const form = document.getElementById("tlb-form");
  const base = `/api/v1/apps/${data.app}/forms/${data.form}/timelines/`;
  const en = document.body.dataset.lang === "en";

  // The definition's paths, shortened to the input they concern: forms[1].timelines[0].start → start.
  const local = (error) => {
    const err = (error && error.error) || {};
    return {error: {...err, details: (err.details || []).map((d) => ({...d, path: (d.path || "").replace(/^.*timelines\[\d+\]\.?/, "") || "form"}))}};
  };

  document.querySelectorAll(".tlb-edit").forEach((button) => button.addEventListener("click", () => {
    const view = data.views.find((v) => v.key === button.dataset.key);
    if (!form || !view) return;
    for (const name of ["key", "name", "name_en", "start", "end", "group_by", "done", "scale"]) {
      form.elements[name].value = view[name] || (name === "scale" ? "week" : "");
    }
    form.elements.key.readOnly = true;
    form.scrollIntoView();
    form.elements.name.focus();
  }));

  document.querySelectorAll(".tlb-delete").forEach((button) => button.addEventListener("click", async () => {
    if (!window.confirm(en ? `Delete the timeline ${button.dataset.key}?` : `确定删除时间线 ${button.dataset.key}？`)) return;
    const r = await api("DELETE", base + encodeURIComponent(button.dataset.key));
    if (r.ok) window.location.reload();
    else toast((r.data && r.data.error && r.data.error.message) || String(r.status), "error");
  }));

  if (form) {
    form.addEventListener("reset", () => { form.elements.key.readOnly = false; });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const key = form.elements.key.value.trim();
      if (!key) { showErrors(form, {error: {message: en ? "Give the timeline a key" : "请填写标识", details: [{path: "key", message: en ? "required" : "必填"}]}}); return; }
      const view = {};
      for (const name of ["name", "name_en", "start", "end", "group_by", "done", "scale"]) {
        const value = form.elements[name].value.trim();
        if (value) view[name] = value;
      }
      const r = await api("PUT", base + encodeURIComponent(key), view);
      if (r.ok) window.location.reload();
      else showErrors(form, local(r.data));
    });
  }

  document.getElementById("tlb-publish").addEventListener("click", async () => {
    const r = await api("POST", `/api/v1/apps/${data.app}/publish`, {});
    if (r.ok) { toast(en ? "Published" : "已发布", "info"); window.setTimeout(() => window.location.reload(), 600); }
    else showErrors(document.body, r.data);
  });
});
