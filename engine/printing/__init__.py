"""Print templates: a form's printable documents (报价单, 合同, 出库单) — the definition model, the
template syntax (HTML with expression placeholders), its checks, and rendering one record to HTML."""
