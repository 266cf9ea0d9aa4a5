/* Drag to move on the flow designer's canvas (SortableJS, in its pointer mode): a node (with its branches)
   to another place in any sequence, or a branch column (its head is the handle) to another place among the
   branches of its step. The drop is not kept: it becomes one call to the designer API (paths named before
   the move), and the canvas is drawn again from the answer — or as it was, when the engine refuses.
   flow_designer.js calls attach(canvas, {moveStep(path, to), moveBranch(path, branch, to), redraw()}) after
   every drawing. DOM contract: ol.sequence[data-seq] > li.node[data-path] > .card (the handle), and
   .branches > .branch > .branch-head[data-path][data-branch] (the handle). */
"use strict";

(function () {
  const indexOf = (path) => Number(path.match(/\[(\d+)\]$/)[1]);

  function attach(canvas, actions) {
    if (!window.Sortable) return;
    const common = {animation: 0, forceFallback: true, fallbackOnBody: true, swapThreshold: 0.65,
                    filter: "button, .tools", preventOnFilter: false};
    canvas.querySelectorAll("ol.sequence").forEach((list) => {
      window.Sortable.create(list, {...common, group: "flow-steps", draggable: ".node", handle: ".card",
        onEnd: (event) => {
          const item = event.item;
          const path = item.dataset.path;
          const seq = event.to.dataset.seq;
          let before = 0;
          for (let n = item.previousElementSibling; n; n = n.previousElementSibling) {
            if (n.classList.contains("node")) before += 1;
          }
          const same = event.from === event.to;
          const from = indexOf(path);
          // a position named before the move: in its own sequence the node still holds its old place
          const position = same && from <= before ? before + 1 : before;
          if (same && (position === from || position === from + 1)) { actions.redraw(); return; }
          actions.moveStep(path, `${seq}[${position}]`);
        }});
    });
    canvas.querySelectorAll(".branches").forEach((row) => {
      const head = row.querySelector(".branch-head");
      if (!head) return;
      const path = head.dataset.path;
      window.Sortable.create(row, {...common, group: `flow-branches:${path}`, draggable: ".branch",
        handle: ".branch-head", onEnd: (event) => {
          const from = event.oldDraggableIndex;
          const to = event.newDraggableIndex;
          if (from === to) { actions.redraw(); return; }
          actions.moveBranch(path, from, to > from ? to + 1 : to);
        }});
    });
  }

  window.tangram.flowDrag = {attach};
})();
