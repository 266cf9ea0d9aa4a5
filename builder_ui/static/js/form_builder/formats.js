/* The form builder's text formats: how a structured option is written in a text area and read back.
   Each format is {toText(value), fromText(text)}; fromText throws {message} for text it cannot read
   (the server checks the rest). Used by form_builder.js ([data-format]) and the column editor.
   - options: one per line, `value` or `value|#colour` (a label, when the definition has one, is kept
     by value);
   - tree: cascade options, one per line, two more spaces per level, `value` or `value|label`;
   - rules: validation rules, `expression | message` per line. */
"use strict";

(function () {
  const lines = (text) => text.split("\n").filter((l) => l.trim());

  const options = {
    toText: (value) => (value || []).map((o) => (typeof o === "string" ? o : o.value + (o.color ? `|${o.color}` : ""))).join("\n"),
    fromText(text, before) {
      const labels = Object.fromEntries((before || []).filter((o) => o.label).map((o) => [o.value, o.label]));
      return lines(text).map((line) => {
        const [value, color] = line.split("|").map((s) => s.trim());
        if (!color && !labels[value]) return value;
        const option = {value};
        if (labels[value]) option.label = labels[value];
        if (color) option.color = color;
        return option;
      });
    },
  };

  function treeLines(nodes, depth, out) {
    (nodes || []).forEach((n) => {
      const node = typeof n === "string" ? {value: n} : n;
      out.push("  ".repeat(depth) + node.value + (node.label ? `|${node.label}` : ""));
      treeLines(node.children, depth + 1, out);
    });
    return out;
  }

  /* A node without label or children is written as its value, as people write them by hand. */
  function compact(nodes) {
    return nodes.map((n) => {
      if (!n.children.length) return n.label ? {value: n.value, label: n.label} : n.value;
      return Object.assign({value: n.value}, n.label ? {label: n.label} : {}, {children: compact(n.children)});
    });
  }

  const tree = {
    toText: (value) => treeLines(value, 0, []).join("\n"),
    fromText(text, _before, words) {
      const roots = [];
      const path = [];  // path[d]: the last node read at depth d
      text.split("\n").forEach((raw, i) => {
        const line = raw.replace(/\t/g, "  ").replace(/\u3000/g, "  ");  // a tab or a full-width space: one level
        if (!line.trim()) return;
        const depth = Math.floor((line.length - line.trimStart().length) / 2);
        if (depth > path.length) throw {message: words.tree_indent.replace("{n}", i + 1)};
        const [value, label] = line.trim().split("|").map((s) => s.trim());
        const node = {value, label, children: []};
        (depth === 0 ? roots : path[depth - 1].children).push(node);
        path.length = depth;
        path.push(node);
      });
      return compact(roots);
    },
  };

  const rules = {
    toText: (value) => (value || []).map((r) => `${r.expr} | ${r.message}`).join("\n"),
    fromText(text) {
      const found = lines(text).map((l) => l.trim()).map((line) => {
        const at = line.lastIndexOf("|");
        return at < 0 ? {expr: line, message: line} : {expr: line.slice(0, at).trim(), message: line.slice(at + 1).trim()};
      });
      return found.length ? found : null;
    },
  };

  window.tangram.builderFormats = {options, tree, rules};
})();
