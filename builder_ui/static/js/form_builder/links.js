/* The lookup and rollup editors of the form builder: selects filled from the app's forms (the page's
   catalogue: each field's key, label, type, `result` type in expressions, target, multiple).
   - lookup: a single relation field of this form, then a field of the form it points to; `result`
     is that field's type (the server checks it; the page only copies what the engine said);
   - rollup: a single relation of another form that points at this form, the summary (`agg`) and the
     field summarised (`of`, none for count); `result` follows the field for min/max of dates.
   `defaults(ctx)` gives a new field of the type its first valid choice, or throws {message} when the
   app has none yet. DOM contract: [data-editor="lookup|rollup"] with select[data-part]. */
"use strict";

(function () {
  const editors = window.tangram.builderEditors = window.tangram.builderEditors || {};
  const formOf = (ctx, key) => ctx.forms.find((f) => f.key === key) || {fields: []};

  /* Options from [value, text] pairs; a chosen value the app no longer offers is still shown. */
  function setOptions(select, pairs, chosen) {
    const all = chosen && !pairs.some(([value]) => value === chosen) ? pairs.concat([[chosen, chosen]]) : pairs;
    select.replaceChildren(...all.map(([value, text]) => new Option(text, value, false, value === chosen)));
    if (!chosen) select.value = "";
  }

  const relations = (ctx) => (ctx.form.fields || []).filter((f) => f.type === "relation" && !f.multiple);
  const lookable = (ctx, target) => formOf(ctx, target).fields.filter((f) => ctx.results.lookup.includes(f.result));
  const targetOf = (ctx, relation) => (relations(ctx).find((r) => r.key === relation) || {}).target;

  editors.lookup = {
    fill(box, field, ctx) {
      const part = (name) => box.querySelector(`[data-part="${name}"]`);
      setOptions(part("relation"), relations(ctx).map((r) => [r.key, r.label]), field.relation);
      setOptions(part("field"), lookable(ctx, targetOf(ctx, field.relation)).map((f) => [f.key, f.label]), field.field);
    },

    read(box, field, ctx) {
      const relation = box.querySelector('[data-part="relation"]').value;
      const choices = lookable(ctx, targetOf(ctx, relation));
      const wanted = relation === field.relation ? box.querySelector('[data-part="field"]').value : null;
      const chosen = choices.find((f) => f.key === wanted) || (wanted ? null : choices[0]);
      return chosen ? {relation, field: chosen.key, result: chosen.result} : {relation, field: wanted || field.field};
    },

    defaults(ctx) {
      const relation = relations(ctx).find((r) => lookable(ctx, r.target).length);
      if (!relation) throw {message: ctx.words.need_relation};
      const first = lookable(ctx, relation.target)[0];
      return {relation: relation.key, field: first.key, result: first.result};
    },
  };

  const sources = (ctx) => ctx.forms.flatMap((f) => f.fields
    .filter((x) => x.type === "relation" && x.target === ctx.form.key && !x.multiple)
    .map((x) => ({form: f.key, field: x.key, text: `${f.name} · ${x.label}`})));
  const summable = (ctx, form) => formOf(ctx, form).fields.filter((f) => ctx.results.rollup.includes(f.result));

  editors.rollup = {
    fill(box, field, ctx) {
      const part = (name) => box.querySelector(`[data-part="${name}"]`);
      const source = field.source || {};
      setOptions(part("source"), sources(ctx).map((s) => [`${s.form}.${s.field}`, s.text]), `${source.form}.${source.field}`);
      part("agg").value = field.agg;
      const of = part("of");
      setOptions(of, [["", "—"]].concat(summable(ctx, source.form).map((f) => [f.key, f.label])), field.of || "");
      of.disabled = field.agg === "count";
    },

    read(box, field, ctx) {
      const part = (name) => box.querySelector(`[data-part="${name}"]`);
      const [form, key] = part("source").value.split(".");
      const agg = part("agg").value;
      const choices = summable(ctx, form);
      let of = agg === "count" ? null : (form === (field.source || {}).form && part("of").value) || null;
      if (agg !== "count" && !choices.some((f) => f.key === of)) {
        of = (choices.find((f) => f.result === "number") || choices[0] || {}).key || null;  // a first guess to refine
      }
      const ofResult = (choices.find((f) => f.key === of) || {}).result;
      const result = ["min", "max"].includes(agg) && ofResult ? ofResult : "number";
      return {source: {form, field: key}, agg, of, result};
    },

    defaults(ctx) {
      const source = sources(ctx)[0];
      if (!source) throw {message: ctx.words.need_source};
      return {source: {form: source.form, field: source.field}, agg: "count"};
    },
  };
})();
