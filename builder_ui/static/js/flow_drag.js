/* Drag to move on the flow designer's canvas (native HTML5 drag and drop): a node's card, with its branches,
   onto a gap between two steps of any sequence (the gaps hold the + buttons, whose data-at is the position
   to move to); a branch's head onto another head (the branch takes that place). The drop
   becomes one call to the designer API (paths named before the move), and the canvas is drawn again from
   the answer — or as it was, when the engine refuses. A branch head dropped on a head of another step of the
   same kind moves the branch there, before that branch. flow_designer.js calls
   attach(canvas, {moveStep(path, to), moveBranch(path, branch, to, toPath)}) after every drawing.
   DOM contract: li.node[data-path] > .card, li.gap > button.add[data-at],
   .branch-head[data-path][data-branch]; while dragging, the canvas has .dragging and a valid target .drop-here. */
"use strict";

(function () {
  const ready = new WeakSet();
  let dragged = null; // {path} for a node, {path, branch} for a branch

  const indexOf = (path) => Number(path.match(/\[(\d+)\]$/)[1]);
  const seqOf = (path) => path.replace(/\[\d+\]$/, "");

  /* Where a node may land: not inside itself, and not right before or after itself (no move). */
  function fits(at) {
    if (!dragged || dragged.branch !== undefined) return false;
    const {path} = dragged;
    if (at.startsWith(`${path}.`)) return false;
    return !(seqOf(at) === seqOf(path) && [indexOf(path), indexOf(path) + 1].includes(indexOf(at)));
  }

  /* Where a branch may land: on another head of its step, or on a head of another step of the same kind
     (condition or parallel) that is not inside the branch itself. */
  function headFits(head) {
    if (!dragged || dragged.branch === undefined) return false;
    if (head.dataset.path === dragged.path) return Number(head.dataset.branch) !== dragged.branch;
    const kind = (path) => document.querySelector(`.node[data-path="${path}"]`).dataset.kind;
    return !head.dataset.path.startsWith(`${dragged.path}.branches[${dragged.branch}].`)
      && kind(head.dataset.path) === kind(dragged.path);
  }

  function target(event) {
    const gap = event.target.closest && event.target.closest("li.gap");
    const at = gap && gap.querySelector("button.add").dataset.at;
    if (gap && fits(at)) return {gap, at};
    const head = event.target.closest && event.target.closest(".branch-head");
    if (head && headFits(head)) return {head};
    return null;
  }

  function clear(canvas) {
    canvas.classList.remove("dragging");
    canvas.querySelectorAll(".drop-here").forEach((n) => n.classList.remove("drop-here"));
  }

  function listen(canvas, actions) {
    canvas.addEventListener("dragstart", (event) => {
      const card = event.target.closest(".node > .card");
      const head = event.target.closest(".branch-head");
      if (card) dragged = {path: card.parentElement.dataset.path};
      else if (head) dragged = {path: head.dataset.path, branch: Number(head.dataset.branch)};
      else return;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.path);
      setTimeout(() => canvas.classList.add("dragging"), 0); // after the browser took the drag image
    });
    canvas.addEventListener("dragover", (event) => {
      const found = target(event);
      canvas.querySelectorAll(".drop-here").forEach((n) => n.classList.remove("drop-here"));
      if (!found) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      (found.gap || found.head).classList.add("drop-here");
    });
    canvas.addEventListener("drop", (event) => {
      const found = target(event);
      const what = dragged;
      dragged = null;
      clear(canvas);
      if (!found) return;
      event.preventDefault();
      if (found.at) actions().moveStep(what.path, found.at);
      else {
        const to = Number(found.head.dataset.branch);
        if (found.head.dataset.path !== what.path) actions().moveBranch(what.path, what.branch, to, found.head.dataset.path);
        else actions().moveBranch(what.path, what.branch, to > what.branch ? to + 1 : to);
      }
    });
    canvas.addEventListener("dragend", () => { dragged = null; clear(canvas); });
  }

  let current = null;
  function attach(canvas, actions) {
    current = actions;
    if (!ready.has(canvas)) { ready.add(canvas); listen(canvas, () => current); }
    canvas.querySelectorAll(".node > .card, .branch-head").forEach((n) => { n.draggable = true; });
  }

  window.tangram.flowDrag = {attach};
})();
