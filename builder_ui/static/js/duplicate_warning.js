/* 可能重复: the record form's warning when a save is refused as a likely duplicate (409 possible_duplicates or
   duplicate_blocked). Lists the candidates with links (a record the user may not read shows as #id, without
   one) and, unless a block rule refused, a 仍然保存 button that saves again with allow_duplicates=true.
   DOM contract: #duplicate-warning[data-title][data-blocked][data-save-anyway][data-related][data-score]
   inside form#record-form; window.tangram.duplicateWarning.show(error, onConfirm) / .hide(). */
"use strict";

(function () {
  const box = () => document.getElementById("duplicate-warning");

  function item(candidate, words) {
    const li = document.createElement("li");
    const name = document.createElement(candidate.url ? "a" : "span");
    if (candidate.url) { name.href = candidate.url; name.target = "_blank"; name.rel = "noopener"; }
    name.textContent = candidate.title;
    li.append(name, ` · ${candidate.rule_name} · ${words.score} ${candidate.score}%`);
    return li;
  }

  function list(candidates, words) {
    const ul = document.createElement("ul");
    candidates.forEach((c) => ul.append(item(c, words)));
    return ul;
  }

  function show(error, onConfirm) {
    const el = box();
    if (!el) return false;
    const words = el.dataset;
    const blocked = error.code === "duplicate_blocked";
    const found = error.duplicates || [];
    const title = document.createElement("strong");
    title.textContent = blocked ? words.blocked : words.title;
    const message = document.createElement("p");
    message.textContent = error.message;
    el.replaceChildren(title, message, list(found.filter((c) => c.relation === "duplicate"), words));
    const related = found.filter((c) => c.relation === "branch");
    if (related.length) {
      const head = document.createElement("p");
      head.textContent = words.related;
      el.append(head, list(related, words));
    }
    if (!blocked) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "save-anyway";
      button.textContent = words.saveAnyway;
      button.addEventListener("click", onConfirm);
      el.append(button);
    }
    el.hidden = false;
    el.scrollIntoView({block: "nearest"});
    return true;
  }

  function hide() {
    const el = box();
    if (el) { el.hidden = true; el.replaceChildren(); }
  }

  window.tangram = Object.assign(window.tangram || {}, {duplicateWarning: {show, hide}});
})();
