/* The people picker: chosen people as removable chips, searched as you type in the app's people directory
   (GET /api/v1/apps/{app}/people?q=, …/people/departments?q=). A department among the matches narrows the
   search to its members (and those of the departments below it). The picker enhances a plain text input,
   which it hides and keeps holding the chosen usernames, comma-separated — the code that reads the input
   reads it unchanged. If the directory refuses (no right to search it), the input stays as it was.

   tangram.peoplePicker.enhance(input, {app, multiple, label}) → {read(): usernames, set(usernames)};
   inputs with [data-people-picker="multi|single"][data-app] are enhanced when the page loads.
   DOM contract: .people-picker[data-for=<input id>] > ul.chips > li.chip[data-username] > button.remove;
   input.people-search[role=combobox]; ul.people-results[role=listbox] > li[role=option][data-username]
   or li.department-option[data-department]; .narrowed (the department the search is narrowed to). */
"use strict";

(function () {
  const en = () => document.body.dataset.lang === "en";
  const w = (zh, english) => (en() ? english : zh);
  const split = (text) => (text || "").split(/[,，、\s]+/).filter(Boolean);
  let uid = 0;

  function node(tag, attrs, ...children) {
    const el = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) return;
      if (k === "text") el.textContent = v; else if (k === "class") el.className = v; else el.setAttribute(k, v);
    });
    children.forEach((c) => { if (c !== null && c !== undefined) el.append(c); });
    return el;
  }

  const labelOf = (input) => {
    const label = input.closest("label") || (input.id && document.querySelector(`label[for="${input.id}"]`));
    return label ? label.textContent.trim() : "";
  };

  function enhance(input, {app, multiple = true, label} = {}) {
    if (input._picker) return input._picker;
    const api = window.tangram.api;
    const base = `/api/v1/apps/${encodeURIComponent(app)}/people`;
    const id = input.id || (input.id = `people-${++uid}`);
    const names = new Map();  // username -> display name
    let chosen = split(input.value);
    if (!multiple) chosen = chosen.slice(0, 1);
    let department = null;  // {key, name} the search is narrowed to
    let active = -1;
    let asked = 0;
    let timer = null;  // the search typed, asked 150 ms after the last keystroke

    const chips = node("ul", {class: "chips"});
    const search = node("input", {class: "people-search", type: "text", role: "combobox", autocomplete: "off",
                                  "aria-expanded": "false", "aria-autocomplete": "list",
                                  "aria-label": label || labelOf(input) || w("选择人员", "Choose people"),
                                  placeholder: w("搜索姓名、用户名或部门", "Search name, username or department")});
    const results = node("ul", {class: "people-results", role: "listbox", id: `${id}-results`, hidden: ""});
    search.setAttribute("aria-controls", results.id);
    const narrowed = node("span", {class: "narrowed", hidden: ""});
    const box = node("div", {class: "people-picker", "data-for": id}, chips, narrowed, search, results);

    function write() {
      input.value = chosen.join(", ");
      input.dispatchEvent(new Event("input", {bubbles: true}));
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function drawChips() {
      chips.replaceChildren(...chosen.map((username) => {
        const shown = names.get(username) || username;
        const remove = node("button", {type: "button", class: "remove", text: "×",
                                       "aria-label": `${w("移除", "Remove")} ${shown}`});
        remove.addEventListener("click", () => { chosen = chosen.filter((u) => u !== username); drawChips(); write(); search.focus(); });
        return node("li", {class: "chip", "data-username": username, title: username}, node("span", {text: shown}), remove);
      }));
    }

    function pick(person) {
      names.set(person.username, person.display_name);
      if (multiple) { if (!chosen.includes(person.username)) chosen = [...chosen, person.username]; }
      else chosen = [person.username];
      search.value = "";
      drawChips();
      write();
      close();
      search.focus();
    }

    function close() {  // a search typed or asked before this is not shown: the list stays closed
      clearTimeout(timer);
      asked += 1;
      results.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(n) {
      const options = [...results.querySelectorAll("[role=option]")];
      if (!options.length) return;
      active = (n + options.length) % options.length;
      options.forEach((o, i) => o.setAttribute("aria-selected", i === active ? "true" : "false"));
      search.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({block: "nearest"});
    }

    function narrow(found) {
      department = found;
      narrowed.hidden = !found;
      narrowed.textContent = found ? `${w("部门", "Department")}：${found.name} ` : "";
      if (found) {
        const clear = node("button", {type: "button", class: "link", text: "×", "aria-label": w("不按部门筛选", "Any department")});
        clear.addEventListener("click", () => { narrow(null); lookUp(); search.focus(); });
        narrowed.append(clear);
      }
    }

    async function lookUp() {
      const ticket = ++asked;
      const q = search.value.trim();
      const params = new URLSearchParams({q, limit: "20"});
      if (department) params.set("department", department.key);
      const [people, departments] = await Promise.all([
        api("GET", `${base}?${params}`),
        q && !department ? api("GET", `${base}/departments?${new URLSearchParams({q, limit: "5"})}`) : Promise.resolve(null)]);
      if (ticket !== asked) return;  // a later keystroke asked again
      if (!people.ok) { fallBack(); return; }
      const options = [];
      (departments && departments.ok ? departments.data.items : []).forEach((d) => {
        const li = node("li", {role: "option", class: "department-option", id: `${id}-d-${d.key}`, "data-department": d.key},
                        node("span", {text: `${w("部门", "Department")}：${d.name}`}),
                        node("small", {text: w("查看成员", "its people")}));
        li.addEventListener("mousedown", (e) => { e.preventDefault(); search.value = ""; narrow(d); lookUp(); });
        options.push(li);
      });
      people.data.items.forEach((p) => {
        names.set(p.username, p.display_name);
        if (multiple && chosen.includes(p.username)) return;  // already a chip
        const where = p.departments.map((d) => d.name).join("、");
        const li = node("li", {role: "option", id: `${id}-u-${p.username}`, "data-username": p.username},
                        node("span", {text: `${p.display_name}（${p.username}）`}), where ? node("small", {text: where}) : null);
        li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(p); });
        options.push(li);
      });
      if (!options.length) options.push(node("li", {class: "muted", text: w("没有匹配的人员", "Nobody matches")}));
      results.replaceChildren(...options);
      results.hidden = false;
      search.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function fallBack() {  // no right to search the directory: the plain input, as before
      box.remove();
      input.hidden = false;
      input._picker = null;
    }

    search.addEventListener("input", () => {  // what an earlier search answers is stale now: it is not shown
      clearTimeout(timer);
      asked += 1;
      timer = setTimeout(lookUp, 150);
    });
    search.addEventListener("focus", () => { if (results.hidden) lookUp(); });
    search.addEventListener("blur", () => { setTimeout(close, 100); });
    search.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown") { e.preventDefault(); if (results.hidden) lookUp(); else highlight(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(active - 1); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter") {
        const option = active >= 0 && results.querySelectorAll("[role=option]")[active];
        if (option) { e.preventDefault(); option.dispatchEvent(new MouseEvent("mousedown", {cancelable: true})); }
      } else if (e.key === "Backspace" && !search.value && chosen.length) {
        chosen = chosen.slice(0, -1);
        drawChips();
        write();
      }
    });

    // What the input is marked (a refusal, nobody chosen) the search shows.
    new MutationObserver(() => {
      if (input.getAttribute("aria-invalid") === "true") search.setAttribute("aria-invalid", "true");
      else search.removeAttribute("aria-invalid");
    }).observe(input, {attributes: true, attributeFilter: ["aria-invalid"]});
    const clearInvalid = () => input.removeAttribute("aria-invalid");
    chips.addEventListener("click", clearInvalid);
    results.addEventListener("mousedown", clearInvalid);

    input.hidden = true;
    const holder = input.closest("label") || input;
    holder.after(box);
    drawChips();
    if (chosen.length) {  // the chosen people's display names
      const params = new URLSearchParams();
      chosen.forEach((u) => params.append("username", u));
      api("GET", `${base}?${params}&limit=50`).then((r) => {
        if (!r.ok) return;
        r.data.items.forEach((p) => names.set(p.username, p.display_name));
        drawChips();
      });
    }
    input._picker = {
      box,
      read: () => [...chosen],
      set(usernames) { chosen = multiple ? [...usernames] : usernames.slice(0, 1); drawChips(); write(); },
    };
    return input._picker;
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("input[data-people-picker]").forEach((input) => {
      enhance(input, {app: input.dataset.app, multiple: input.dataset.peoplePicker !== "single"});
    });
  }

  window.tangram.peoplePicker = {enhance, enhanceAll};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => enhanceAll());
  else enhanceAll();
})();
