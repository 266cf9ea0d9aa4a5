/* 角色与权限: create, rename, copy, delete a role, edit its matrix (forms × operations, row scopes with a
   condition from the condition picker, field access and the default for fields added later), set its
   members, publish; and which role grants each right to a chosen user. Every change is a call to the
   roles API on the draft (runtime/api/role_designer.py); its 422 details land on the cell they name.
   DOM contract: #new-role, section#role[data-app][data-role] with #role-name, #role-default, #save-role,
   #copy-role, #delete-role, table#matrix tr[data-form][data-present] (select.scope[data-op],
   input.flag[data-op]), details.form-detail[data-form] (input.when[data-op], select.form-default,
   select.access[data-field]), #members (#member-users: a people picker's input, #member-departments,
   #member-subdepartments label[data-department] > input (含下级部门), #save-members), #explain
   (#explain-user, #explain-run, #view-as-start, #explain-result), #publish, [data-error-for], #roles-data (JSON). */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const {api, showErrors, toast} = window.tangram;
  const data = JSON.parse(document.getElementById("roles-data").textContent);
  const words = data.words;
  const main = document.querySelector("main");
  const app = document.getElementById("publish").dataset.app;
  const base = `/api/v1/apps/${app}/draft/roles`;
  const goTo = (key) => { window.location.href = `?role=${encodeURIComponent(key)}`; };

  document.getElementById("new-role").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const key = form.key.value.trim();
    const r = await api("PUT", `${base}/${key}`, {name: form.name.value.trim(), permissions: {}});
    if (r.ok) goTo(key); else showErrors(form, r.data);
  });

  document.getElementById("publish").addEventListener("click", async () => {
    const r = await api("POST", `/api/v1/apps/${app}/publish`);
    if (r.ok) window.location.reload();
    else showErrors(main, {error: {...r.data.error, field: "publish", details: []}});
  });

  const section = document.getElementById("role");
  if (section) wireRole(section);
  wireExplain(document.getElementById("explain"));

  /* 新增字段的默认权限 is for fields added later: changing it (the role's or a form's) first pins each field
     already there and left on 默认 to the access it has now, so only later fields take the new default.
     A form without rights of its own follows 其他表单（*）: the role's old default is pinned on that row. */
  function pinFieldsOnDefaultChange(section) {
    const roleDefault = document.getElementById("role-default");
    const detailOf = (form) => section.querySelector(`details.form-detail[data-form="${CSS.escape(form)}"]`);
    const hasRights = (form) => {
      const row = section.querySelector(`#matrix tr[data-form="${CSS.escape(form)}"]`);
      return Boolean(row.dataset.present) || [...row.querySelectorAll("select.scope")].some((s) => s.value)
        || [...row.querySelectorAll("input.flag")].some((box) => box.checked);
    };
    const pin = (details, access) => details.querySelectorAll("select.access").forEach((s) => {
      if (!s.value) s.value = access;
    });
    let roleWas = roleDefault.value;
    roleDefault.addEventListener("change", () => {
      section.querySelectorAll("details.form-detail").forEach((details) => {
        const own = details.querySelector("select.form-default");
        if (own.value || !hasRights(details.dataset.form)) return;  // its own default, or no access to pin
        if (details.dataset.form === "*") own.value = roleWas; else pin(details, roleWas);
      });
      roleWas = roleDefault.value;
    });
    section.querySelectorAll("details.form-detail select.form-default").forEach((own) => {
      let was = own.value;
      own.addEventListener("change", () => {
        const form = own.closest("details").dataset.form;
        if (hasRights(form)) pin(detailOf(form), was || roleDefault.value);
        was = own.value;
      });
    });
  }

  function wireRole(section) {
    const key = section.dataset.role;
    const original = data.roles.find((r) => r.key === key);
    const fieldsOf = Object.fromEntries(data.forms.map((f) => [f.key, f.fields]));
    section.querySelectorAll("details.form-detail").forEach((details) => {
      const form = details.dataset.form;
      if (form === "*") return; // a "*" condition must fit every form: typed as text
      details.querySelectorAll("input.when").forEach((input) => window.tangram.conditionPicker(input, {
        fields: fieldsOf[form], checkUrl: `/api/v1/apps/${app}/draft/forms/${form}/check-expression`}));
    });

    pinFieldsOnDefaultChange(section);

    /* The role as the matrix shows it: the original's other options kept, its permissions rebuilt. */
    function collect() {
      const permissions = {};
      section.querySelectorAll("#matrix tr[data-form]").forEach((row) => {
        const form = row.dataset.form;
        const details = section.querySelector(`details.form-detail[data-form="${CSS.escape(form)}"]`);
        const entry = {};
        row.querySelectorAll("input.flag").forEach((box) => { if (box.checked) entry[box.dataset.op] = true; });
        row.querySelectorAll("select.scope").forEach((select) => {
          if (!select.value) return;
          const when = details.querySelector(`input.when[data-op="${select.dataset.op}"]`).value.trim();
          entry[select.dataset.op] = when ? {scope: select.value, when} : select.value;
        });
        const fields = {};
        details.querySelectorAll("select.access").forEach((s) => { if (s.value) fields[s.dataset.field] = s.value; });
        if (Object.keys(fields).length) entry.fields = fields;
        const formDefault = details.querySelector("select.form-default").value;
        if (formDefault) entry.default_field_access = formDefault;
        // an entry of its own replaces "*": one the role had stays, even emptied
        if (Object.keys(entry).length || row.dataset.present) permissions[form] = entry;
      });
      return {...original, name: document.getElementById("role-name").value.trim(),
              default_field_access: document.getElementById("role-default").value, permissions};
    }

    document.getElementById("save-role").addEventListener("click", async () => {
      const r = await api("PUT", `${base}/${key}`, collect());
      if (r.ok) { window.tangram.clearErrors(section); toast(words.rl_saved); }
      else {
        section.querySelectorAll("details.form-detail").forEach((d) => { d.open = true; });
        showErrors(section, r.data);
      }
    });
    document.getElementById("copy-role").addEventListener("click", async () => {
      const newKey = prompt(section.dataset.copyPrompt || "key", `${key}_copy`);
      if (!newKey) return;
      const r = await api("POST", `${base}/${key}/copy`, {key: newKey});
      if (r.ok) goTo(newKey); else showErrors(section, r.data);
    });
    document.getElementById("delete-role").addEventListener("click", async () => {
      if (!confirm(section.dataset.confirmDelete)) return;
      const r = await api("DELETE", `${base}/${key}`);
      if (r.ok) window.location.href = "?"; else showErrors(section, r.data);
    });

    const saveMembers = document.getElementById("save-members");
    const chosen = (id) => [...document.getElementById(id).selectedOptions].map((o) => o.value);
    // the people picker (people_picker.js) keeps the chosen usernames in #member-users, comma-separated
    const memberUsers = () => document.getElementById("member-users").value.split(/[,，\s]+/).filter(Boolean);
    const subBoxes = () => [...document.querySelectorAll("#member-subdepartments label[data-department]")];
    const memberDepartments = document.getElementById("member-departments");
    // 含下级部门 is offered for the departments chosen as members, one checkbox each
    if (memberDepartments) memberDepartments.addEventListener("change", () => {
      const picked = new Set(chosen("member-departments"));
      subBoxes().forEach((label) => { label.hidden = !picked.has(label.dataset.department); });
    });
    if (saveMembers) saveMembers.addEventListener("click", async () => {
      const departments = chosen("member-departments");
      const withSub = subBoxes().filter((l) => departments.includes(l.dataset.department) && l.querySelector("input").checked)
        .map((l) => l.dataset.department);
      const r = await api("PUT", `/api/v1/apps/${app}/roles/${key}/members`,
        {users: memberUsers(), departments, with_subdepartments: withSub});
      const box = document.getElementById("members");
      if (r.ok) { window.tangram.clearErrors(box); toast(words.rl_saved); }
      else showErrors(box, {error: {...r.data.error, field: "members", details: []}});
    });
  }

  function cell(tag, text) {
    const el = document.createElement(tag);
    el.textContent = text;
    return el;
  }

  function wireExplain(box) {
    const roleName = (key) => (data.roles.find((r) => r.key === key) || {name: key}).name;
    const formName = (key) => (data.forms.find((f) => f.key === key) || {name: key}).name;
    const viewAs = document.getElementById("view-as-start");
    if (viewAs) viewAs.addEventListener("click", async () => {  // 查看为: the app as that user sees it
      const r = await api("POST", "/api/v1/view-as", {user: document.getElementById("explain-user").value});
      if (r.ok) window.location.href = `/apps/${app}`;
      else showErrors(box, {error: {...r.data.error, field: "explain", details: []}});
    });
    document.getElementById("explain-run").addEventListener("click", async () => {
      const user = document.getElementById("explain-user").value;
      const r = await api("GET", `/api/v1/apps/${app}/roles/explain?user=${encodeURIComponent(user)}`);
      const out = document.getElementById("explain-result");
      out.replaceChildren();
      if (!r.ok) { showErrors(box, {error: {...r.data.error, field: "explain", details: []}}); return; }
      const body = r.data;
      if (body.is_admin) out.append(cell("p", words.rl_is_admin));
      const held = body.roles.map((x) => `${x.name}（${x.through.map((t) => t === "user" ? words.rl_direct
        : `${words.rl_through} ${t}`).join("、")}）`);
      out.append(cell("p", held.length ? held.join("；") : words.rl_no_role));
      Object.entries(body.forms).forEach(([form, rights]) => {
        const table = document.createElement("table");
        table.className = "explain-table";
        table.dataset.form = form;
        table.append(cell("caption", formName(form)));
        Object.entries(rights.operations).forEach(([op, roles]) => {
          const tr = document.createElement("tr");
          tr.dataset.op = op;
          tr.append(cell("th", words[`rl_op_${op}`] || op), cell("td", roles.map(roleName).join("、") || "—"));
          table.append(tr);
        });
        Object.entries(rights.fields).forEach(([field, given]) => {
          const label = ((data.forms.find((f) => f.key === form) || {access: []}).access
            .find((f) => f.key === field) || {label: field}).label;
          const tr = document.createElement("tr");
          tr.dataset.field = field;
          tr.append(cell("th", label), cell("td", `${words[`rl_access_${given.access}`]}${given.roles.length
            ? ` · ${words.rl_granted_by} ${given.roles.map(roleName).join("、")}` : ""}`));
          table.append(tr);
        });
        out.append(table);
      });
    });
  }
});
