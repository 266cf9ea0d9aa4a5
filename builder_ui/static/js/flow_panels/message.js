/* 抄送 / 通知's panel (the notify and cc steps, and the notify action share their model,
   engine/flows/parts._Message): the channel (in-app, e-mail, a DingTalk or WeCom group robot), whom
   (in-app and e-mail), the robot's URL and signing secret, a title and the message template. */
"use strict";

(function () {
  const {register, ui} = window.tangram.flowPanels;
  const {el, w, labelled, select, recipients, template, changed} = ui;

  const CHANNELS = () => [["in_app", w("站内消息", "In-app")], ["email", w("邮件", "E-mail")],
                          ["dingtalk", w("钉钉群机器人", "DingTalk group robot")],
                          ["wecom", w("企业微信群机器人", "WeCom group robot")]];

  function message(box, step, ctx) {
    const channel = select(CHANNELS(), step.channel || "in_app");
    const to = recipients("to", step.to, ctx, {legend: w("通知谁", "To whom"),
                                                users: w("指定成员", "Named users")});
    const webhook = el("input", {type: "url", value: step.webhook || "", placeholder: "https://oapi.dingtalk.com/robot/send?access_token=…"});
    const webhookBox = labelled("webhook", w("机器人地址（Webhook）", "Robot URL (webhook)"), webhook);
    const secret = el("input", {value: step.secret || "", autocomplete: "off"});
    const secretBox = labelled("secret", w("加签密钥（钉钉，可选）", "Signing secret (DingTalk, optional)"), secret);
    const title = el("input", {value: step.title || ""});
    const text = template("message", w("消息内容", "Message"), step.message, ctx);
    const robot = () => ["dingtalk", "wecom"].includes(channel.value);
    const show = () => {
      webhookBox.hidden = !robot();
      secretBox.hidden = channel.value !== "dingtalk";
      to.box.hidden = robot() && !step.to;  // a robot posts to its group; recipients stay for @mentions
    };
    channel.addEventListener("change", show);
    show();
    box.append(labelled("channel", w("通知方式", "Channel"), channel), to.box, webhookBox, secretBox,
               labelled("title", w("标题（可选，可用 {字段}）", "Title (optional, {field} allowed)"), title), text.box);
    return () => changed(step, {
      channel: channel.value === "in_app" && step.channel === undefined ? undefined : channel.value,
      to: to.box.hidden ? step.to : (() => { const spec = to.read(); return Object.keys(spec).length ? spec : undefined; })(),
      webhook: robot() ? webhook.value.trim() || undefined : step.webhook,
      secret: channel.value === "dingtalk" ? secret.value || undefined : step.secret,
      title: title.value || undefined,
      message: text.read(),
    });
  }

  register("cc", message);
  register("notify", message);
})();
