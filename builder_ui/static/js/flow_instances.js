/* The flow's run log (运行记录): the version filter, and the drawer with one instance — where it waits, its
   timeline, its jobs with every attempt — read from the flow admin API; 重试 queues a failed job again and
   the drawer follows it until it has run. Everything shown is set as text, never as HTML.
   DOM contract: table#fi-instances[data-app][data-flow] tr[data-instance] button.fi-open, select#fi-version
   [data-status], aside#fi-drawer (#fi-drawer-title, #fi-drawer-body, #fi-close, [data-error-for="drawer"]),
   script#fi-words (the words, by key); in the drawer li.fi-job[data-job] .job-status and button.fi-retry. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, toast, showErrors} = window.tangram;
  const table = document.getElementById("fi-instances");
  const drawer = document.getElementById("fi-drawer");
  const body = document.getElementById("fi-drawer-body");
  const words = JSON.parse(document.getElementById("fi-words").textContent);
  const base = `/api/v1/apps/${encodeURIComponent(table.dataset.app)}/flows/${encodeURIComponent(table.dataset.flow)}`;
  const w = (key, values) => (words[key] || key).replace(/\{(\w+)\}/g, (_, name) => String((values || {})[name]));
  let shown = null;  // the instance in the drawer
  let changed = false;  // a retry was made: the table is reloaded when the drawer closes
  let following = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => { if (v !== null && v !== undefined) node.setAttribute(k, v); });
    children.flat().forEach((c) => { if (c !== null && c !== undefined && c !== false) node.append(c); });
    return node;
  }

  function when(text) {
    if (!text) return "";
    const d = new Date(text);
    const two = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
  }

  function waiting(item) {
    if (!item.waiting.length) return null;
    return el("section", {}, el("h3", {}, w("fi_waiting")), el("ul", {}, item.waiting.map((x) => el("li", {},
      x.kind === "resubmit" ? w("fi_resubmit") : `${x.step_name || x.step || w("fi_wait")}${x.assignees.length ? "：" + (x.assignee_names || x.assignees).join("、") : ""}`,
      x.later.length ? ` （${w("fi_later")}：${(x.later_names || x.later).join("、")}）` : "",
      el("br"), el("small", {}, `${w("fi_since")} ${when(x.since)}`, x.due_at ? ` · ${w("fi_due")} ${when(x.due_at)}` : "")))));
  }

  function timeline(item) {
    return el("section", {}, el("h3", {}, w("fi_timeline")), el("ol", {class: "fi-timeline"}, item.timeline.map((e) =>
      el("li", {}, el("small", {}, when(e.at)), " ", e.step_name ? `${e.step_name} · ` : "", e.message,
        e.actor ? ` — ${e.actor_name || e.actor}` : "", e.comment ? el("div", {class: "muted"}, `${w("comment")}：${e.comment}`) : null))));
  }

  function job(j) {
    // Numbered in order: a retry starts the job's own count again. An "HTTP 500: …" error repeats the answer.
    const attempts = el("ol", {}, j.deliveries.map((d, n) => el("li", {},
      `${w("fi_attempt", {n: n + 1})} · ${when(d.at)} · ${d.status_code || "—"}`,
      d.error && !(d.response && d.error.startsWith("HTTP ")) ? el("pre", {class: "fi-error"}, d.error) : null,
      d.response ? el("div", {}, el("small", {}, w("fi_response")), el("pre", {class: "fi-response"}, d.response)) : null)));
    return el("li", {class: "fi-job", "data-job": j.id},
      el("div", {}, el("strong", {}, w(`kind_${j.kind}`)), " ",
        el("span", {class: `job-status job-${j.status}`}, w(`job_${j.status}`)), " ",
        el("small", {}, w("fi_attempts", {n: j.attempts, m: j.max_attempts})), " ",
        j.retryable ? el("button", {type: "button", class: "fi-retry", "data-job": j.id}, w("fi_retry")) : null),
      j.target ? el("div", {}, el("small", {}, `${w("fi_target")}：${j.target}`)) : null,
      j.last_error && !j.deliveries.length ? el("pre", {class: "fi-error"}, j.last_error) : null,
      attempts);
  }

  function render(item) {
    shown = item;
    document.getElementById("fi-drawer-title").textContent = `#${item.id} ${item.record_title || ""}`;
    body.replaceChildren(...[
      el("p", {}, el("span", {class: `fi-status st-${item.status}`}, w(`st_${item.status}`)), " ",
        `${w("fi_submitter")}：${item.submitter_name || item.submitter || "—"} · ${w("fi_version")} ${item.def_version}`),
      waiting(item),
      el("section", {}, el("h3", {}, w("fi_jobs")),
        item.jobs.length ? el("ul", {class: "fi-jobs"}, item.jobs.map(job)) : el("p", {class: "muted"}, w("fi_no_jobs"))),
      timeline(item)].filter(Boolean));  // an ended instance waits nowhere: no section
  }

  async function open(id) {
    const r = await api("GET", `${base}/instances/${id}`);
    if (!r.ok) { showErrors(drawer, {error: {...r.data.error, field: "drawer"}}); drawer.hidden = false; return; }
    render(r.data);
    drawer.hidden = false;
    document.getElementById("fi-close").focus();
  }

  /* After a retry the worker runs the job within moments: look again until none is queued or running. */
  function follow(id, rounds) {
    clearTimeout(following);
    const busy = shown && shown.jobs.some((j) => j.status === "pending" || j.status === "running");
    if (!busy || rounds <= 0) return;
    following = setTimeout(async () => {
      const r = await api("GET", `${base}/instances/${id}`);
      if (r.ok && shown && shown.id === id) { render(r.data); follow(id, rounds - 1); }
    }, 1000);
  }

  table.addEventListener("click", (event) => {
    const button = event.target.closest("button.fi-open");
    if (button) open(button.closest("tr[data-instance]").dataset.instance);
  });

  body.addEventListener("click", async (event) => {
    const button = event.target.closest("button.fi-retry");
    if (!button || !shown) return;
    button.disabled = true;
    const r = await api("POST", `${base}/instances/${shown.id}/jobs/${button.dataset.job}/retry`);
    if (!r.ok) { button.disabled = false; showErrors(drawer, {error: {...r.data.error, field: "drawer"}}); return; }
    changed = true;
    toast(w("fi_retried"));
    render(r.data);
    follow(r.data.id, 30);
  });

  document.getElementById("fi-close").addEventListener("click", () => {
    clearTimeout(following);
    drawer.hidden = true;
    shown = null;
    if (changed) window.location.reload();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !drawer.hidden) document.getElementById("fi-close").click();
  });

  document.getElementById("fi-version").addEventListener("change", (event) => {
    const params = new URLSearchParams();
    if (event.target.dataset.status) params.set("status", event.target.dataset.status);
    if (event.target.value) params.set("version", event.target.value);
    window.location.search = params.toString();
  });
});
