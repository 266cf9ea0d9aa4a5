/* 管理 → 组织架构 and the password page: every change is a call to the JSON API (runtime/api/org.py),
   checked and audited there; the page then reloads to show the stored state. Errors go next to their
   field through tangram.showErrors. DOM contract: builder_ui/templates/admin/*.html. */
"use strict";

(function () {
  const {api, toast, showErrors, clearErrors} = window.tangram;
  const wordsEl = document.getElementById("adm-words");
  const words = wordsEl ? JSON.parse(wordsEl.textContent) : {};
  const blank = (v) => (v === "" ? null : v);

  /* Send a form's values; on success say so and reload, else show what is wrong where it is. */
  async function send(form, method, url, body, done) {
    clearErrors(form);
    const r = await api(method, url, body);
    if (!r.ok) { showErrors(form, r.data); return null; }
    if (done) done(r.data);
    return r.data;
  }

  function reloadWith(message) {
    sessionStorage.setItem("adm-toast", message);
    location.reload();
  }
  const pending = sessionStorage.getItem("adm-toast");
  if (pending) { sessionStorage.removeItem("adm-toast"); document.addEventListener("DOMContentLoaded", () => toast(pending)); }

  /* --- the department tree --- */
  const tree = document.getElementById("dept-tree");
  const editor = document.getElementById("dept-edit");
  if (tree && editor) {
    tree.addEventListener("click", (event) => {
      const button = event.target.closest(".dept-open");
      if (!button) return;
      const item = button.closest(".dept");
      clearErrors(editor);
      editor.hidden = false;
      editor.elements.key.value = item.dataset.key;
      editor.elements.name.value = item.dataset.name;
      editor.elements.parent.value = item.dataset.parent;
      editor.elements.head.value = item.dataset.head;
      editor.elements.active.checked = item.dataset.active === "true";
      document.getElementById("dept-edit-key").textContent = item.dataset.key;
      // A department cannot move under itself: its own option is not offered.
      Array.from(editor.elements.parent.options).forEach((o) => { o.disabled = o.value === item.dataset.key; });
      editor.elements.name.focus();
    });
    document.getElementById("dept-edit-cancel").addEventListener("click", () => { editor.hidden = true; });
    editor.addEventListener("submit", (event) => {
      event.preventDefault();
      const f = editor.elements;
      send(editor, "PATCH", `/api/v1/departments/${encodeURIComponent(f.key.value)}`,
        {name: f.name.value, parent: blank(f.parent.value), head: blank(f.head.value.trim()), active: f.active.checked},
        () => reloadWith(words.adm_saved));
    });
  }
  /* Moving by drag: drop a department on another to put it under that one, or on #dept-root to make it
     top-level; the API refuses a move under its own subtree (shown as a message). */
  if (tree) {
    let dragged = null;
    const root = document.getElementById("dept-root");
    const moveTo = async (parent) => {
      if (!dragged || dragged.dataset.key === parent || dragged.dataset.parent === (parent || "")) return;
      const r = await api("PATCH", `/api/v1/departments/${encodeURIComponent(dragged.dataset.key)}`, {parent});
      if (r.ok) reloadWith(words.adm_saved);
      else toast(r.data && r.data.error ? r.data.error.message : String(r.status), "error");
    };
    tree.addEventListener("dragstart", (event) => {
      dragged = event.target.closest(".dept");
      if (!dragged) return;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.key);
    });
    const over = (event) => { event.preventDefault(); event.dataTransfer.dropEffect = "move"; };
    tree.addEventListener("dragover", (event) => { if (event.target.closest(".dept")) over(event); });
    tree.addEventListener("drop", (event) => {
      const target = event.target.closest(".dept");
      if (!target) return;
      event.preventDefault();
      moveTo(target.dataset.key);
    });
    if (root) {
      root.addEventListener("dragover", over);
      root.addEventListener("drop", (event) => { event.preventDefault(); moveTo(null); });
    }
  }

  /* 部门负责人: typing a name, pinyin, mobile or username offers the matching users (the console's user
     search); the box keeps the username the API takes. */
  const headPeople = document.getElementById("dept-head-people");
  if (headPeople) {
    let asked = 0;
    document.querySelectorAll('input[list="dept-head-people"]').forEach((input) => input.addEventListener("input", async () => {
      const q = input.value.trim();
      const mine = ++asked;
      if (!q) { headPeople.replaceChildren(); return; }
      const r = await api("GET", `/api/v1/users?active=true&limit=20&q=${encodeURIComponent(q)}`);
      if (!r.ok || mine !== asked) return;  // a later keystroke's answer wins
      headPeople.replaceChildren(...r.data.items.map((p) => {
        const option = document.createElement("option");
        option.value = p.username;
        option.label = p.display_name ? `${p.display_name}（${p.username}）` : p.username;
        return option;
      }));
    }));
  }

  const newDept = document.getElementById("dept-new");
  if (newDept) {
    newDept.addEventListener("submit", (event) => {
      event.preventDefault();
      const f = newDept.elements;
      send(newDept, "POST", "/api/v1/departments",
        {key: f.key.value.trim(), name: f.name.value.trim(), parent: blank(f.parent.value), head: blank(f.head.value.trim())},
        () => reloadWith(words.adm_created));
    });
  }

  /* --- users --- */
  const selected = (select) => Array.from(select.selectedOptions).map((o) => o.value);
  const newUser = document.getElementById("user-new");
  if (newUser) {
    newUser.addEventListener("submit", (event) => {
      event.preventDefault();
      const f = newUser.elements;
      const body = {username: f.username.value.trim(), password: f.password.value,
        display_name: blank(f.display_name.value.trim()), departments: selected(f.departments),
        mobile: blank(f.mobile.value.trim()), email: blank(f.email.value.trim()),
        must_change_password: f.must_change_password.checked};
      send(newUser, "POST", "/api/v1/users", body,
        (data) => { location.href = `/admin/users/${encodeURIComponent(data.username)}`; });
    });
  }

  const page = document.getElementById("user-admin");
  if (page) {
    const base = `/api/v1/users/${encodeURIComponent(page.dataset.username)}`;
    const edit = document.getElementById("user-edit");
    edit.addEventListener("submit", (event) => {
      event.preventDefault();
      const f = edit.elements;
      const departments = selected(f.departments);
      const primary = f.primary_department.value;
      send(edit, "PATCH", base, {display_name: f.display_name.value.trim(), departments,
        primary_department: departments.includes(primary) ? primary : null,
        mobile: f.mobile.value.trim(), email: f.email.value.trim(), is_admin: f.is_admin.checked,
        must_change_password: f.must_change_password.checked},
      () => reloadWith(words.adm_saved));
    });
    const reset = document.getElementById("password-reset");
    reset.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = reset.elements;
      const data = await send(reset, "POST", `${base}/password`,
        {password: blank(f.password.value), must_change: f.must_change.checked});
      if (!data) return;
      f.password.value = "";
      const shown = document.getElementById("new-password");
      shown.hidden = !data.password;
      shown.querySelector("code").textContent = data.password || "";
      toast(words.adm_saved);
    });
    const account = document.querySelector(".account-actions");
    const act = async (method, url, body, message, confirmText) => {
      if (confirmText && !confirm(confirmText)) return;
      const r = await api(method, url, body);
      if (r.ok) reloadWith(typeof message === "function" ? message(r.data) : message);
      else showErrors(account.closest("section"), r.data);
    };
    const on = (id, handler) => { const el = document.getElementById(id); if (el) el.addEventListener("click", handler); };
    on("user-deactivate", () => act("PATCH", base, {active: false}, words.adm_saved, words.adm_confirm_deactivate));
    on("user-reactivate", () => act("PATCH", base, {active: true}, words.adm_saved));
    on("user-unlock", () => act("POST", `${base}/unlock`, undefined, words.adm_unlocked));
    on("user-sessions-end", () => act("DELETE", `${base}/sessions`, undefined,
      (data) => words.adm_ended.replace("{n}", data.ended), words.adm_confirm_sessions));
  }

  /* --- API tokens: revoke in any token table; create one's own (its text is shown once) --- */
  document.querySelectorAll(".token-list").forEach((table) => table.addEventListener("click", async (event) => {
    const button = event.target.closest(".token-revoke");
    if (!button || !confirm(words.adm_confirm_revoke)) return;
    const r = await api("DELETE", `/api/v1/tokens/${button.closest("tr").dataset.token}`);
    if (r.ok) reloadWith(words.adm_revoked);
    else showErrors(table.closest("section"), r.data);
  }));
  /* A table's rows again as the server renders them now (a new token listed without a reload, which would
     lose the text shown once); the table and its listeners stay. */
  async function refreshRows(tableId) {
    const r = await fetch(location.href, {credentials: "same-origin"});
    if (!r.ok) return;
    const fresh = new DOMParser().parseFromString(await r.text(), "text/html").getElementById(tableId);
    const table = document.getElementById(tableId);
    if (fresh && table) table.tBodies[0].replaceWith(fresh.tBodies[0]);
  }
  const newToken = document.getElementById("token-new");
  if (newToken) {
    newToken.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = newToken.elements;
      const apps = Array.from(newToken.querySelectorAll('input[name="apps"]:checked')).map((i) => i.value);
      const data = await send(newToken, "POST", "/api/v1/tokens", {name: f.name.value.trim(), apps,
        scope: newToken.querySelector('input[name="scope"]:checked').value,
        expires_in_days: Number(f.expires_in_days.value)});
      if (!data) return;
      newToken.reset();  // ready for another; the text below is this one's, shown this once
      const shown = document.getElementById("token-text");
      shown.querySelector("code").textContent = data.token;
      shown.hidden = false;
      refreshRows("my-tokens");
    });
  }
  const mine = document.getElementById("my-sessions-end");
  if (mine) {
    mine.addEventListener("click", async () => {
      if (!confirm(words.adm_confirm_sessions)) return;
      const me = document.getElementById("my-account").dataset.username;
      const r = await api("DELETE", `/api/v1/users/${encodeURIComponent(me)}/sessions`);
      if (r.ok) location.href = "/login";  // this session ended too
      else showErrors(mine.closest("section"), r.data);
    });
  }

  /* --- one's own password (a forced change lands here) --- */
  const change = document.getElementById("password-change");
  if (change) {
    change.addEventListener("submit", (event) => {
      event.preventDefault();
      const f = change.elements;
      if (f.new.value !== f.again.value) {
        showErrors(change, {error: {message: words.adm_passwords_differ, field: "again"}});
        return;
      }
      send(change, "POST", "/api/v1/me/password", {current: f.current.value, new: f.new.value},
        () => { location.href = change.dataset.next || "/"; });
    });
  }
})();
