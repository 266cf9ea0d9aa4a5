/* A trigger's settings as a form (templates/builder/_trigger_options.html): which blocks show for the
   chosen type, the trigger JSON the form says, and where the engine's refusals go. Shared by the designer's
   trigger panel (flow_trigger_panel.js) and the new-flow dialog (new_flow.js).
   DOM contract: [name=on|fields|field|direction|days|offset|at|repeat|every|weekday|time|cron|each_record|label|
   token|when] (`when` optional; each_record: radios true / false), [data-on] and [data-every] blocks,
   [data-error-for=<option>|form]. */
"use strict";

(function () {
  const OPTIONS = ["when", "fields", "cron", "each_record", "field", "offset", "at", "repeat", "token", "label"];

  /* Show the blocks of the chosen type (and of the schedule's kind). */
  function show(form) {
    const f = form.elements;
    form.querySelectorAll("[data-on]").forEach((box) => { box.hidden = box.dataset.on !== f.on.value; });
    form.querySelectorAll("[data-every]").forEach((box) => {
      box.hidden = !box.dataset.every.split(" ").includes(f.every.value);
    });
  }

  /* The cron the schedule widgets say (custom: as typed). */
  function cron(form) {
    const f = form.elements;
    if (f.every.value === "cron") return f.cron.value.trim();
    const [h, m] = (f.time.value || "09:00").split(":").map(Number);
    return `${m} ${h} * * ${f.every.value === "weekly" ? f.weekday.value : "*"}`;
  }

  /* The trigger the form says, with null for every option the chosen type does not use. */
  function read(form) {
    const f = form.elements;
    const on = f.on.value;
    const t = Object.fromEntries(OPTIONS.map((k) => [k, null]));
    t.on = on;
    t.when = (f.when && f.when.value.trim()) || null;
    if (on === "update") {
      const chosen = [...form.querySelectorAll('input[name="fields"]:checked')].map((box) => box.value);
      t.fields = chosen.length ? chosen : null;
    }
    if (on === "date") {
      t.field = f.field.value || null;
      const days = f.days.value.trim();
      t.offset = days === "" ? (f.offset.value || null) : `${f.direction.value === "-" ? "-" : ""}P${Number(days)}D`;
      t.at = f.at.value || null;
      t.repeat = f.repeat.value || null;
    }
    if (on === "schedule") {
      t.cron = cron(form);
      // per matching record (the `when` picks them) is the default, left out; once per run on no record: false
      t.each_record = f.each_record && f.each_record.value === "false" ? false : null;
    }
    if (on === "button") t.label = f.label.value.trim() || null;
    if (on === "webhook") t.token = f.token.value.trim() || null;
    return t;
  }

  /* An engine issue at flows[i].trigger.<option>[…] goes under that option's field; the rest above. */
  function showRefusal(form, body) {
    const err = (body && body.error) || {message: String(body)};
    const details = (err.details || []).map((d) => ({...d, path: (d.path || "").replace(/^flows\[\d+\]\.trigger\.?/, "") || "form"}));
    const general = details.filter((d) => d.path === "form").map((d) => d.message).join("；");
    window.tangram.showErrors(form, {error: {...err, message: general || err.message,
                                             details: details.filter((d) => d.path !== "form")}});
  }

  window.tangram = Object.assign(window.tangram || {}, {triggerForm: {show, cron, read, showRefusal}});
})();
