/* The inbox: each button POSTs to /api/v1/tasks/{id}/{action} with the comment; a decided task leaves
   the list, a refused one says why. DOM contract: li.task[data-task] > input.comment, button[data-action]. */
document.addEventListener("click", async (event) => {
  const button = event.target.closest("li.task button[data-action]");
  if (!button) return;
  const item = button.closest("li.task");
  const comment = item.querySelector("input.comment").value.trim();
  button.disabled = true;
  const result = await window.tangram.api("POST", `/api/v1/tasks/${item.dataset.task}/${button.dataset.action}`,
                                          {comment: comment || null});
  button.disabled = false;
  if (result.ok) {
    item.remove();
    window.tangram.toast(button.textContent.trim() + " ✓");
  } else {
    window.tangram.toast(result.data && result.data.error ? result.data.error.message : String(result.status), "error");
  }
});
