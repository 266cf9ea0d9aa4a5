/* HTTP 请求's panel (engine/flows/actions/http_request.py): method, URL, headers, authentication by named
   connector secrets (系统设置 → 连接器密钥; never a secret's value), a JSON body template with {{field}}
   placeholders, timeout and attempts, the success check and where the answer goes (fields of the record ←
   answer paths). A login and a list stored as records are edited as JSON here (their shape is in docs/flows.md).
   The step key (withKey, above every panel) names the answer for later steps: http.<key>.body…. */
"use strict";

(function () {
  const {register, ui} = window.tangram.flowPanels;
  const {el, w, labelled, select, mapping, changed, copy, fieldsOf, fieldChoices} = ui;

  const pretty = (value) => (value === undefined || value === null ? "" : JSON.stringify(value, null, 2));

  /* A JSON textarea: read() gives the parsed value (undefined when blank), or shows the parse error at the
     option and gives `keep` (what the step held), so a typo never reaches the API as text. */
  function jsonBox(option, label, value, help, rows) {
    const input = el("textarea", {rows: String(rows || 6), spellcheck: "false", class: "code"});
    input.value = pretty(value);
    const box = labelled(option, label, input, help);
    const read = (keep) => {
      const text = input.value.trim();
      const slot = box.querySelector("[data-option-error]");
      slot.textContent = "";
      if (!text) return undefined;
      try {
        return JSON.parse(text);
      } catch (e) {
        slot.textContent = w(`不是有效的 JSON：${e.message}`, `not valid JSON: ${e.message}`);
        return keep;
      }
    };
    return {box, input, read};
  }

  function authBox(auth) {
    auth = auth || {};
    const type = select([["bearer", "Bearer 令牌"], ["basic", w("用户名 + 密码（Basic）", "User and password (Basic)")],
                         ["hmac", w("HMAC 签名", "HMAC signature")], ["login", w("先登录，复用会话令牌", "Log in, reuse the session token")]],
                        auth.type, {blank: w("无", "None")});
    const secret = el("input", {value: auth.secret || "", placeholder: "erp_token", autocomplete: "off"});
    const user = el("input", {value: auth.user || "", placeholder: "{{$secret.erp_user}}"});
    const header = el("input", {value: auth.header || "", placeholder: "X-Signature"});
    const login = jsonBox("auth.login", w("登录请求（JSON）", "Login call (JSON)"), auth.login,
                          w("url、body、token（令牌在应答中的路径）、expires_in、use（如何携带 {{$token}}）",
                            "url, body, token (its path in the answer), expires_in, use (how calls carry {{$token}})"), 8);
    const secretBox = labelled("auth.secret", w("密钥名称（系统设置 → 连接器密钥）", "Secret name (系统设置 → connector secrets)"), secret);
    const userBox = labelled("auth.user", w("用户名", "User name"), user);
    const headerBox = labelled("auth.header", w("签名请求头", "Signature header"), header);
    const box = el("fieldset", {class: "plain", "data-option": "auth"},
                   el("legend", {text: w("认证", "Authentication")}),
                   labelled("auth.type", w("认证方式", "Authentication"), type),
                   secretBox, userBox, headerBox, login.box);
    const show = () => {
      secretBox.hidden = !["bearer", "basic", "hmac"].includes(type.value);
      userBox.hidden = type.value !== "basic";
      headerBox.hidden = type.value !== "hmac";
      login.box.hidden = type.value !== "login";
    };
    type.addEventListener("change", show);
    show();
    const read = () => {
      if (!type.value) return undefined;
      const out = {type: type.value};
      if (type.value !== "login") out.secret = secret.value.trim() || undefined;
      if (type.value === "basic") out.user = user.value.trim() || undefined;
      if (type.value === "hmac" && header.value.trim()) out.header = header.value.trim();
      if (type.value === "login") out.login = login.read(auth.login);
      return same(out, auth) ? auth : copy(out);
    };
    return {box, read};
  }

  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  register("http_request", (box, step, ctx) => {
    const own = fieldsOf(ctx);
    const method = select(["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => [m, m]), step.method || "POST");
    const url = el("input", {value: step.url || "", placeholder: "https://erp.example/api/orders"});
    const headers = mapping("headers", w("请求头（名称 ← 值）", "Headers (name ← value)"), step.headers, {
      targets: null, sources: null, targetLabel: w("请求头", "Header"), sourceLabel: w("请求头的值", "Header value"),
      addLabel: w("添加请求头", "Add a header")});
    const auth = authBox(step.auth);
    const body = jsonBox("body", w("请求内容模板（JSON）", "Body template (JSON)"), step.body,
                         w("{{字段}} 填入记录的值（自动按 JSON 转义），{{$secret.名称}} 填入连接器密钥",
                           "{{field}} puts the record's value (JSON-escaped), {{$secret.name}} a connector secret"), 8);
    const insert = select(own.map((f) => [f.key, `${f.label}（${f.key}）`]), "", {blank: w("插入字段…", "Insert a field…")});
    insert.setAttribute("aria-label", w("请求内容模板（JSON） · 插入字段", "Body template (JSON) · insert a field"));
    insert.addEventListener("change", () => {
      if (!insert.value) return;
      const at = body.input.selectionStart ?? body.input.value.length;
      body.input.value = `${body.input.value.slice(0, at)}"{{${insert.value}}}"${body.input.value.slice(at)}`;
      insert.value = "";
    });
    body.box.insertBefore(insert, body.box.querySelector(".error"));
    const timeout = el("input", {type: "number", min: "1", max: "120", value: step.timeout ?? 10});
    const attempts = el("input", {type: "number", min: "1", max: "20", value: step.attempts ?? 5});
    const success = step.success || {};
    const successPath = el("input", {value: success.path || "", placeholder: "response.body.code"});
    const successValue = el("input", {value: success.equals === undefined ? "" : JSON.stringify(success.equals),
                                      placeholder: '"200"'});
    const set = mapping("set", w("应答写回记录（字段 ← 应答路径）", "Answer into the record (field ← answer path)"), step.set, {
      targets: fieldChoices(own), sources: null, targetLabel: w("回写字段", "Field"),
      sourceLabel: w("应答路径", "Answer path"), addLabel: w("添加回写", "Add a field")});
    const records = jsonBox("records", w("应答列表存入表单（JSON，可选）", "Answer's list into a form (JSON, optional)"),
                            step.records, w("form、list、key（按此字段更新或新增）、values", "form, list, key (update or add by it), values"), 6);
    box.append(el("p", {class: "help", "data-help": "answer",
                        text: w("填写上方的步骤标识（如 push_order）后，后续步骤可用 http.push_order.status、http.push_order.body.… 读取应答；流程等应答到达后才继续。",
                                "With a step key above (e.g. push_order), later steps read the answer as http.push_order.status, http.push_order.body.…; the run waits for the answer before going on.")}),
               labelled("method", w("请求方式", "Method"), method),
               labelled("url", w("请求地址", "URL"), url, w("可用 {{$secret.名称}} 开头，如 ERP 的服务器地址", "may start with {{$secret.name}}, e.g. the ERP's server")),
               headers.box, auth.box, body.box,
               labelled("timeout", w("超时（秒）", "Timeout (seconds)"), timeout),
               labelled("attempts", w("失败重试次数上限", "Attempts at most"), attempts),
               labelled("success.path", w("成功条件：应答路径", "Success: answer path"), successPath),
               labelled("success.equals", w("成功条件：等于（JSON，留空为真值）", "Success: equals (JSON, blank for true)"), successValue),
               set.box, records.box);
    return () => {
      let equals;
      const text = successValue.value.trim();
      try { equals = text ? JSON.parse(text) : undefined; } catch (e) { equals = text; }
      const check = successPath.value.trim() ? {path: successPath.value.trim(), ...(equals === undefined ? {} : {equals})} : undefined;
      const hs = headers.read();
      const sets = set.read();
      const number = (input, standard, held) => (Number(input.value) === standard && held === undefined ? undefined
                                                  : Number(input.value) || undefined);
      return changed(step, {
        method: method.value === "POST" && step.method === undefined ? undefined : method.value,
        url: url.value.trim(), headers: Object.keys(hs).length || step.headers ? hs : undefined,
        auth: auth.read(), body: body.read(step.body),
        timeout: number(timeout, 10, step.timeout), attempts: number(attempts, 5, step.attempts),
        success: check && same(check, step.success) ? step.success : check,
        set: Object.keys(sets).length || step.set ? sets : undefined, records: records.read(step.records)});
    };
  });
})();
