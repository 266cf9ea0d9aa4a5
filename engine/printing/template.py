"""The print template syntax: HTML with placeholders, checked against the form, rendered for one record.

    <h1>报价单 {{ code }}</h1>            a field (shown as the record page shows it: titles, 2026年12月6日)
    <p>{{ CNMONEY(amount) }}</p>          any expression of the expression language on the form's fields
    <table>{{#each lines}}<tr><td>{{@index}}</td><td>{{ product }}</td><td>{{ qty * price }}</td></tr>{{/each}}</table>
    {{@logo}} {{@seal}}                   the template's uploaded images

Nothing else runs: no Jinja, no tags of the template language beyond these. The HTML around the placeholders
is a small allow-list of layout tags and attributes (engine/printing/markup.py: no scripts, links, images or
CSS that fetches); every value is escaped. A placeholder may read only what the reader may see: one that reads a hidden or masked field
prints empty (a bare masked field prints its mask)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.errors import Issue
from engine.expr.errors import ExpressionError
from engine.expr.evaluate import EvalContext, evaluate
from engine.expr.functions.text import show
from engine.expr.nodes import FieldRef, walk
from engine.expr.typecheck import Checked
from engine.forms.expressions import checked, row_values, sub_table_form
from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from engine.printing.chinese import chinese_date
from engine.printing.markup import MARK, rebuild
from engine.printing.model import PARTS, PrintTemplate

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)
SPECIALS = ("@index", "@logo", "@seal")
MAX_PLACEHOLDERS = 500


@dataclass(frozen=True)
class Text:
    html: str


@dataclass(frozen=True)
class Placeholder:
    """`{{ text }}`: an expression, or one of SPECIALS."""

    text: str


@dataclass(frozen=True)
class Each:
    """`{{#each table}} … {{/each}}`: the parts once per row of a sub_table."""

    table: str
    parts: tuple[Part, ...]


Part = Text | Placeholder | Each


@dataclass
class Parsed:
    parts: list[Part] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (code, 中文, English)


def parse(text: str) -> Parsed:
    """The template as parts; syntax and HTML problems are collected, never raised.

    The HTML is written out again from what the parser understood (engine/printing/markup.py), so what is
    rendered is exactly what was checked."""
    parsed = Parsed()
    inners: list[str] = []

    def mark(match: re.Match[str]) -> str:
        inners.append(match.group(1).strip())
        return MARK

    skeleton = PLACEHOLDER.sub(mark, text.replace(MARK, ""))
    if "{{" in skeleton or "}}" in skeleton:
        parsed.problems.append(("unclosed_placeholder", "有未闭合的 {{ 或多余的 }}", "an unclosed {{ or a stray }}"))
    if len(inners) > MAX_PLACEHOLDERS:
        parsed.problems.append(
            ("too_many_placeholders", f"占位符最多 {MAX_PLACEHOLDERS} 个", f"at most {MAX_PLACEHOLDERS} placeholders")
        )
    rebuilt, problems = rebuild(skeleton)
    parsed.problems += problems
    pieces = rebuilt.split(MARK)
    if len(pieces) != len(inners) + 1:  # a placeholder in a tag, a comment or a script: never rendered as such
        parsed.problems.append(
            (
                "placeholder_in_tag",
                "占位符只能写在文字中，不能写在标签、注释或脚本里",
                "placeholders go in text, never inside a tag, a comment or a script",
            )
        )
        parsed.parts = [Text(html.escape(text))]
        return parsed
    _assemble(parsed, pieces, inners)
    return parsed


def _assemble(parsed: Parsed, pieces: list[str], inners: list[str]) -> None:
    """Text pieces and placeholders in order, the parts between {{#each t}} and {{/each}} nested."""
    stack: list[tuple[str, list[Part]]] = []
    current = parsed.parts
    for piece, inner in zip(pieces, [*inners, None], strict=True):
        if piece:
            current.append(Text(piece))
        if inner is None:
            break
        if inner.startswith("#each"):
            table = inner[len("#each") :].strip()
            if stack or not re.fullmatch(r"[a-z][a-z0-9_]*", table):
                parsed.problems.append(
                    (
                        "bad_each",
                        f"{{{{{inner}}}}}：#each 后应为一个子表字段，且不能嵌套",
                        f"{{{{{inner}}}}}: #each takes one sub_table field and does not nest",
                    )
                )
            stack.append((table, current))
            current = []
        elif inner == "/each":
            if not stack:
                parsed.problems.append(("bad_each", "{{/each}} 前面没有 {{#each …}}", "{{/each}} without {{#each …}}"))
                continue
            table, outer = stack.pop()
            outer.append(Each(table, tuple(current)))
            current = outer
        elif not inner:
            parsed.problems.append(("empty_placeholder", "空的占位符 {{ }}", "an empty placeholder {{ }}"))
        else:
            current.append(Placeholder(inner))
    if stack:
        parsed.problems.append(
            (
                "bad_each",
                f"{{{{#each {stack[-1][0]}}}}} 没有对应的 {{{{/each}}}}",
                f"{{{{#each {stack[-1][0]}}}}} is not closed by {{{{/each}}}}",
            )
        )


def _placeholder_issue(path: str, text: str, error: ExpressionError | None, zh: str = "", en: str = "") -> Issue:
    """An issue that names the placeholder as written."""
    zh, en = (error.message, error.message_en or error.message) if error else (zh, en)
    return Issue(
        path,
        error.code if error else "bad_placeholder",
        f"占位符 {{{{ {text} }}}}：{zh}",
        f"placeholder {{{{ {text} }}}}: {en}",
    )


RELATED = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")
PATH = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,2}$")
MAX_HOPS = 2
"""Single relations a bare placeholder may follow: `{{ contact.customer.address }}` (expressions: one)."""


def print_relations(form: FormDefinition, forms: Mapping[str, FormDefinition]) -> dict[str, FormDefinition]:
    """relation key -> the form it points to, for the form's single relations into `forms` (the app's):
    what a placeholder may follow (`{{ customer.address }}`)."""
    found: dict[str, FormDefinition] = {}
    for f in form.fields:
        target = getattr(f, "target", None)
        if f.type == "relation" and not getattr(f, "multiple", False) and isinstance(target, str) and target in forms:
            found[f.key] = forms[target]
    return found


def related_path(
    form: FormDefinition, text: str, forms: Mapping[str, FormDefinition]
) -> tuple[tuple[str, ...], FormDefinition, str] | None:
    """(relations followed, the form they lead to, its field) when the placeholder is a bare field of a record
    one or two single relations away: `customer.address`, `contact.customer.address`, in a row `product.name`."""
    if not PATH.match(text):
        return None
    *rels, key = text.split(".")
    reached = _follow(form, rels, forms)
    return (tuple(rels), reached, key) if reached is not None and key in reached.by_key else None


def _follow(form: FormDefinition, rels: list[str], forms: Mapping[str, FormDefinition]) -> FormDefinition | None:
    """The form single relations `rels` lead to from `form`; None when one is not a single relation of the app."""
    current = form
    for rel in rels:
        targets = print_relations(current, forms)
        if rel not in targets:
            return None
        current = targets[rel]
    return current


def _unknown_related(form: FormDefinition, text: str, forms: Mapping[str, FormDefinition]) -> tuple[str, str] | None:
    """(中文, English) naming the missing field when a bare path follows single relations to a form without it."""
    *rels, key = text.split(".")
    reached = _follow(form, rels, forms)
    if reached is None:
        return None
    return (f"关联表单“{reached.name}”没有字段 {key}", f"the related form {reached.key!r} has no field {key!r}")


def relations_read(form: FormDefinition, found: Checked) -> set[str]:
    """The relations whose related record an expression reads (`customer.level` → customer)."""
    return {
        n.path[0]
        for n in walk(found.node)
        if isinstance(n, FieldRef)
        and len(n.path) == 2
        and form.by_key.get(n.path[0]) is not None
        and form.by_key[n.path[0]].type == "relation"
    }


def _follow_issue(path: str, text: str) -> Issue:
    return _placeholder_issue(
        path,
        text,
        None,
        "只能读取单选关联所指记录的字段（直接写字段最多两层；表达式中一层，子表行中不可），请在表单中加查找字段",
        "a print template follows single relations of the app two steps in a bare placeholder, one in an "
        "expression, none in a row's expression: add a lookup field",
    )


def _part_issues(
    form: FormDefinition,
    parts: tuple[Part, ...] | list[Part],
    path: str,
    in_each: bool,
    forms: Mapping[str, FormDefinition],
) -> list[Issue]:
    issues: list[Issue] = []
    targets = print_relations(form, forms)
    for part in parts:
        if isinstance(part, Placeholder):
            if part.text.startswith("@"):
                if part.text not in SPECIALS or (part.text == "@index" and not in_each):
                    issues.append(
                        _placeholder_issue(
                            path,
                            part.text,
                            None,
                            "只能用 @logo、@seal，以及 #each 中的 @index",
                            "only @logo, @seal, and @index inside #each",
                        )
                    )
                continue
            if part.text in form.by_key or related_path(form, part.text, forms):
                continue  # a bare field prints whatever its type (address, attachments, a sub-table's rows)
            head = form.by_key.get(part.text.split(".")[0]) if PATH.match(part.text) else None
            if head is not None and head.type == "relation":
                missing = _unknown_related(form, part.text, forms)
                if missing and (len(part.text.split(".")) > 2 or in_each):  # one hop at the top: checked() says it
                    issues.append(_placeholder_issue(path, part.text, None, *missing))
                    continue
                if missing is None:
                    issues.append(_follow_issue(path, part.text))
                    continue
            try:
                found = checked(form, part.text)
            except ExpressionError as e:
                if in_each and any(f"{rel}." in part.text for rel in targets):  # a row's expression over a relation
                    issues.append(_follow_issue(path, part.text))
                else:
                    issues.append(_placeholder_issue(path, part.text, e))
                continue
            if relations_read(form, found) - (set() if in_each else set(targets)):  # a multiple relation, one out
                # of the app, or one read in a row's expression (rows print related fields bare only)
                issues.append(_follow_issue(path, part.text))
        elif isinstance(part, Each):
            table = form.by_key.get(part.table)
            if table is None or table.type != "sub_table":
                issues.append(
                    _placeholder_issue(
                        path,
                        f"#each {part.table}",
                        None,
                        f"{part.table} 不是本表单的子表字段",
                        f"{part.table!r} is not a sub_table field of the form",
                    )
                )
                continue
            issues += _part_issues(sub_table_form(table), part.parts, path, True, forms)
    return issues


def template_issues(
    form: FormDefinition, template: PrintTemplate, where: str, forms: Mapping[str, FormDefinition] | None = None
) -> list[Issue]:
    """Every problem of a template's header, body and footer at `<where>.<part>`, naming the placeholder.
    `forms`: the app's forms, whose records single relations lead to; without them, no related field."""
    issues: list[Issue] = []
    for name in PARTS:
        parsed = parse(getattr(template, name))
        path = f"{where}.{name}"
        issues += [Issue(path, code, zh, en) for code, zh, en in parsed.problems]
        issues += _part_issues(form, parsed.parts, path, False, forms or {})
    return issues


def template_paths(
    form: FormDefinition, template: PrintTemplate, forms: Mapping[str, FormDefinition]
) -> set[tuple[str, tuple[str, ...]]]:
    """The related records a (checked) template reads, as (sub-table key or "" for the record, relations
    followed), every step of a path included (`contact.customer.address` → ("", ("contact",)) and
    ("", ("contact", "customer"))): the runtime fetches only those, a hop at a time."""
    wanted: set[tuple[str, tuple[str, ...]]] = set()

    def add(scope: str, rels: tuple[str, ...]) -> None:
        wanted.update((scope, rels[: n + 1]) for n in range(len(rels)))

    def visit(parts: tuple[Part, ...] | list[Part], on: FormDefinition, scope: str) -> None:
        for part in parts:
            if isinstance(part, Each):
                table = on.by_key.get(part.table)
                if table is not None and table.type == "sub_table" and not scope:
                    visit(part.parts, sub_table_form(table), part.table)
                continue
            if not isinstance(part, Placeholder) or part.text.startswith("@") or part.text in on.by_key:
                continue
            if found := related_path(on, part.text, forms):
                add(scope, found[0])
                continue
            try:
                wanted.update((scope, (rel,)) for rel in relations_read(on, checked(on, part.text)))
            except ExpressionError:
                continue

    for name in PARTS:
        visit(parse(getattr(template, name)).parts, form, "")
    return wanted


@dataclass(frozen=True)
class RelatedRecord:
    """The record a single relation points to, as the reader may see it through the related form's own
    rights: `shown` its data (hidden fields absent, masked ones masked), `unreadable` its hidden and masked keys."""

    form: FormDefinition
    shown: Mapping[str, Any]
    unreadable: frozenset[str]


@dataclass(frozen=True)
class PrintRecord:
    """One record as its reader may print it.

    `shown`: the data as the API shows it to the reader (hidden fields absent, masked ones masked, relations
    as {id, title}); `system`: id, created_at … ; `unreadable`: hidden and masked keys, which no expression
    may read; `images`: "logo" / "seal" → a data: URI the runtime made from the uploaded file."""

    form: FormDefinition
    shown: Mapping[str, Any]
    system: Mapping[str, Any]
    unreadable: frozenset[str]
    images: Mapping[str, str]
    ctx: EvalContext
    related: Mapping[str, RelatedRecord] = field(default_factory=dict)
    """relations followed ("customer", "contact.customer") -> the related record (absent: no value, or a record
    the reader may not read)."""
    row_related: Mapping[str, Sequence[Mapping[str, RelatedRecord]]] = field(default_factory=dict)
    """sub-table key -> for each of its rows, as `related` ("product" -> the product a row names)."""


def _plain(value: Any) -> Any:
    """A shown value as expressions read it: a related record {id, title} is its id."""
    if isinstance(value, dict) and "id" in value and "title" in value:
        return value["id"]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _display(field: FieldType | None, value: Any, ctx: EvalContext) -> str:
    """A field's shown value as a document writes it: titles, 2026年12月6日, 12,600.00, 是/否."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, dict) and "title" in value:
        return str(value["title"])
    kind = field.type if field is not None else None
    if kind == "sub_table" and isinstance(value, list):  # rows as the record page's cell: "CRM 专业版 2；实施服务 1"
        columns = getattr(field, "fields", [])
        return "；".join(
            " ".join(t for c in columns if (t := _display(c, row.get(c.key), ctx)))
            for row in value
            if isinstance(row, dict)
        )
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return "、".join(str(v.get("title", v.get("name", ""))) for v in value)  # relations, attachments
    if isinstance(value, bool):
        return "是" if value else "否"
    if kind == "money":
        return f"{Decimal(str(value)):,.2f}"
    if kind == "date" or isinstance(value, date):
        return chinese_date(value if isinstance(value, date) else date.fromisoformat(str(value)))
    if kind == "datetime" or (isinstance(value, str) and len(value) > 18 and value[10:11] == "T"):
        return _moment(value, ctx)
    if field is not None:
        try:
            cell = field.to_cell(value)
        except Exception:  # a print never fails over one odd stored value
            cell = value
        return show(cell)
    return show(value)


def _moment(value: Any, ctx: EvalContext) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    local = moment.astimezone(ctx.timezone)
    return f"{chinese_date(local)} {local:%H:%M}"


def _result(value: Any, ctx: EvalContext) -> str:
    """An expression's value as text: dates in Chinese, numbers exact, lists joined with 、."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return _moment(value, ctx)
    if isinstance(value, date):
        return chinese_date(value)
    if isinstance(value, list):
        return "、".join(_result(v, ctx) for v in value if v is not None)
    return show(value)


class _Renderer:
    def __init__(self, record: PrintRecord) -> None:
        self.record = record
        data = {k: _plain(v) for k, v in record.shown.items() if k not in record.unreadable}
        related = {
            f"{rel}.{key}": _plain(value)
            for rel, other in record.related.items()
            if "." not in rel  # expressions read one hop
            for key, value in other.shown.items()
            if key not in other.unreadable
        }
        self.values = row_values(record.form, data, related) | dict(record.system)

    def parts(
        self,
        parts: tuple[Part, ...] | list[Part],
        form: FormDefinition,
        values: Mapping[str, Any],
        shown: Mapping[str, Any],
        index: int | None,
        related: Mapping[str, RelatedRecord],
    ) -> str:
        out: list[str] = []
        for part in parts:
            if isinstance(part, Text):
                out.append(part.html)
            elif isinstance(part, Each):
                out.append(self.each(part))
            elif part.text == "@index":
                out.append(str(index or ""))
            elif part.text in ("@logo", "@seal"):
                uri = self.record.images.get(part.text[1:])
                # the runtime made the URI from a stored image; it is escaped all the same
                out.append(f'<img class="{part.text[1:]}" src="{html.escape(uri)}" alt="">' if uri else "")
            else:
                out.append(html.escape(self.placeholder(part.text, form, values, shown, related)))
        return "".join(out)

    def placeholder(
        self,
        text: str,
        form: FormDefinition,
        values: Mapping[str, Any],
        shown: Mapping[str, Any],
        related: Mapping[str, RelatedRecord],
    ) -> str:
        if text in form.by_key:  # a bare field, as the reader sees it (absent when hidden, masked when masked)
            return _display(form.by_key[text], shown.get(text), self.record.ctx)
        head = form.by_key.get(text.split(".")[0]) if PATH.match(text) else None
        if head is not None and head.type == "relation":  # a bare field of a related record, as above
            rels, key = text.rsplit(".", 1)
            other = related.get(rels)
            if other is None:  # no related record, or one the reader may not read (at any step)
                return ""
            if key in other.form.by_key:
                return _display(other.form.by_key[key], other.shown.get(key), self.record.ctx)
        found = checked(form, text)
        refs = [n.path for n in walk(found.node) if isinstance(n, FieldRef)]
        if form is self.record.form and any(self._unreadable(path) for path in refs):
            return ""
        return _result(evaluate(found, values, self.record.ctx), self.record.ctx)

    def _unreadable(self, path: tuple[str, ...]) -> bool:
        """A path the reader may not read: a hidden or masked field, or one of a related record (or the
        related record itself) they may not read."""
        if not path:
            return False
        if path[0] in self.record.unreadable:
            return True
        field_def = self.record.form.by_key.get(path[0])
        if len(path) == 2 and field_def is not None and field_def.type == "relation":
            other = self.record.related.get(path[0])
            return other is None or path[1] in other.unreadable
        return False

    def each(self, part: Each) -> str:
        table = self.record.form.by_key[part.table]
        rows = self.record.shown.get(part.table) if part.table not in self.record.unreadable else None
        sub = sub_table_form(table)
        out = []
        linked = self.record.row_related.get(part.table, [])
        for i, row in enumerate(rows if isinstance(rows, list) else [], start=1):
            if isinstance(row, dict):
                values = row_values(sub, {k: _plain(v) for k, v in row.items()})
                out.append(self.parts(part.parts, sub, values, row, i, linked[i - 1] if i <= len(linked) else {}))
        return "".join(out)


def render(template_text: str, record: PrintRecord) -> str:
    """One part of a checked template filled in for one record (HTML; every value escaped)."""
    parsed = parse(template_text)
    renderer = _Renderer(record)
    return renderer.parts(parsed.parts, record.form, renderer.values, record.shown, None, record.related)


__all__ = [
    "PrintRecord",
    "Parsed",
    "RelatedRecord",
    "parse",
    "print_relations",
    "related_path",
    "render",
    "template_issues",
    "template_paths",
]
