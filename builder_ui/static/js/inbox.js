/* The inbox: the app / flow filters reload the tab; a task decided in place (approvals.js) leaves the list
   and the top bar's count; 批量同意 approves the ticked tasks with one comment through
   POST /api/v1/tasks/batch-approve — all or nothing: a refusal names the task, which is marked, and nothing
   was approved. DOM contract: form#inbox-filters select[data-autosubmit], ul#tasks > li.task[data-task]
   (input.pick-task, p.error), #select-all, #batch-comment, #batch-approve > #batch-count, #inbox-count, #todo-tab-count, #inbox-total[data-total][data-words]
   (共 N 条 under the filters), a#inbox-next (the next keyset page). */
"use strict";

(function () {
  const {api, toast} = window.tangram;
  const picked = () => Array.from(document.querySelectorAll("input.pick-task:checked"));

  function countDown(by) {
    const tab = document.getElementById("todo-tab-count");  // 待我处理 (n): all my open tasks, as the top bar
    if (tab) tab.textContent = String(Math.max(0, Number(tab.textContent) - by));
    const badge = document.getElementById("inbox-count");
    if (!badge || badge.textContent === "99+") return;
    const left = Number(badge.textContent) - by;
    if (left > 0) badge.textContent = String(left); else badge.remove();
  }

  function refresh() {
    const bar = document.getElementById("batch-bar");
    if (bar && !document.querySelector('li.task[data-kind="approval"]')) bar.remove();
    const button = document.getElementById("batch-approve");
    if (!button) return;
    const n = picked().length;
    document.getElementById("batch-count").textContent = String(n);
    button.disabled = n === 0;
    const all = document.getElementById("select-all");
    const boxes = document.querySelectorAll("input.pick-task");
    all.checked = boxes.length > 0 && n === boxes.length;
  }

  /* 共 N 条 under the filters counts down too; a page emptied by deciding its tasks brings the next ones
     (they are the first page now). */
  function gone(item) {
    item.remove();
    countDown(1);
    const total = document.getElementById("inbox-total");
    if (total) {
      total.dataset.total = String(Math.max(0, Number(total.dataset.total) - 1));
      total.textContent = total.dataset.words.replace("{n}", total.dataset.total);
    }
    refresh();
    const next = document.getElementById("inbox-next");
    if (next && !document.querySelector("li.task")) {
      const url = new URL(next.href);
      url.searchParams.delete("before");
      window.location.assign(url.toString());
    }
  }

  async function batchApprove(button) {
    const items = picked().map((box) => box.closest("li.task"));
    const ids = items.map((item) => Number(item.dataset.task));
    document.querySelectorAll("li.task.refused").forEach((li) => {
      li.classList.remove("refused"); li.querySelector(".error").textContent = "";
    });
    button.disabled = true;
    const comment = document.getElementById("batch-comment").value.trim() || null;
    const r = await api("POST", "/api/v1/tasks/batch-approve", {ids, comment});
    if (r.ok) {
      document.getElementById("batch-comment").value = "";
      toast(`${button.firstChild.textContent.trim()} ✓ ${ids.length}`);
      items.forEach(gone);  // the last one takes the batch bar with it
      return;
    }
    button.disabled = false;
    const error = (r.data && r.data.error) || {message: String(r.status)};
    const refused = error.task_id && document.querySelector(`li.task[data-task="${error.task_id}"]`);
    if (refused) {
      refused.classList.add("refused");
      refused.querySelector(".error").textContent = error.message;
      refused.scrollIntoView({block: "nearest"});
    }
    toast(error.message, "error");
  }

  document.addEventListener("tangram:task-done", (event) => {
    const item = event.target.closest("li.task");
    if (item) gone(item);
  });

  document.addEventListener("change", (event) => {
    if (event.target.matches("select[data-autosubmit]")) {
      if (event.target.name === "app") document.getElementById("filter-flow").value = "";
      event.target.form.submit();
    } else if (event.target.id === "select-all") {
      document.querySelectorAll("input.pick-task").forEach((box) => { box.checked = event.target.checked; });
      refresh();
    } else if (event.target.matches("input.pick-task")) {
      refresh();
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("#batch-approve")) batchApprove(event.target.closest("#batch-approve"));
  });
})();
