/* 可能重复: the record form's warning when a save is refused as a likely duplicate (409 possible_duplicates or
   duplicate_blocked), and its hint as the user types (the record's preview). Lists the candidates with links
   (a record the user may not read shows as #id, without one) and, on a refused save unless a block rule
   refused, a 仍然保存 button that saves again with allow_duplicates=true.
   DOM contract: #duplicate-warning[data-title][data-blocked][data-hint][data-hint-blocked][data-save-anyway][data-related]
   [data-score] inside form#record-form; window.tangram.duplicateWarning.show(error, onConfirm) /
   .hint(blocked, candidates) / .hide(). */
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

  function draw(title, text, found, onConfirm) {
    const el = box();
    if (!el) return null;
    const words = el.dataset;
    const heading = document.createElement("strong");
    heading.textContent = title(words);
    const message = document.createElement("p");
    message.textContent = text(words);
    el.replaceChildren(heading, message, list(found.filter((c) => c.relation === "duplicate"), words));
    const related = found.filter((c) => c.relation === "branch");
    if (related.length) {
      const head = document.createElement("p");
      head.textContent = words.related;
      el.append(head, list(related, words));
    }
    if (onConfirm) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "save-anyway";
      button.textContent = words.saveAnyway;
      button.addEventListener("click", onConfirm);
      el.append(button);
    }
    el.hidden = false;
    return el;
  }

  /* A save refused (409): the refusal's words, and 仍然保存 unless a block rule refused. */
  function show(error, onConfirm) {
    const blocked = error.code === "duplicate_blocked";
    const el = draw((words) => (blocked ? words.blocked : words.title), () => error.message,
                    error.duplicates || [], blocked ? null : onConfirm);
    if (el) el.scrollIntoView({block: "nearest"});
    return Boolean(el);
  }

  /* As the user types (the record's preview): the candidates, nothing to confirm yet, the page not scrolled. */
  function hint(blocked, found) {
    draw((words) => words.title, (words) => (blocked ? words.hintBlocked : words.hint), found, null);
  }

  function hide() {
    const el = box();
    if (el) { el.hidden = true; el.replaceChildren(); }
  }

  window.tangram = Object.assign(window.tangram || {}, {duplicateWarning: {show, hint, hide}});
})();
