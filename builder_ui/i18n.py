"""The UI's words in Chinese (the default) and English: two dicts, one key each, nothing else.

The language comes from `?lang=en|zh` (remembered in the `tangram_lang` cookie), else the cookie,
else Chinese. API error messages follow the same choice through Accept-Language."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

COOKIE = "tangram_lang"
LANGUAGES = ("zh", "en")

ZH: dict[str, str] = {
    "app_title": "七巧板", "login": "登录", "logout": "退出", "username": "用户名", "password": "密码",
    "login_failed": "用户名或密码错误", "home": "首页", "apps": "应用", "forms": "表单", "inbox": "待办", "inbox_empty": "没有待办任务", "no_dashboards": "还没有仪表盘", "due": "截止", "comment": "意见",
    "approve": "同意", "reject": "驳回", "return": "退回", "complete": "完成",
    "dashboards": "仪表盘", "new_app": "新建应用", "import_template": "导入模板",
    "app_key": "应用标识（英文）", "app_name": "应用名称", "create": "创建", "new_form": "新建表单",
    "form_key": "表单标识（英文）", "form_name": "表单名称", "records": "条记录", "new_record": "新建",
    "search": "搜索", "colon": "：", "filter": "筛选", "add_condition": "添加条件",
    "expression": "表达式", "expression_placeholder": "如 annual_revenue > 5000000 AND region = \"华东\"",
    "apply": "应用", "clear": "清除", "columns": "列", "save_columns": "保存列设置", "views": "视图",
    "all_records": "全部记录", "save_view": "保存为视图", "view_name": "视图名称", "next_page": "下一页",
    "first_page": "第一页", "selected": "已选", "bulk_edit": "批量修改", "bulk_delete": "批量删除",
    "export": "导出", "confirm_delete": "确定删除所选记录？", "no_records": "没有记录", "edit": "编辑",
    "save": "保存", "cancel": "取消", "delete": "删除", "details": "详情", "related": "相关记录",
    "timeline": "变更记录", "created": "创建", "updated": "修改", "deleted": "删除", "restored": "恢复",
    "by": "操作人", "kanban": "看板", "list": "列表", "builder": "表单设计", "stale_version":
    "记录已被他人修改（当前版本 {v}），请刷新后再编辑", "saved": "已保存", "move_refused": "无法移动：",
    "required": "必填", "add_row": "添加一行", "remove": "移除", "upload": "上传", "computed": "自动计算",
    "choose": "请选择", "province": "省", "city": "市", "district": "区/县", "detail": "详细地址",
    "palette": "字段类型", "canvas": "表单", "properties": "属性", "label": "名称", "key": "标识",
    "unique": "唯一", "encrypted": "加密存储",
    "encrypted_help": "数据库和备份中只存密文；仍可唯一、按相等筛选，不能排序、搜索或用于报表",
    "options": "选项（每行一个，可写 值|颜色）", "default": "默认值", "help": "提示文字",
    "width": "宽度", "width_full": "整行", "width_half": "半行", "min": "最小值", "max": "最大值",
    "pattern": "格式（正则）", "max_length": "最大长度", "target": "关联表单", "publish": "发布",
    "published": "已发布为第 {v} 版", "preview": "预览", "drag_here": "把字段类型拖到这里",
    "remove_field": "移除字段（数据保留）", "draft_note": "修改保存在草稿中，发布后生效", "version": "版本",
    "language": "English", "other_lang": "en", "uncategorised": "未分组", "system": "系统", "id": "编号",
    "owner": "所有者", "created_at": "创建时间", "updated_at": "更新时间", "yes": "是", "no": "否",
    "set_field": "字段", "set_value": "改为", "export_selected": "导出所选", "empty_form": "这个表单还没有字段",
    "no_permission": "没有权限", "loading": "加载中…", "close": "关闭", "error": "出错了",
    "skip_to_content": "跳到正文", "menu": "菜单", "rules": "校验规则（每行：表达式 | 提示）", "formula": "公式", "locked": "当前不可修改", "operator": "条件", "condition_value": "值",
    "op_eq": "等于", "op_ne": "不等于", "op_in": "属于（逗号分隔）", "op_lt": "小于", "op_lte": "小于等于", "op_gt": "大于",
    "op_gte": "大于等于", "op_contains": "包含", "op_starts_with": "开头是", "op_has": "含有", "op_blank": "为空",
    "op_not_blank": "不为空",
    "dashboard_filters": "看板筛选", "all": "全部", "date_from": "从", "date_to": "至", "as_of": "数据截至",
    "kpi_target": "目标", "completion": "完成率", "previous": "上期", "previous_growth": "环比", "last_year": "去年同期",
    "last_year_growth": "同比", "period": "统计期", "drill": "明细", "open_list": "打开{form}列表",
    "export_csv": "导出 CSV", "export_xlsx": "导出 Excel", "data_table": "数据表", "total": "合计", "blank": "（空）", "others": "其他",
    "more_records": "加载更多", "records_shown": "显示 {n} 条", "created_by": "创建人", "updated_by": "修改人",
    "department": "部门",
    "cascade_options": "级联选项（每行一个，下一级多缩进两个空格；可写 值|显示名）", "sub_columns": "明细列",
    "column": "第 {n} 列", "column_type": "类型", "add_column": "添加列", "move_up": "上移", "move_down": "下移",
    "remove_column": "删除此列", "lookup_relation": "通过哪个关联字段", "lookup_field": "引用关联记录的字段",
    "rollup_source": "汇总哪些记录（指向本表单的关联）", "rollup_agg": "汇总方式", "rollup_of": "汇总的字段",
    "rollup_where": "只汇总满足条件的记录（可选）",
    "agg_sum": "求和", "agg_count": "计数", "agg_avg": "平均值", "agg_min": "最小值", "agg_max": "最大值",
    "visible_when": "显示条件（表达式，空为总是显示）", "editable_when": "可修改条件（表达式）",
    "default_formula": "默认公式（表达式，新建时计算）", "need_relation": "请先在本表单添加一个关联字段",
    "need_source": "还没有其他表单的关联字段指向本表单", "tree_indent": "第 {n} 行缩进过深：下一级只比上一级多两个空格",
}

EN: dict[str, str] = {
    "app_title": "Tangram", "login": "Log in", "logout": "Log out", "username": "Username", "password": "Password",
    "login_failed": "Wrong username or password", "home": "Home", "apps": "Apps", "forms": "Forms",
    "inbox": "Inbox", "inbox_empty": "No open tasks", "no_dashboards": "No dashboards yet", "due": "due", "comment": "Comment",
    "approve": "Approve", "reject": "Reject", "return": "Return", "complete": "Done", "dashboards": "Dashboards", "new_app": "New app",
    "import_template": "Import template", "app_key": "App key", "app_name": "App name", "create": "Create",
    "new_form": "New form", "form_key": "Form key", "form_name": "Form name", "records": "records",
    "new_record": "New", "search": "Search", "colon": ": ", "filter": "Filter",
    "add_condition": "Add condition", "expression": "Expression",
    "expression_placeholder": "e.g. annual_revenue > 5000000 AND region = \"华东\"", "apply": "Apply",
    "clear": "Clear", "columns": "Columns", "save_columns": "Save columns", "views": "Views",
    "all_records": "All records", "save_view": "Save as view", "view_name": "View name", "next_page": "Next page",
    "first_page": "First page", "selected": "Selected", "bulk_edit": "Bulk edit", "bulk_delete": "Delete selected",
    "export": "Export", "confirm_delete": "Delete the selected records?", "no_records": "No records",
    "edit": "Edit", "save": "Save", "cancel": "Cancel", "delete": "Delete", "details": "Details",
    "related": "Related records", "timeline": "Timeline", "created": "created", "updated": "updated",
    "deleted": "deleted", "restored": "restored", "by": "By", "kanban": "Kanban", "list": "List",
    "builder": "Form builder", "stale_version": "Someone else changed this record (now version {v}); reload to edit",
    "saved": "Saved", "move_refused": "Cannot move: ", "required": "required", "add_row": "Add row",
    "remove": "Remove", "upload": "Upload", "computed": "computed", "choose": "Choose…", "province": "Province",
    "city": "City", "district": "District", "detail": "Street", "palette": "Field types", "canvas": "Form",
    "properties": "Properties", "label": "Label", "key": "Key", "unique": "Unique", "encrypted": "Encrypted at rest",
    "encrypted_help": "The database and backups hold only ciphertext; still unique and filterable by equality, "
                      "never sorted, searched or used in reports",
    "options": "Options (one per line, value|colour)", "default": "Default", "help": "Help text", "width": "Width",
    "width_full": "Full row", "width_half": "Half row", "min": "Minimum", "max": "Maximum",
    "pattern": "Pattern (regex)", "max_length": "Max length", "target": "Target form", "publish": "Publish",
    "published": "Published as version {v}", "preview": "Preview", "drag_here": "Drag field types here",
    "remove_field": "Remove field (data kept)", "draft_note": "Changes are saved to the draft until you publish",
    "version": "Version", "language": "中文", "other_lang": "zh", "uncategorised": "Other", "system": "System",
    "id": "ID", "owner": "Owner", "created_at": "Created", "updated_at": "Updated", "yes": "Yes", "no": "No",
    "set_field": "Field", "set_value": "New value", "export_selected": "Export selected",
    "empty_form": "This form has no fields yet", "no_permission": "Not allowed", "loading": "Loading…",
    "close": "Close", "error": "Something went wrong", "skip_to_content": "Skip to content", "menu": "Menu",
    "rules": "Validation rules (one per line: expression | message)", "formula": "Formula", "locked": "Cannot be changed now", "operator": "Operator", "condition_value": "Value",
    "op_eq": "is", "op_ne": "is not", "op_in": "is one of (commas)", "op_lt": "<", "op_lte": "≤", "op_gt": ">",
    "op_gte": "≥", "op_contains": "contains", "op_starts_with": "starts with", "op_has": "has", "op_blank": "is blank",
    "op_not_blank": "is not blank",
    "dashboard_filters": "Dashboard filters", "all": "All", "date_from": "From", "date_to": "To", "as_of": "Data as of",
    "kpi_target": "Target", "completion": "Completion", "previous": "Previous period", "previous_growth": "vs previous",
    "last_year": "A year earlier", "last_year_growth": "vs last year", "period": "Period", "drill": "Records",
    "open_list": "Open the {form} list", "export_csv": "Export CSV", "export_xlsx": "Export Excel",
    "data_table": "Data table", "total": "Total", "blank": "(blank)", "others": "Others", "more_records": "Load more",
    "records_shown": "{n} shown", "created_by": "Created by", "updated_by": "Updated by", "department": "Department",
    "cascade_options": "Options tree (one per line, two more spaces per level; value|label allowed)",
    "sub_columns": "Row columns", "column": "Column {n}", "column_type": "Type", "add_column": "Add column",
    "move_up": "Move up", "move_down": "Move down", "remove_column": "Remove this column",
    "lookup_relation": "Through the relation", "lookup_field": "Field of the related record",
    "rollup_source": "Records to summarise (relations to this form)", "rollup_agg": "Summary",
    "rollup_of": "Field summarised", "rollup_where": "Only records meeting (optional)",
    "agg_sum": "Sum", "agg_count": "Count", "agg_avg": "Average",
    "agg_min": "Smallest", "agg_max": "Largest", "visible_when": "Shown when (expression; blank: always)",
    "editable_when": "Editable when (expression)", "default_formula": "Default formula (expression, on create)",
    "need_relation": "Add a relation field to this form first",
    "need_source": "No relation of another form points at this form yet",
    "tree_indent": "Line {n} is indented too far: a level is two more spaces than its parent",
}

CATALOGUE = {"zh": ZH, "en": EN}


def language(request: Request) -> str:
    """`?lang=` first, then the cookie, then Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE)
    return asked if asked in LANGUAGES else "zh"


def translator(lang: str) -> Callable[..., str]:
    """t("key", v=3): the word in `lang`, the key itself when missing (so a gap shows, not crashes)."""
    words = CATALOGUE[lang]

    def t(key: str, **values: object) -> str:
        text = words.get(key) or ZH.get(key) or key
        return text.format(**values) if values else text

    return t
