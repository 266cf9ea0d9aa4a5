/* The messages page: 标为已读 marks one message read (POST /api/v1/messages/{id}/read), 全部标为已读 all those
   the reader has seen (POST /api/v1/messages/read-all?up_to=<newest shown>); the row loses its unread mark
   (or leaves the 未读 tab) and the top bar's count follows. Following a message's record link marks it read
   too. DOM contract: #messages[data-unread], li.message[data-message](.unread) > button.mark-read[data-read],
   a.message-record, .unread-dot; button#read-all[data-up-to]; #messages-count in the top bar. */
"use strict";

(function () {
  const {api, toast} = window.tangram;
  const unreadTab = () => document.getElementById("messages").dataset.unread === "true";

  function setCount(n) {
    const badge = document.getElementById("messages-count");
    if (!badge) return;
    if (n > 0) badge.textContent = n > 99 ? "99+" : String(n); else badge.remove();
  }

  function shownRead(item) {
    if (unreadTab()) { item.remove(); return; }
    item.classList.remove("unread");
    item.querySelectorAll(".unread-dot, .mark-read").forEach((n) => n.remove());
  }

  async function readOne(item) {
    const r = await api("POST", `/api/v1/messages/${item.dataset.message}/read`);
    if (!r.ok) { toast((r.data && r.data.error && r.data.error.message) || String(r.status), "error"); return false; }
    const badge = document.getElementById("messages-count");
    if (badge && badge.textContent !== "99+") setCount(Number(badge.textContent) - 1);
    shownRead(item);
    return true;
  }

  async function readAll(button) {
    const upTo = button.dataset.upTo;
    const r = await api("POST", `/api/v1/messages/read-all${upTo ? `?up_to=${upTo}` : ""}`);
    if (!r.ok) { toast((r.data && r.data.error && r.data.error.message) || String(r.status), "error"); return; }
    document.querySelectorAll("li.message.unread").forEach(shownRead);
    setCount(r.data.unread);
    button.remove();
  }

  document.addEventListener("click", (event) => {
    const mark = event.target.closest("button.mark-read");
    if (mark) { readOne(mark.closest("li.message")); return; }
    const all = event.target.closest("#read-all");
    if (all) { readAll(all); return; }
    const link = event.target.closest("a.message-record");
    const item = link && link.closest("li.message.unread");
    if (item && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      readOne(item).finally(() => { window.location.assign(link.href); });
    }
  });
})();
