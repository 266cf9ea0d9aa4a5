"""The UI's words in Chinese (the default) and English: two dicts, one key each, nothing else.

The language comes from `?lang=en|zh` (remembered in the `tangram_lang` cookie), else the cookie,
else Chinese. API error messages follow the same choice through Accept-Language."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from engine.forms.system_fields import SYSTEM_FIELDS

COOKIE = "tangram_lang"
LANGUAGES = ("zh", "en")

ZH: dict[str, str] = {
    "app_title": "七巧板", "login": "登录", "logout": "退出", "username": "用户名", "password": "密码",
    "login_failed": "用户名或密码错误", "home": "首页", "apps": "应用", "forms": "表单", "inbox": "待办", "inbox_empty": "没有待办任务", "no_dashboards": "还没有仪表盘", "due": "截止", "comment": "意见",
    "approve": "同意", "reject": "驳回", "return": "退回", "complete": "完成",
    "approval_running": "审批中", "approval_approved": "已通过", "approval_rejected": "已驳回",
    "approval_cancelled": "已撤回", "approval_returned": "已退回", "approval_completed": "已完成",
    "approval_failed": "失败", "approval_new": "待提交", "approval": "审批", "submit_approval": "提交审批",
    "save_and_submit": "保存并提交", "withdraw": "撤回", "resubmit": "重新提交", "transfer": "转交",
    "transfer_to": "转交给", "add_approver": "加签", "add_approver_users": "加签人", "submitter": "发起人",
    "pending": "待处理", "since": "起", "overdue": "已超时", "more_actions": "更多操作",
    "tab_todo": "待我处理", "tab_done": "我已处理", "tab_mine": "我发起的", "tab_cc": "抄送我",
    "all_apps": "全部应用", "all_flows": "全部流程", "batch_approve": "批量同意", "select_all": "全选",
    "batch_comment": "统一意见", "nothing_here": "暂无", "flow": "流程", "status": "状态",
    "record": "记录", "step": "节点", "decided": "处理", "cc_at": "抄送时间", "confirm_withdraw": "确定撤回这次审批？",
    "locked_under_approval": "记录正在审批中，审批结束前不能修改",
    "approver_may_edit": "记录正在审批中：作为当前审批人，你可以修改未锁定的字段", "submit_refused": "记录已保存，但提交审批未成功",
    "earlier_approvals": "历次审批", "approval_progress": "审批进度", "task_transferred": "已转交",
    "task_approved": "已同意", "task_rejected": "已驳回", "task_returned": "已退回", "task_open": "待处理",
    "task_cancelled": "已取消", "task_escalated": "已升级", "task_skipped": "已跳过", "task_done": "已完成",
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
    "choose": "请选择", "retired_option": "（已停用）", "province": "省", "city": "市", "district": "区/县", "detail": "详细地址",
    "palette": "字段类型", "canvas": "表单", "properties": "属性", "label": "名称", "key": "标识",
    "unique": "唯一", "encrypted": "加密存储",
    "encrypted_help": "数据库和备份中只存密文；仍可唯一、按相等筛选，不能排序、搜索或用于报表",
    "options": "选项（每行一个，可写 值|颜色）", "default": "默认值", "help": "提示文字",
    "width": "宽度", "width_full": "整行", "width_half": "半行", "min": "最小值", "max": "最大值",
    "pattern": "格式（正则）", "max_length": "最大长度", "target": "关联表单", "publish": "发布",
    "published": "已发布为第 {v} 版", "preview": "预览", "drag_here": "把字段类型拖到这里",
    "remove_field": "移除字段（数据保留）", "draft_note": "修改保存在草稿中，发布后生效", 
    "language": "English", "other_lang": "en", "uncategorised": "未分组", "system": "系统", 
    "yes": "是", "no": "否",
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
    "more_records": "加载更多", "records_shown": "显示 {n} 条", 
    
    "cascade_options": "级联选项（每行一个，下一级多缩进两个空格；可写 值|显示名）", "sub_columns": "明细列",
    "column": "第 {n} 列", "column_type": "类型", "add_column": "添加列", "move_up": "上移", "move_down": "下移",
    "remove_column": "删除此列", "lookup_relation": "通过哪个关联字段", "lookup_field": "引用关联记录的字段",
    "rollup_source": "汇总哪些记录（指向本表单的关联）", "rollup_agg": "汇总方式", "rollup_of": "汇总的字段",
    "rollup_where": "只汇总满足条件的记录（可选）",
    "agg_sum": "求和", "agg_count": "计数", "agg_avg": "平均值", "agg_min": "最小值", "agg_max": "最大值",
    "visible_when": "显示条件（表达式，空为总是显示）", "editable_when": "可修改条件（表达式）",
    "default_formula": "默认公式（表达式，新建时计算）", "need_relation": "请先在本表单添加一个关联字段",
    "need_source": "还没有其他表单的关联字段指向本表单", "tree_indent": "第 {n} 行缩进过深：下一级只比上一级多两个空格",
    "flows": "流程",
    "flow_designer": "流程设计",
    "new_flow": "新建流程",
    "flow_name": "流程名称",
    "flow_key": "流程标识（英文）",
    "flow_form": "表单",
    "flow_trigger": "触发方式",
    "flow_status": "状态",
    "flow_enabled": "启用",
    "flow_running": "运行中",
    "running_on": "{n} 个运行中（第 {v} 版）",
    "design": "设计",
    "copy": "复制",
    "no_flows": "还没有流程",
    # the flow's run log (运行记录, builder_ui/flow_admin.py)
    "flow_instances": "运行记录", "fi_all": "全部", "fi_record": "记录", "fi_submitter": "发起人", "fi_version": "版本",
    "fi_status": "状态", "fi_waiting": "当前节点", "fi_since": "停留自", "fi_due": "截止", "fi_none": "还没有运行记录",
    "fi_all_versions": "全部版本", "fi_version_n": "第 {v} 版", "fi_details": "详情", "fi_failed_jobs": "{n} 个任务失败",
    "fi_later": "之后", "fi_resubmit": "等待发起人重新提交", "fi_wait": "等待", "fi_tasks": "审批任务", "fi_jobs": "自动化任务",
    "fi_no_jobs": "没有自动化任务", "fi_attempt": "第 {n} 次", "fi_attempts": "已尝试 {n}/{m} 次", "fi_response": "响应",
    "fi_retry": "重试", "fi_retried": "已重新排队", "fi_timeline": "流程记录", "fi_target": "目标", "fi_error": "错误",
    "st_new": "新建", "st_running": "运行中", "st_returned": "已退回", "st_approved": "已通过", "st_completed": "已完成",
    "st_rejected": "已驳回", "st_cancelled": "已撤回", "st_failed": "失败",
    "job_pending": "等待执行", "job_running": "执行中", "job_done": "成功", "job_failed": "失败（等待重试）", "job_dead": "失败",
    "kind_webhook": "Webhook", "kind_email": "邮件", "kind_dingtalk": "钉钉机器人", "kind_wecom": "企业微信机器人",
    "kind_flow_timer": "定时器",
    "copy_key_prompt": "副本的流程标识（英文）",
    "on_submit": "提交审批时",
    "on_create": "新建记录时",
    "on_update": "修改记录时",
    "on_schedule": "定时",
    "on_date": "到达日期时",
    "on_webhook": "Webhook 调用时",
    "on_delete": "删除记录时",
    "on_button": "点击按钮时",
    "flow_end": "结束",
    "add_step": "添加步骤",
    "add_branch": "+ 分支",
    "branch": "分支",
    "default_branch": "其他情况",
    "confirm_remove_step": "确定删除这个步骤（连同其中的分支）？",
    "asked": "审批人",
    "approvers": "审批人",
    "nobody": "（未指定）",
    "branch_when": "条件（表达式）",
    "undo": "撤销",
    "zoom_in": "放大",
    "zoom_out": "缩小",
    "step_settings": "步骤设置",
    "select_step": "点击一个步骤或分支进行设置",
    "approver_users": "指定成员（用户名，逗号分隔）",
    "approver_role": "角色",
    "approver_head": "发起人的部门负责人",
    "head_levels": "向上 {n} 级",
    "approval_mode": "审批方式",
    "mode_any": "或签（一人同意即可）",
    "mode_all": "会签（需全部同意）",
    "mode_sequential": "依次审批",
    "mode_n_of_m": "N 人同意",
    "approval_required": "需要同意的人数",
    "step_json": "全部选项（JSON，高级）",
    "trial": "试运行",
    "trial_record": "用哪条记录试运行（记录 ID）",
    "stars": "星", "no_rating": "不评分", "max_stars": "星数",
    # flow designer: the trigger panel and the condition picker (builder/_condition_picker.html)
    "trigger_settings": "触发设置", "trigger_fields": "哪些字段变化时（不选：任一字段）", "trigger_date_field": "日期字段",
    "trigger_offset": "提前或推后", "trigger_days_count": "天数", "trigger_before": "提前", "trigger_after": "推后",
    "trigger_days": "天", "trigger_at": "当天几点", "trigger_repeat": "重复", "trigger_once": "不重复",
    "trigger_yearly": "每年", "trigger_monthly": "每月", "trigger_every": "频率", "trigger_daily": "每天",
    "trigger_weekly": "每周", "trigger_cron": "自定义（cron）", "trigger_weekday": "星期", "trigger_time": "时间",
    "trigger_cron_text": "cron 表达式（分 时 日 月 星期）", "trigger_next_runs": "接下来 3 次运行：",
    "trigger_each_record": "运行方式", "trigger_each_record_yes": "逐条记录：符合下方条件的每条记录各运行一次",
    "trigger_each_record_no": "每次运行一次，不针对记录（如定时拉取 ERP 数据）",
    "trigger_label": "按钮文字", "trigger_label_hint": "如 发起报价审批", "trigger_token": "Webhook 令牌（至少 16 位）",
    "trigger_when": "条件（满足时才触发）",
    "weekday_1": "星期一", "weekday_2": "星期二", "weekday_3": "星期三", "weekday_4": "星期四", "weekday_5": "星期五",
    "weekday_6": "星期六", "weekday_0": "星期日",
    "trigger_on_create": "新建时", "trigger_on_update": "更新时", "trigger_on_submit": "提交审批", "trigger_on_delete": "删除时",
    "trigger_on_date": "日期到达", "trigger_on_schedule": "定时", "trigger_on_button": "按钮", "trigger_on_webhook": "Webhook",
    "cp_and": "且（全部满足）", "cp_or": "或（任一满足）", "cp_join": "条件之间", "cp_expert": "表达式", "cp_rows": "条件选择",
    "cp_field": "字段", "cp_to": "至", "cp_days": "天", "cp_between": "介于", "cp_contains": "包含", "cp_not_contains": "不包含",
    "cp_blank": "为空", "cp_not_blank": "不为空", "cp_in": "属于", "cp_not_in": "不属于", "cp_today": "今天", "cp_this_month": "本月",
    "cp_last_days": "近 N 天", "cp_is_true": "是", "cp_is_false": "否", "cp_me": "是当前用户",
    "cp_cannot_show": "这个表达式无法用条件选择显示，请在表达式框中编辑（原文保留）",
}

EN: dict[str, str] = {
    "app_title": "Tangram", "login": "Log in", "logout": "Log out", "username": "Username", "password": "Password",
    "login_failed": "Wrong username or password", "home": "Home", "apps": "Apps", "forms": "Forms",
    "inbox": "Inbox", "inbox_empty": "No open tasks", "no_dashboards": "No dashboards yet", "due": "due", "comment": "Comment",
    "approve": "Approve", "reject": "Reject", "return": "Return", "complete": "Done", "dashboards": "Dashboards", "new_app": "New app",
    "approval_running": "In approval", "approval_approved": "Approved", "approval_rejected": "Rejected",
    "approval_cancelled": "Withdrawn", "approval_returned": "Returned", "approval_completed": "Completed",
    "approval_failed": "Failed", "approval_new": "Not submitted", "approval": "Approval",
    "submit_approval": "Submit for approval", "save_and_submit": "Save and submit", "withdraw": "Withdraw",
    "resubmit": "Resubmit", "transfer": "Transfer", "transfer_to": "Transfer to", "add_approver": "Add approver",
    "add_approver_users": "Approvers to add", "submitter": "Submitter", "pending": "Pending", "since": "since",
    "overdue": "Overdue", "more_actions": "More actions",
    "tab_todo": "To do", "tab_done": "Done by me", "tab_mine": "Submitted by me", "tab_cc": "CC'd to me",
    "all_apps": "All apps", "all_flows": "All flows", "batch_approve": "Approve selected", "select_all": "Select all",
    "batch_comment": "Comment for all", "nothing_here": "Nothing here", "flow": "Flow", "status": "Status",
    "record": "Record", "step": "Step", "decided": "Decided", "cc_at": "CC'd at",
    "confirm_withdraw": "Withdraw this approval?",
    "locked_under_approval": "The record is under approval and read-only until it ends",
    "approver_may_edit": "The record is under approval: as its current approver you may change the unlocked fields",
    "submit_refused": "The record was saved, but submitting it for approval failed",
    "earlier_approvals": "Earlier approvals", "approval_progress": "Approval progress",
    "task_transferred": "Transferred", "task_approved": "Approved", "task_rejected": "Rejected",
    "task_returned": "Returned", "task_open": "Pending", "task_cancelled": "Cancelled", "task_escalated": "Escalated",
    "task_skipped": "Skipped", "task_done": "Done",
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
    "remove": "Remove", "upload": "Upload", "computed": "computed", "choose": "Choose…", "retired_option": " (retired)", "province": "Province",
    "city": "City", "district": "District", "detail": "Street", "palette": "Field types", "canvas": "Form",
    "properties": "Properties", "label": "Label", "key": "Key", "unique": "Unique", "encrypted": "Encrypted at rest",
    "encrypted_help": "The database and backups hold only ciphertext; still unique and filterable by equality, "
                      "never sorted, searched or used in reports",
    "options": "Options (one per line, value|colour)", "default": "Default", "help": "Help text", "width": "Width",
    "width_full": "Full row", "width_half": "Half row", "min": "Minimum", "max": "Maximum",
    "pattern": "Pattern (regex)", "max_length": "Max length", "target": "Target form", "publish": "Publish",
    "published": "Published as version {v}", "preview": "Preview", "drag_here": "Drag field types here",
    "remove_field": "Remove field (data kept)", "draft_note": "Changes are saved to the draft until you publish",
    "language": "中文", "other_lang": "zh", "uncategorised": "Other", "system": "System",
    "yes": "Yes", "no": "No",
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
    "records_shown": "{n} shown", 
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
    "flows": "Flows",
    "flow_designer": "Flow designer",
    "new_flow": "New flow",
    "flow_name": "Flow name",
    "flow_key": "Flow key",
    "flow_form": "Form",
    "flow_trigger": "Trigger",
    "flow_status": "Status",
    "flow_enabled": "On",
    "flow_running": "Running",
    "running_on": "{n} running on v{v}",
    "design": "Design",
    "copy": "Copy",
    "no_flows": "No flows yet",
    "flow_instances": "Runs", "fi_all": "All", "fi_record": "Record", "fi_submitter": "Submitter", "fi_version": "Version",
    "fi_status": "Status", "fi_waiting": "Waiting at", "fi_since": "Since", "fi_due": "Due", "fi_none": "No runs yet",
    "fi_all_versions": "All versions", "fi_version_n": "v{v}", "fi_details": "Details", "fi_failed_jobs": "{n} failed job(s)",
    "fi_later": "then", "fi_resubmit": "Waiting for the submitter to resubmit", "fi_wait": "Waiting", "fi_tasks": "Tasks",
    "fi_jobs": "Automations", "fi_no_jobs": "No automations", "fi_attempt": "Attempt {n}", "fi_attempts": "{n}/{m} attempts",
    "fi_response": "Response", "fi_retry": "Retry", "fi_retried": "Queued again", "fi_timeline": "Flow timeline",
    "fi_target": "Target", "fi_error": "Error",
    "st_new": "New", "st_running": "Running", "st_returned": "Returned", "st_approved": "Approved", "st_completed": "Completed",
    "st_rejected": "Rejected", "st_cancelled": "Withdrawn", "st_failed": "Failed",
    "job_pending": "Queued", "job_running": "Running", "job_done": "Succeeded", "job_failed": "Failed (will retry)",
    "job_dead": "Failed", "kind_webhook": "Webhook", "kind_email": "E-mail", "kind_dingtalk": "DingTalk robot",
    "kind_wecom": "WeCom robot", "kind_flow_timer": "Timer",
    "copy_key_prompt": "Key of the copy",
    "on_submit": "Submitted for approval",
    "on_create": "Record created",
    "on_update": "Record updated",
    "on_schedule": "On a schedule",
    "on_date": "A date is reached",
    "on_webhook": "Webhook called",
    "on_delete": "Record deleted",
    "on_button": "Button pressed",
    "flow_end": "End",
    "add_step": "Add a step",
    "add_branch": "+ Branch",
    "branch": "Branch",
    "default_branch": "Otherwise",
    "confirm_remove_step": "Remove this step (with its branches)?",
    "asked": "Approvers",
    "approvers": "Approvers",
    "nobody": "(nobody yet)",
    "branch_when": "Condition (expression)",
    "undo": "Undo",
    "zoom_in": "Zoom in",
    "zoom_out": "Zoom out",
    "step_settings": "Step settings",
    "select_step": "Click a step or a branch to set it up",
    "approver_users": "Named users (usernames, comma-separated)",
    "approver_role": "Role",
    "approver_head": "The submitter's department head",
    "head_levels": "{n} level(s) up",
    "approval_mode": "Mode",
    "mode_any": "Any one",
    "mode_all": "All (countersign)",
    "mode_sequential": "One after another",
    "mode_n_of_m": "N of them",
    "approval_required": "Approvals needed",
    "step_json": "All options (JSON, expert)",
    "trial": "Trial run",
    "trial_record": "Record to try it on (record ID)",
    "stars": "stars", "no_rating": "No rating", "max_stars": "Stars",
    "trigger_settings": "Trigger settings", "trigger_fields": "When these fields change (none: any field)",
    "trigger_date_field": "Date field", "trigger_offset": "Before or after", "trigger_days_count": "Days",
    "trigger_before": "before", "trigger_after": "after", "trigger_days": "days", "trigger_at": "At (time of day)",
    "trigger_repeat": "Repeat", "trigger_once": "Once", "trigger_yearly": "Every year", "trigger_monthly": "Every month",
    "trigger_every": "Every", "trigger_daily": "Day", "trigger_weekly": "Week", "trigger_cron": "Custom (cron)",
    "trigger_weekday": "Weekday", "trigger_time": "Time", "trigger_cron_text": "Cron (minute hour day month weekday)",
    "trigger_next_runs": "Next 3 runs:", "trigger_each_record": "Runs",
    "trigger_each_record_yes": "For each record: once per record matching the condition below",
    "trigger_each_record_no": "Once per run, on no record (e.g. a scheduled pull from the ERP)", "trigger_label": "Button text", "trigger_label_hint": "e.g. Request quote approval",
    "trigger_token": "Webhook token (16+ characters)", "trigger_when": "Condition (starts only when it holds)",
    "weekday_1": "Monday", "weekday_2": "Tuesday", "weekday_3": "Wednesday", "weekday_4": "Thursday", "weekday_5": "Friday",
    "weekday_6": "Saturday", "weekday_0": "Sunday",
    "trigger_on_create": "Created", "trigger_on_update": "Updated", "trigger_on_submit": "Submitted for approval",
    "trigger_on_delete": "Deleted", "trigger_on_date": "A date is reached", "trigger_on_schedule": "Schedule",
    "trigger_on_button": "Button", "trigger_on_webhook": "Webhook",
    "cp_and": "AND (all)", "cp_or": "OR (any)", "cp_join": "Join", "cp_expert": "Expression", "cp_rows": "Picker",
    "cp_field": "Field", "cp_to": "to", "cp_days": "days", "cp_between": "between", "cp_contains": "contains",
    "cp_not_contains": "does not contain", "cp_blank": "is blank", "cp_not_blank": "is not blank", "cp_in": "is one of",
    "cp_not_in": "is none of", "cp_today": "today", "cp_this_month": "this month", "cp_last_days": "last N days",
    "cp_is_true": "is yes", "cp_is_false": "is no", "cp_me": "is the current user",
    "cp_cannot_show": "The picker cannot show this expression: edit it in the expression box (kept as typed)",
}

# The dashboard editor (仪表盘设计), dashboard exports and subscriptions.
ZH |= {
    "ed_dashboards": "仪表盘设计", "ed_edit": "编辑仪表盘", "ed_new_dashboard": "新建仪表盘", "ed_dashboard_name": "仪表盘名称",
    "ed_dashboard_key": "仪表盘标识（英文）", "ed_widgets": "图表数", "ed_view": "查看", "ed_filters": "仪表盘筛选",
    "ed_add_filter": "添加筛选字段", "ed_add": "添加", "ed_roles": "可见角色", "ed_everyone": "所有人",
    "ed_roles_hint": "不勾选任何角色时，能打开本应用的人都能看到", "ed_grid_hint": "拖动图表标题移动位置，拖动右下角调整大小；也可以用方向键（Shift+方向键调整大小）",
    "ed_saved": "已保存到草稿", "ed_published": "已发布", "ed_unsaved": "有未保存的修改", "ed_apply_to": "应用于",
    "ed_remove_filter": "移除筛选", "ed_copy_key": "新仪表盘的标识（英文）", "ed_confirm_delete": "确定删除仪表盘",
    "ed_confirm_delete_widget": "确定删除图表", "ed_move": "拖动移动", "ed_resize": "拖动调整大小",
    "ed_no_filters": "还没有筛选", "export_png": "导出 PNG", "export_pdf": "导出 PDF", "edit_dashboard": "编辑仪表盘",
    "subscribe": "订阅", "sub_new": "新增订阅", "sub_who": "订阅人", "sub_users": "用户", "sub_roles": "角色（每位成员各收一份）",
    "sub_self": "订阅给自己：按你能看到的数据发送", "sub_every": "频率", "sub_daily": "每天", "sub_weekly": "每周",
    "sub_weekday": "星期", "sub_weekdays": "周一,周二,周三,周四,周五,周六,周日", "sub_at": "时间", "sub_channel": "发送方式",
    "sub_channel_email": "邮件", "sub_channel_in_app": "站内消息", "sub_channel_dingtalk": "钉钉群机器人",
    "sub_channel_wecom": "企业微信群机器人", "sub_webhook": "机器人 Webhook 地址", "sub_secret": "加签密钥（钉钉，可选）",
    "sub_add": "添加订阅", "sub_remove": "取消订阅", "sub_none": "还没有订阅", "sub_next": "下次发送", "sub_added": "已添加订阅",
}
EN |= {
    "ed_dashboards": "Dashboard design", "ed_edit": "Edit dashboard", "ed_new_dashboard": "New dashboard",
    "ed_dashboard_name": "Dashboard name", "ed_dashboard_key": "Dashboard key", "ed_widgets": "Widgets", "ed_view": "View",
    "ed_filters": "Dashboard filters", "ed_add_filter": "Add a filter on", "ed_add": "Add", "ed_roles": "Visible to roles",
    "ed_everyone": "Everyone", "ed_roles_hint": "With no role ticked, everyone who may open the app sees it",
    "ed_grid_hint": "Drag a widget's title to move it and its corner to resize; arrow keys work too (Shift+arrows resize)",
    "ed_saved": "Saved to the draft", "ed_published": "Published", "ed_unsaved": "Unsaved changes", "ed_apply_to": "applies to",
    "ed_remove_filter": "Remove filter", "ed_copy_key": "Key of the new dashboard", "ed_confirm_delete": "Delete the dashboard",
    "ed_confirm_delete_widget": "Delete the widget", "ed_move": "Drag to move", "ed_resize": "Drag to resize",
    "ed_no_filters": "No filters yet", "export_png": "Export PNG", "export_pdf": "Export PDF", "edit_dashboard": "Edit dashboard",
    "subscribe": "Subscribe", "sub_new": "New subscription", "sub_who": "Subscriber", "sub_users": "Users",
    "sub_roles": "Roles (each member gets their own)", "sub_self": "For yourself: sent with the data you may see",
    "sub_every": "Every", "sub_daily": "Day", "sub_weekly": "Week", "sub_weekday": "Weekday",
    "sub_weekdays": "Mon,Tue,Wed,Thu,Fri,Sat,Sun", "sub_at": "At", "sub_channel": "Send by", "sub_channel_email": "E-mail",
    "sub_channel_in_app": "In-app message", "sub_channel_dingtalk": "DingTalk group robot",
    "sub_channel_wecom": "WeCom group robot", "sub_webhook": "Robot webhook address", "sub_secret": "Signing secret (DingTalk, optional)",
    "sub_add": "Add subscription", "sub_remove": "Unsubscribe", "sub_none": "No subscriptions yet", "sub_next": "next",
    "sub_added": "Subscription added",
}

# Editing a subscription in the dashboard's 订阅 dialog (PATCH).
ZH |= {"sub_edit": "编辑", "sub_editing": "编辑订阅", "sub_role": "角色：", "sub_save": "保存修改", "sub_cancel_edit": "取消编辑",
       "sub_saved": "已保存订阅"}
EN |= {"sub_edit": "Edit", "sub_editing": "Edit subscription", "sub_role": "Role: ", "sub_save": "Save changes", "sub_cancel_edit": "Cancel",
       "sub_saved": "Subscription saved"}

# 加签 before or after oneself: the choice in the decision box, and the adder's task status after 前加签.
ZH |= {"add_position": "加签方式", "add_after": "后加签（在我之后审批）", "add_before": "前加签（先审批，再回到我）",
       "task_added_before": "已前加签", "task_handed_over": "已离职交接"}
EN |= {"add_position": "Position", "add_after": "After me", "add_before": "Before me (then back to me)",
       "task_added_before": "Asked others first", "task_handed_over": "Handed over (left)"}

# The condition picker's dates (static/js/condition_dates.js): 早于 / 晚于 a fixed day or one relative to today.
ZH |= {"cp_before": "早于", "cp_after": "晚于", "cp_on_or_before": "不晚于", "cp_on_or_after": "不早于",
       "cp_date_mode": "日期值", "cp_date_fixed": "指定日期", "cp_days_ago": "N 天前", "cp_days_later": "N 天后"}
EN |= {"cp_before": "before", "cp_after": "after", "cp_on_or_before": "on or before", "cp_on_or_after": "on or after",
       "cp_date_mode": "Date value", "cp_date_fixed": "a date", "cp_days_ago": "N days ago",
       "cp_days_later": "N days from now"}


# The chart builder (builder_ui/chart_builder.py, static/js/chart_builder.js) and the condition picker's
# relative periods.
ZH |= {
    "chart_builder": "图表设计", "cb_new_chart": "新建图表", "cb_edit_chart": "编辑图表", "cb_fields": "字段",
    "cb_form": "数据来源（表单）", "cb_fields_hint": "把字段拖到维度、指标或筛选，或点字段旁的按钮", "cb_config": "图表设置",
    "cb_type": "图表类型", "cb_dimensions": "维度", "cb_measures": "指标", "cb_filter": "筛选", "cb_sort": "排序",
    "cb_add_dimension": "添加为维度", "cb_add_measure": "添加为指标", "cb_add_filter": "添加为筛选条件",
    "cb_add_calculated": "添加计算指标", "cb_records": "记录数", "cb_calculated": "计算指标", "cb_expression": "计算公式",
    "cb_label": "指标名称", "cb_not_dimension": "这个字段不能作为维度",
    "cb_not_measure": "这个字段不能作为指标", "cb_refused": "这个字段不能用作筛选条件（或正在表达式模式中）",
    "cb_empty_preview": "把字段拖到维度和指标，这里会显示图表",
    "cb_saved": "已保存到草稿，发布后在仪表盘中显示", "cb_new_report": "新建仪表盘…", "cb_no_sort": "（无）",
    "cb_sort_by": "排序依据", "cb_desc": "降序", "cb_limit": "只显示前 N 项", "cb_others": "其余合并为“其他”",
    "cb_stack": "堆叠显示第二个维度", "cb_compare": "对比", "cb_compare_previous": "环比（上期）",
    "cb_compare_last_year": "同比（去年同期）", "cb_kpi": "指标卡", "cb_period": "统计周期（日期字段）", "cb_bucket": "周期",
    "cb_bucket_none": "不分组（原值）", "cb_name": "图表名称", "cb_name_hint": "如 各区域本季度成交额",
    "cb_save_to": "保存到仪表盘", "cb_report_name": "新仪表盘名称", "cb_report_key": "新仪表盘标识（英文）",
    "cb_key": "图表标识（英文）", "cb_save": "保存图表", "cb_open_dashboard": "打开仪表盘", "cb_json": "图表定义（JSON）",
    "agg_count_distinct": "去重计数", "bucket_day": "按日", "bucket_week": "按周", "bucket_month": "按月",
    "bucket_quarter": "按季度", "bucket_year": "按年",
    "cp_last_month": "上月", "cp_this_quarter": "本季度", "cp_last_quarter": "上季度", "cp_this_year": "本年",
    "cb_format": "显示格式", "cb_format_auto": "默认格式", "cb_format_number": "数字", "cb_format_percent": "百分比",
    "cb_format_money": "金额（¥）", "cb_format_count": "整数", "cb_stages": "漏斗阶段", "cb_stages_hint": "勾选要显示的阶段，按此顺序（全部勾选：字段的全部选项）", "cb_format_days": "天数", "cb_sort_needs_column": "先把这个字段放到维度或指标，才能按它排序",
    "cb_search": "搜索字段",
}
EN |= {
    "chart_builder": "Chart builder", "cb_new_chart": "New chart", "cb_edit_chart": "Edit chart", "cb_fields": "Fields",
    "cb_form": "Data (form)", "cb_fields_hint": "Drag fields into dimensions, measures or filter, or use the buttons beside them",
    "cb_config": "Chart settings", "cb_type": "Chart type", "cb_dimensions": "Dimensions", "cb_measures": "Measures",
    "cb_filter": "Filter", "cb_sort": "Sort", "cb_add_dimension": "Add as dimension", "cb_add_measure": "Add as measure",
    "cb_add_filter": "Add as filter condition", "cb_add_calculated": "Add calculated measure", "cb_records": "Records",
    "cb_calculated": "Calculated measure", "cb_expression": "Formula", "cb_label": "Measure name",
    "cb_not_dimension": "This field cannot be a dimension",
    "cb_not_measure": "This field cannot be a measure",
    "cb_refused": "This field cannot be a filter condition (or the expression box is open)",
    "cb_empty_preview": "Drag fields into dimensions and measures to see the chart here",
    "cb_saved": "Saved in the draft: publish to show it on the dashboard",
    "cb_new_report": "New dashboard…", "cb_no_sort": "(none)", "cb_sort_by": "Sort by", "cb_desc": "Descending",
    "cb_limit": "Show the top N only", "cb_others": "Sum the rest as \"Others\"", "cb_stack": "Stack the second dimension", "cb_compare": "Compare with",
    "cb_compare_previous": "Previous period (环比)", "cb_compare_last_year": "Same period last year (同比)",
    "cb_kpi": "KPI card", "cb_period": "Period (date field)", "cb_bucket": "Period", "cb_bucket_none": "No buckets (the value)",
    "cb_name": "Chart name", "cb_name_hint": "e.g. Revenue by region this quarter", "cb_save_to": "Save to dashboard",
    "cb_report_name": "New dashboard name", "cb_report_key": "New dashboard key", "cb_key": "Chart key",
    "cb_save": "Save chart", "cb_open_dashboard": "Open the dashboard", "cb_json": "Chart definition (JSON)",
    "agg_count_distinct": "Distinct count", "bucket_day": "By day", "bucket_week": "By week", "bucket_month": "By month",
    "bucket_quarter": "By quarter", "bucket_year": "By year",
    "cp_last_month": "last month", "cp_this_quarter": "this quarter", "cp_last_quarter": "last quarter",
    "cp_this_year": "this year",
    "cb_format": "Format", "cb_format_auto": "Default format", "cb_format_number": "Number", "cb_format_percent": "Percent",
    "cb_format_money": "Money (¥)", "cb_format_count": "Whole number", "cb_stages": "Funnel stages", "cb_stages_hint": "Tick the stages to show, in this order (all ticked: every option of the field)", "cb_format_days": "Days", "cb_sort_needs_column": "Put the field in dimensions or measures first to sort by it",
    "cb_search": "Search fields",
}

# The inbox's pages, the people picker and the messages page (消息).
ZH |= {
    "inbox_total": "共 {n} 条", "pages": "分页",
    "messages": "消息", "all_messages": "全部", "unread_messages": "未读", "no_messages": "没有消息", "unread": "未读",
    "mark_read": "标为已读", "mark_all_read": "全部标为已读", "owners_head": "记录负责人的部门负责人",
}
EN |= {
    "inbox_total": "{n} in all", "pages": "Pages",
    "messages": "Messages", "all_messages": "All", "unread_messages": "Unread", "no_messages": "No messages",
    "unread": "Unread", "mark_read": "Mark read", "mark_all_read": "Mark all read",
    "owners_head": "The record owner's department head",
}

# 发起人自选: the people the submitter picks when submitting (issue 24)
ZH |= {"choose_approvers": "选择审批人", "chosen_by_submitter": "发起人自选"}
EN |= {"choose_approvers": "Choose the people", "chosen_by_submitter": "Chosen by the submitter"}

# The designer's 导出 and the flow list's delete question (issue 24)
ZH |= {"flow_export": "导出流程定义（JSON）", "flow_download": "下载 JSON",
       "flow_export_help": "设计器保存的就是这份定义；应用导出（tangram app export）中的流程与此相同。",
       "confirm_remove_flow": "删除流程“{name}”？", "trial_search": "找一条记录", "trial_search_hint": "按标题搜索"}
EN |= {"flow_export": "Export the flow definition (JSON)", "flow_download": "Download JSON",
       "flow_export_help": "This is the definition the designer saves; the app's export (tangram app export) holds the same flow.",
       "confirm_remove_flow": "Delete the flow “{name}”?", "trial_search": "Find a record",
       "trial_search_hint": "Search by title"}

# Printing and exports from the list (issue 26)
ZH |= {
    "print": "打印", "print_back": "返回", "print_count": "共 {n} 份", "download_pdf": "下载 PDF",
    "print_templates": "打印模板", "print_draft_note": "保存到草稿，发布后生效", "template_key": "模板标识（英文）",
    "template_name": "模板名称", "paper": "纸张", "orientation": "方向", "portrait": "纵向", "landscape": "横向",
    "logo": "公司 Logo", "seal": "公章图片", "print_header": "页眉（每页重复）", "print_body": "正文（HTML）",
    "print_footer": "页脚（每页重复，页码自动加在右下角）", "placeholders": "插入占位符",
    "placeholders_hint": "占位符是表达式：{{ 字段 }}、{{ CNMONEY(amount) }} 大写金额、{{ CNDATE(signed_on) }} 中文日期；"
                         "子表用 {{#each 子表}} … {{/each}}，其中 {{@index}} 是行号",
    "print_save": "保存", "print_delete": "删除", "preview_record": "用哪条记录预览",
    "export": "导出", "export_filtered": "当前筛选的全部", "export_checked": "勾选的行", "export_format": "格式",
    "export_xlsx": "Excel（xlsx）", "export_csv": "CSV（UTF-8）", "export_csv_gbk": "CSV（GBK，旧版 Excel）",
    "export_running": "正在导出：{done} / {total} 行", "export_ready": "导出完成：下载", "export_failed": "导出失败",
    "export_queued": "导出任务已开始，可离开本页，稍后在此处下载",
}
EN |= {
    "print": "Print", "print_back": "Back", "print_count": "{n} document(s)", "download_pdf": "Download PDF",
    "print_templates": "Print templates", "print_draft_note": "saved to the draft; published, users can print it",
    "template_key": "Template key", "template_name": "Template name", "paper": "Paper", "orientation": "Orientation",
    "portrait": "Portrait", "landscape": "Landscape", "logo": "Company logo", "seal": "Seal image",
    "print_header": "Header (every page)", "print_body": "Body (HTML)",
    "print_footer": "Footer (every page; page numbers are added at the bottom right)", "placeholders": "Insert a placeholder",
    "placeholders_hint": "Placeholders are expressions: {{ field }}, {{ CNMONEY(amount) }} for the amount in Chinese "
                         "capitals, {{ CNDATE(signed_on) }}; sub-tables with {{#each table}} … {{/each}}, {{@index}} the row number",
    "print_save": "Save", "print_delete": "Delete", "preview_record": "Preview with record",
    "export": "Export", "export_filtered": "Everything in the current filter", "export_checked": "The ticked rows",
    "export_format": "Format", "export_xlsx": "Excel (xlsx)", "export_csv": "CSV (UTF-8)",
    "export_csv_gbk": "CSV (GBK, older Excel)", "export_running": "Exporting: {done} / {total} rows",
    "export_ready": "Export ready: download", "export_failed": "Export failed",
    "export_queued": "The export runs in the background: you may leave this page and download it here later",
}

# The import wizard (issue 26).
ZH |= {
    "import": "导入", "imp_template": "下载导入模板", "imp_step_upload": "上传", "imp_step_mapping": "映射",
    "imp_step_preview": "预览/试运行", "imp_step_run": "导入", "imp_step_result": "结果",
    "imp_choose_file": "选择文件（xlsx、xls、ods 或 CSV）", "imp_upload": "上传",
    "imp_upload_hint": "CSV 支持 UTF-8、带 BOM 的 UTF-8、GBK 和 GB18030 编码，自动识别。",
    "imp_recent": "最近的导入", "imp_sheet": "工作表", "imp_header_row": "表头所在行",
    "imp_first_rows": "文件前几行", "imp_column": "文件中的列", "imp_field": "对应字段", "imp_ignored": "不导入",
    "imp_how_saved": "沿用上次映射", "imp_how_label": "名称相同", "imp_how_synonym": "同义词", "imp_how_similar": "名称相近",
    "imp_how_none": "未匹配，不导入", "imp_how_chosen": "手动选择", "imp_values": "值映射",
    "imp_value_text": "文件中的值", "imp_value_as": "导入为", "imp_missing": "找不到", "imp_ambiguous": "有多条同名记录",
    "imp_unknown_option": "不是选项", "imp_keep": "保持原样", "imp_mode": "导入方式", "imp_mode_create": "仅新增",
    "imp_mode_upsert": "按业务主键新增或更新", "imp_mode_update": "仅更新已有记录", "imp_key": "业务主键：",
    "imp_skip_bad": "跳过错误行，只导入正确的行（默认：有错误则全部不导入）", "imp_dry_run": "试运行",
    "imp_new": "新增", "imp_updated": "更新", "imp_unchanged": "未变化", "imp_failed": "失败", "imp_rows": "行",
    "imp_row": "行号", "imp_action": "结果", "imp_start": "开始导入", "imp_back": "返回修改映射",
    "imp_errors": "下载错误报告", "imp_progress": "已导入 {done} / {total} 行", "imp_done": "导入完成",
    "imp_run_failed": "导入失败，未导入任何记录", "imp_to_list": "查看列表", "imp_again": "再导入一个文件",
    "imp_action_new": "新增", "imp_action_update": "更新", "imp_action_unchanged": "未变化", "imp_action_failed": "错误",
    "imp_record_id": "记录编号", "imp_must_fix": "有错误行：请修正后重新上传，或勾选“跳过错误行”后再试运行。",
    "imp_queued": "排队中…", "imp_times": "次", "imp_leave_hint": "可以离开本页，稍后从导入页面回来查看进度和结果。",
    "imp_status_uploaded": "已上传", "imp_status_checked": "已试运行", "imp_status_queued": "排队中",
    "imp_status_running": "导入中", "imp_status_done": "已完成", "imp_status_failed": "失败",
}
EN |= {
    "import": "Import", "imp_template": "Download import template", "imp_step_upload": "Upload",
    "imp_step_mapping": "Mapping", "imp_step_preview": "Preview / dry run", "imp_step_run": "Import",
    "imp_step_result": "Result", "imp_choose_file": "Choose a file (xlsx, xls, ods or CSV)", "imp_upload": "Upload",
    "imp_upload_hint": "CSV in UTF-8, UTF-8 with BOM, GBK or GB18030, detected.",
    "imp_recent": "Recent imports", "imp_sheet": "Sheet", "imp_header_row": "Header row",
    "imp_first_rows": "Top rows of the file", "imp_column": "Column in the file", "imp_field": "Field",
    "imp_ignored": "Not imported", "imp_how_saved": "saved mapping", "imp_how_label": "same name",
    "imp_how_synonym": "synonym", "imp_how_similar": "similar name", "imp_how_none": "no match, not imported",
    "imp_how_chosen": "chosen", "imp_values": "Value mapping", "imp_value_text": "Value in the file",
    "imp_value_as": "Import as", "imp_missing": "not found", "imp_ambiguous": "several records have this name",
    "imp_unknown_option": "not an option", "imp_keep": "keep as is", "imp_mode": "Mode", "imp_mode_create": "Create only",
    "imp_mode_upsert": "Create or update by business key", "imp_mode_update": "Update existing records only",
    "imp_key": "Business key:", "imp_skip_bad": "Skip bad rows, import the good ones (default: all or nothing)",
    "imp_dry_run": "Dry run", "imp_new": "new", "imp_updated": "updated", "imp_unchanged": "unchanged",
    "imp_failed": "failed", "imp_rows": "rows", "imp_row": "Row", "imp_action": "Result", "imp_start": "Start import",
    "imp_back": "Back to mapping", "imp_errors": "Download error report", "imp_progress": "{done} of {total} rows imported",
    "imp_done": "Import finished", "imp_run_failed": "Import failed, nothing was imported", "imp_to_list": "View list",
    "imp_again": "Import another file", "imp_action_new": "new", "imp_action_update": "update",
    "imp_action_unchanged": "unchanged", "imp_action_failed": "error", "imp_record_id": "Record ID",
    "imp_must_fix": "Some rows are wrong: fix them and upload again, or tick \"Skip bad rows\" and run the dry run again.",
    "imp_queued": "Queued…", "imp_times": "×", "imp_leave_hint": "You may leave this page and come back to the import later.",
    "imp_status_uploaded": "uploaded", "imp_status_checked": "dry run done", "imp_status_queued": "queued",
    "imp_status_running": "running", "imp_status_done": "done", "imp_status_failed": "failed",
}
# Duplicates and merge (issue 26).
ZH |= {"possible_duplicates": "可能重复", "duplicate_blocked": "与已有记录重复，不能保存",
       "duplicate_hint": "已有相似的记录，保存前请确认不是同一条", "duplicate_hint_blocked": "与已有记录重复，保存时将被拒绝",
       "save_anyway": "仍然保存", "related_companies": "相关公司（分公司）", "duplicate_score": "相似度",
       "merge": "合并", "merge_records": "合并记录", "keep_this": "保留此条", "field": "字段",
       "merge_help": "选择保留的记录，并逐个字段选择保留哪条记录的值；其余记录的联系人、商机、跟进等关联会转到保留的记录上，"
                     "被合并的记录放入回收站，恢复即可撤销合并。"}
EN |= {"possible_duplicates": "Possible duplicates", "duplicate_blocked": "Duplicates a stored record; not saved",
       "duplicate_hint": "Similar records exist: make sure this is not one of them before saving",
       "duplicate_hint_blocked": "Duplicates a stored record: saving it will be refused",
       "save_anyway": "Save anyway", "related_companies": "Related companies (branches)",
       "duplicate_score": "similarity", "merge": "Merge", "merge_records": "Merge records",
       "keep_this": "Keep this one", "field": "Field",
       "merge_help": "Choose the record that stays and, per field, whose value it keeps; the others' contacts, "
                     "opportunities, follow-ups and other references move to it, and they go to the bin "
                     "(restoring one undoes its merge)."}
# 管理 → 组织架构 (issue 27): departments, users, passwords, sessions.
ZH |= {
    "adm_admin": "管理", "adm_org": "组织架构", "adm_departments": "部门", "adm_users": "用户", "adm_head": "部门负责人",
    "adm_inactive": "已停用", "adm_no_departments": "还没有部门", "adm_edit_department": "编辑部门",
    "adm_department_name": "部门名称", "adm_department_key": "部门编码（英文）", "adm_parent": "上级部门", "adm_top_level": "（顶级部门）",
    "adm_active": "启用", "adm_new_department": "新建部门", "adm_search_users": "用户名、姓名、手机或邮箱", "adm_display_name": "姓名",
    "adm_mobile": "手机", "adm_email": "邮箱", "adm_is_admin": "管理员", "adm_deactivated": "已停用", "adm_must_change": "待改密码",
    "adm_no_users": "没有匹配的用户", "adm_new_user": "新建用户", "adm_initial_password": "初始密码",
    "adm_force_change": "下次登录时必须修改密码", "adm_first_is_primary": "按住 Ctrl 可多选；树中靠前的为主部门，可在用户页修改", "adm_profile": "基本信息",
    "adm_primary_department": "主部门", "adm_account": "账号与密码", "adm_reset_password": "重置密码", "adm_set_password": "新密码",
    "adm_blank_random": "留空则随机生成", "adm_new_password": "新密码（只显示这一次）：", "adm_deactivate": "停用",
    "adm_reactivate": "重新启用", "adm_unlock": "解除登录锁定", "adm_sign_out_everywhere": "全部下线", "adm_roles": "各应用中的角色",
    "adm_no_roles": "没有角色", "adm_tokens": "API 令牌", "adm_token_name": "名称", "adm_scope": "权限", "adm_scope_read": "只读",
    "adm_scope_write": "读写", "adm_expires": "到期", "adm_revoked": "已吊销", "adm_revoke": "吊销",
    "adm_no_tokens": "没有 API 令牌", "adm_sessions": "在线会话", "adm_session_kind": "方式", "adm_signed_in_at": "登录时间",
    "adm_kind_session": "浏览器", "adm_kind_login": "API 登录", "adm_no_sessions": "没有在线会话", "adm_recent_logins": "最近登录",
    "adm_time": "时间", "adm_result": "结果", "adm_address": "地址", "adm_login": "登录成功", "adm_login_failed": "密码错误",
    "adm_login_locked": "已锁定", "adm_login_throttled": "尝试过多被拒", "adm_no_logins": "没有登录记录",
    "adm_change_password": "修改密码", "adm_forced_note": "管理员要求你修改密码后才能继续使用。", "adm_current_password": "当前密码",
    "adm_new_password_label": "新密码", "adm_repeat_password": "再次输入新密码", "adm_saved": "已保存", "adm_created": "已创建",
    "adm_confirm_deactivate": "停用后该用户的登录和令牌立即失效，确定停用？", "adm_confirm_sessions": "确定让该用户在所有设备上下线？",
    "adm_ended": "已下线 {n} 个会话", "adm_unlocked": "已解除锁定", "adm_passwords_differ": "两次输入的新密码不一致",
    "adm_confirm_revoke": "确定吊销这个令牌？",
    "adm_drag_help": "拖动部门到另一个部门上即可移到其下；点击部门名称可编辑",
    "adm_drop_top": "拖到这里成为顶级部门", "adm_all_tokens": "全部 API 令牌", "adm_my_account": "我的账号", "adm_new_token": "新建 API 令牌",
    "adm_token_shown_once": "令牌（只显示这一次，请立即复制保存）：", "adm_valid_days": "有效期（天）",
    "adm_no_apps": "你在任何应用中都没有角色", "adm_created_at": "创建时间",
    "adm_sign_out_help": "在所有浏览器和设备上退出登录（包括当前这个）；API 令牌不受影响。",
}
EN |= {
    "adm_admin": "Admin", "adm_org": "Organisation", "adm_departments": "Departments", "adm_users": "Users",
    "adm_head": "Head", "adm_inactive": "inactive", "adm_no_departments": "No departments yet",
    "adm_edit_department": "Edit department", "adm_department_name": "Department name",
    "adm_department_key": "Department key", "adm_parent": "Parent department", "adm_top_level": "(top level)",
    "adm_active": "Active", "adm_new_department": "New department",
    "adm_search_users": "Username, name, mobile or e-mail", "adm_display_name": "Name", "adm_mobile": "Mobile",
    "adm_email": "E-mail", "adm_is_admin": "Administrator", "adm_deactivated": "Deactivated",
    "adm_must_change": "Must change password", "adm_no_users": "No matching users", "adm_new_user": "New user",
    "adm_initial_password": "Initial password", "adm_force_change": "Must change the password at next login",
    "adm_first_is_primary": "Ctrl-click to pick several; the first in the tree is the primary one (change it on the user's page)",
    "adm_profile": "Profile", "adm_primary_department": "Primary department", "adm_account": "Account and password",
    "adm_reset_password": "Reset password", "adm_set_password": "New password",
    "adm_blank_random": "Leave blank for a random one", "adm_new_password": "New password (shown only this once):",
    "adm_deactivate": "Deactivate", "adm_reactivate": "Reactivate", "adm_unlock": "Unlock logins",
    "adm_sign_out_everywhere": "Sign out everywhere", "adm_roles": "Roles per app", "adm_no_roles": "No roles",
    "adm_tokens": "API tokens", "adm_token_name": "Name", "adm_scope": "Rights", "adm_scope_read": "Read",
    "adm_scope_write": "Read and write", "adm_expires": "Expires", "adm_revoked": "Revoked", "adm_revoke": "Revoke",
    "adm_no_tokens": "No API tokens", "adm_sessions": "Active sessions", "adm_session_kind": "Kind",
    "adm_signed_in_at": "Signed in", "adm_kind_session": "Browser", "adm_kind_login": "API login",
    "adm_no_sessions": "No active sessions", "adm_recent_logins": "Recent logins", "adm_time": "Time",
    "adm_result": "Result", "adm_address": "Address", "adm_login": "Signed in", "adm_login_failed": "Wrong password",
    "adm_login_locked": "Locked", "adm_login_throttled": "Refused: too many attempts",
    "adm_no_logins": "No logins yet", "adm_change_password": "Change password",
    "adm_forced_note": "An administrator requires you to change your password before going on.",
    "adm_current_password": "Current password", "adm_new_password_label": "New password",
    "adm_repeat_password": "New password again", "adm_saved": "Saved", "adm_created": "Created",
    "adm_confirm_deactivate": "Their logins and tokens stop working at once. Deactivate?",
    "adm_confirm_sessions": "Sign this user out on every device?", "adm_ended": "{n} sessions ended",
    "adm_unlocked": "Unlocked", "adm_passwords_differ": "The two new passwords differ",
    "adm_confirm_revoke": "Revoke this token?",
    "adm_drag_help": "Drag a department onto another to move it under that one; click a name to edit it",
    "adm_drop_top": "Drop here to make it top-level", "adm_all_tokens": "All API tokens", "adm_my_account": "My account", "adm_new_token": "New API token",
    "adm_token_shown_once": "Token (shown only this once: copy it now):", "adm_valid_days": "Valid for (days)",
    "adm_no_apps": "You hold no role in any app", "adm_created_at": "Created",
    "adm_sign_out_help": "Sign out in every browser and device (this one too); API tokens are not affected.",
}

# 管理 → 审计日志 (issue 27): the audit viewer and the names of its actions.
ZH |= {
    "adm_audit": "审计日志", "adm_login_history": "登录记录", "adm_export_csv": "导出 CSV", "adm_export_xlsx": "导出 Excel",
    "adm_action": "操作", "adm_app": "应用", "adm_form": "表单", "adm_record": "记录 ID", "adm_since": "从",
    "adm_until": "到", "adm_where": "对象", "adm_field": "字段", "adm_before": "修改前", "adm_after": "修改后",
    "adm_no_entries": "没有符合条件的记录",
    "act_login": "登录", "act_login.failed": "登录失败", "act_login.locked": "登录被锁定", "act_login.throttled": "登录被限流",
    "act_record.create": "新建记录", "act_record.update": "修改记录", "act_record.delete": "删除记录",
    "act_record.restore": "恢复记录", "act_user.create": "新建用户", "act_user.update": "修改用户",
    "act_user.unlock": "解除锁定", "act_user.password_reset": "重置密码", "act_user.password_change": "修改密码",
    "act_user.sessions_ended": "全部下线", "act_department.create": "新建部门", "act_department.update": "修改部门",
    "act_role.members": "修改角色成员", "act_token.create": "新建令牌", "act_token.revoke": "吊销令牌",
    "act_audit.export": "导出审计日志",
}
ZH |= {"adm_login_holds": "登录限制", "adm_failures": "失败次数", "adm_locked_until": "锁定至", "adm_every_address": "所有地址（只减速）",
       "adm_not_locked": "未锁定", "adm_no_login_holds": "没有登录失败记录，未被锁定", "adm_head_search": "输入姓名、拼音或手机查找"}
EN |= {"adm_login_holds": "Login throttling", "adm_failures": "Failures", "adm_locked_until": "Locked until",
       "adm_every_address": "Every address (slowed only)", "adm_not_locked": "Not locked",
       "adm_no_login_holds": "No failed logins counted; not locked", "adm_head_search": "Type a name, pinyin or mobile to find"}
ZH |= {  # the rest of the audited actions (tests/builder_ui/test_audit_action_names.py)
    "act_app.draft": "修改草稿", "act_app.draft.discard": "放弃未发布的修改", "act_app.addon_remove": "移除扩展模板",
    "draft_pending_title": "有未发布的修改", "draft_pending_help": "这些修改保存在草稿中，尚未生效：在相应的设计器中发布，或全部放弃（已发布的版本不受影响）。",
    "draft_added": "新增", "draft_updated": "修改", "draft_removed": "删除", "draft_discard": "放弃修改",
    "draft_discard_confirm": "放弃全部未发布的修改？此操作不能撤销。", "act_app.publish": "发布应用", "act_app.import": "导入应用", "act_app.upgrade": "升级应用",
    "act_record.export": "导出记录", "act_record.import": "导入记录", "act_import.start": "开始导入",
    "act_record.share": "共享记录", "act_record.merge": "合并记录", "act_record.unmerge": "撤销合并",
    "act_record.print": "打印记录", "act_job.retry": "重试任务", "act_report.subscription.update": "修改订阅",
    "act_settings.update": "修改系统设置", "act_user.handover": "离职交接", "act_user.import": "导入通讯录",
    "act_view_as.start": "开始查看为", "act_view_as.stop": "退出查看为",
    "act_app.export": "导出应用", "act_app.template_install": "安装模板", "act_app.template_upgrade": "升级模板",
    "act_hook.save": "保存接收接口", "act_hook.remove": "删除接收接口", "act_hook.secret": "轮换接口密钥",
    "act_settings.connector_secret": "修改连接器密钥",
}
EN |= {
    "act_app.draft": "Draft changed", "act_app.draft.discard": "Unpublished changes discarded", "act_app.addon_remove": "Add-on removed",
    "draft_pending_title": "Unpublished changes", "draft_pending_help": "These changes are kept in a draft and not in effect yet: publish them in their designer, or discard them all (the published version is untouched).",
    "draft_added": "Added", "draft_updated": "Changed", "draft_removed": "Removed", "draft_discard": "Discard changes",
    "draft_discard_confirm": "Discard all unpublished changes? This cannot be undone.", "act_app.publish": "App published", "act_app.import": "App imported",
    "act_app.upgrade": "App upgraded", "act_record.export": "Records exported", "act_record.import": "Records imported",
    "act_import.start": "Import started", "act_record.share": "Record shared", "act_record.merge": "Records merged",
    "act_record.unmerge": "Merge undone", "act_record.print": "Records printed", "act_job.retry": "Job retried",
    "act_report.subscription.update": "Subscription changed", "act_settings.update": "Settings changed",
    "act_user.handover": "Handed over", "act_user.import": "Users imported", "act_view_as.start": "View as started",
    "act_view_as.stop": "View as stopped", "act_app.export": "App exported",
    "act_app.template_install": "Template installed", "act_app.template_upgrade": "Template upgraded",
    "act_hook.save": "Inbound hook saved", "act_hook.remove": "Inbound hook removed",
    "act_hook.secret": "Hook secret rotated", "act_settings.connector_secret": "Connector secret changed",
}
EN |= {
    "adm_audit": "Audit log", "adm_login_history": "Login history", "adm_export_csv": "Export CSV",
    "adm_export_xlsx": "Export Excel", "adm_action": "Action", "adm_app": "App", "adm_form": "Form",
    "adm_record": "Record ID", "adm_since": "From", "adm_until": "To", "adm_where": "Object", "adm_field": "Field",
    "adm_before": "Before", "adm_after": "After", "adm_no_entries": "No matching entries",
    "act_login": "Signed in", "act_login.failed": "Login failed", "act_login.locked": "Login locked",
    "act_login.throttled": "Login throttled", "act_record.create": "Record created", "act_record.update": "Record changed",
    "act_record.delete": "Record deleted", "act_record.restore": "Record restored", "act_user.create": "User created",
    "act_user.update": "User changed", "act_user.unlock": "User unlocked", "act_user.password_reset": "Password reset",
    "act_user.password_change": "Password changed", "act_user.sessions_ended": "Signed out everywhere",
    "act_department.create": "Department created", "act_department.update": "Department changed",
    "act_role.members": "Role members changed", "act_token.create": "Token created", "act_token.revoke": "Token revoked",
    "act_audit.export": "Audit log exported",
}

# 可能重复 in the import wizard's dry run (runtime/io/import_duplicates.py; issue 26).
ZH |= {"imp_duplicates": "可能重复", "imp_dup_row": "第 {row} 行", "imp_dup_unseen": "已有记录（你无权查看）",
       "imp_skip_duplicates": "跳过可能重复的行（默认：仍导入并标出；“禁止重复”规则命中的行总是不导入）"}
EN |= {"imp_duplicates": "Possible duplicates", "imp_dup_row": "row {row}", "imp_dup_unseen": "a stored record you may not open",
       "imp_skip_duplicates": "Skip likely duplicates (default: import them, flagged; rows a blocking rule matches are "
                              "never imported)"}

# 回收站: a form's deleted records (builder_ui/recycle_bin.py, static/js/recycle_bin.js; issue 26).
ZH |= {"bin_title": "回收站", "bin_help": "已删除的记录，最近删除的在前；恢复后回到列表。被合并的记录恢复即撤销合并。",
       "bin_deleted_by": "删除人", "bin_deleted_at": "删除时间", "bin_note": "说明", "bin_merged_into": "已合并到",
       "bin_restore": "恢复", "bin_undo_merge": "撤销合并", "bin_restore_selected": "恢复所选",
       "bin_empty": "回收站是空的"}
EN |= {"bin_title": "Recycle bin", "bin_help": "Deleted records, most recently deleted first; restoring one puts it "
                                          "back in the list. Restoring a merged record undoes its merge.",
       "bin_deleted_by": "Deleted by", "bin_deleted_at": "Deleted at", "bin_note": "Note",
       "bin_merged_into": "Merged into", "bin_restore": "Restore", "bin_undo_merge": "Undo merge",
       "bin_restore_selected": "Restore selected", "bin_empty": "The bin is empty"}

# The system fields' names come from their one definition (engine/forms/system_fields.py).
# 角色与权限 and 离职交接 (builder_ui/roles.py, static/js/roles.js, static/js/handover.js; issue 27).
ZH |= {
    "rl_title": "角色与权限", "rl_draft_note": "修改保存在草稿中，发布后生效", "rl_roles": "角色", "rl_unpublished": "未发布",
    "rl_no_roles": "还没有角色", "rl_name": "角色名称", "rl_key": "角色标识（英文）", "rl_new": "新建角色",
    "rl_confirm_delete": "确定删除这个角色？发布后其成员将失去它", "rl_default_access": "新增字段的默认权限",
    "rl_op_create": "新建", "rl_op_read": "查看", "rl_op_update": "修改", "rl_op_delete": "删除", "rl_op_export": "导出",
    "rl_op_import": "导入", "rl_op_manage": "管理", "rl_scope_none": "无", "rl_scope_own": "本人",
    "rl_scope_department": "本部门", "rl_scope_department_tree": "本部门及下级", "rl_scope_all": "全部",
    "rl_other_forms": "其他表单（*）", "rl_fields_and_conditions": "字段权限与条件", "rl_condition": "条件",
    "rl_form_default": "本表单新增字段的默认权限", "rl_inherit": "同角色默认", "rl_access": "字段权限",
    "rl_default": "默认", "rl_access_edit": "可编辑", "rl_access_read": "只读", "rl_access_masked": "脱敏",
    "rl_access_hidden": "隐藏", "rl_members": "成员", "rl_member_users": "成员（用户）", "rl_member_departments": "成员（整个部门）",
    "rl_members_hint": "部门成员在检查权限时确定：之后加入该部门的人也会拥有这个角色", "rl_save_members": "保存成员",
    "rl_with_sub": "含下级部门", "rl_with_sub_hint": "勾选后，选中部门的所有下级部门（包括之后移入的）的成员也拥有该角色",
    "rl_members_after_publish": "新角色发布后才能设置成员", "rl_explain": "权限来源（为什么能看到）",
    "rl_explain_run": "查看权限来源", "rl_direct": "直接成员", "rl_through": "通过部门", "rl_no_role": "没有角色",
    "rl_is_admin": "管理员：拥有全部权限", "rl_granted_by": "来自", "rl_saved": "已保存到草稿", "rl_settings": "角色与权限", "rl_copy_prompt": "副本的角色标识（英文）",
    "ho_title": "离职交接", "ho_hint": "把离职人员的记录（负责人）、待处理的审批任务和发起的进行中流程一次交给另一位同事",
    "ho_from": "离职人员", "ho_to": "交接给", "ho_preview": "预览", "ho_run": "交接", "ho_inactive": "已停用",
    "ho_what": "内容", "ho_count": "数量", "ho_records": "记录", "ho_tasks": "待处理任务", "ho_flows": "进行中的流程",
    "ho_nothing": "没有需要交接的内容", "ho_preview_of": "将交接", "ho_done": "已交接给", "ho_confirm": "确定交接？此操作会记入审计日志",
    "va_banner": "查看为：正在以 {user} 的身份查看（只读，不能修改任何数据）", "va_stop": "退出查看", "va_start": "查看为此用户",
    "va_read_only": "查看为模式下只读",
}
EN |= {
    "rl_title": "Roles and permissions", "rl_draft_note": "changes are kept in the draft until published",
    "rl_roles": "Roles", "rl_unpublished": "unpublished", "rl_no_roles": "No roles yet", "rl_name": "Role name",
    "rl_key": "Role key", "rl_new": "New role",
    "rl_confirm_delete": "Delete this role? Its members lose it when you publish", "rl_default_access": "Default for new fields",
    "rl_op_create": "Create", "rl_op_read": "Read", "rl_op_update": "Update", "rl_op_delete": "Delete", "rl_op_export": "Export",
    "rl_op_import": "Import", "rl_op_manage": "Manage", "rl_scope_none": "None", "rl_scope_own": "Own",
    "rl_scope_department": "Department", "rl_scope_department_tree": "Department and below", "rl_scope_all": "All",
    "rl_other_forms": "Other forms (*)", "rl_fields_and_conditions": "fields and conditions", "rl_condition": "condition",
    "rl_form_default": "Default for this form's new fields", "rl_inherit": "The role's default", "rl_access": "Access",
    "rl_default": "Default", "rl_access_edit": "Editable", "rl_access_read": "Read-only", "rl_access_masked": "Masked",
    "rl_access_hidden": "Hidden", "rl_members": "Members", "rl_member_users": "Members (users)",
    "rl_member_departments": "Members (whole departments)", "rl_with_sub": "with sub-departments",
    "rl_with_sub_hint": "Ticked: members of every department below the chosen one (moved there later too) hold the role",
    "rl_members_hint": "A department's members are read when rights are checked: someone who joins later holds the role too",
    "rl_save_members": "Save members", "rl_members_after_publish": "Publish the new role to give it members",
    "rl_explain": "Where rights come from", "rl_explain_run": "Explain", "rl_direct": "member",
    "rl_through": "through department", "rl_no_role": "No role", "rl_is_admin": "Administrator: every right",
    "rl_granted_by": "from", "rl_saved": "Saved in the draft", "rl_settings": "Roles and permissions", "rl_copy_prompt": "Key of the copy",
    "ho_title": "Handover", "ho_hint": "Give a leaving user's records (owner), open approval tasks and running flows they started to a colleague in one action",
    "ho_from": "Leaving user", "ho_to": "Hand over to", "ho_preview": "Preview", "ho_run": "Hand over", "ho_inactive": "deactivated",
    "ho_what": "What", "ho_count": "Count", "ho_records": "Records", "ho_tasks": "Open tasks", "ho_flows": "Running flows",
    "ho_nothing": "nothing to hand over", "ho_preview_of": "To hand over from", "ho_done": "Handed over to",
    "ho_confirm": "Hand over? This is written to the audit log",
    "va_banner": "Viewing as {user} (read-only: nothing can be changed)", "va_stop": "Stop viewing",
    "va_start": "View as this user", "va_read_only": "Read-only while viewing as another user",
}


# 系统设置 (issue 27)
ZH |= {
    "st_title": "系统设置", "st_hint": "这里的设置保存在数据库中，优先于环境变量（TANGRAM_*）；密码类设置只能写入，不会显示",
    "st_unsealed": "服务器未配置加密密钥：这里保存的密码和密钥以明文存入数据库。配置 TANGRAM_ENCRYPTION_KEY 后运行 "
    "tangram crypto rotate-key 即可全部加密（见 docs/security.md）",
    "st_section_email": "邮件", "st_section_working_time": "时区与工作时间", "st_section_holidays": "节假日",
    "st_section_brand": "品牌", "st_section_login": "密码与登录", "st_save": "保存", "st_saved": "已保存",
    "st_from_env": "来自环境变量", "st_secret_set": "已设置（留空则不变）", "st_secret_unset": "未设置",
    "st_clear_secret": "清除", "st_smtp_host": "SMTP 服务器", "st_smtp_port": "端口", "st_smtp_user": "用户名",
    "st_smtp_password": "密码", "st_smtp_from": "发件人", "st_smtp_starttls": "使用 STARTTLS",
    "st_email_domain": "邮箱域名（没有邮箱的用户发到 用户名@域名）", "st_work_hours": "工作时间",
    "st_work_hours_hint": "按工作时间计算的审批时限（SLA）只计这段时间",
    "st_timezone": "时区", "st_holidays": "法定节假日（每行一个日期）", "st_workdays": "调休上班日（每行一个日期）",
    "st_import": "导入一年的安排", "st_import_hint": "粘贴一年的放假安排，每行一个日期（如 2026-10-01 休、2026-10-10 班）；含“班”的行为调休上班日，其余为节假日。导入会替换该年份已有的日期",
    "st_import_run": "导入", "st_imported": "已导入 {holidays} 个节假日、{workdays} 个调休上班日（{year} 年），保存后生效",
    "st_import_none": "没有找到日期", "st_brand_name": "系统名称（显示在顶栏）", "st_password_min_length": "密码最少位数",
    "st_test_to": "测试收件地址", "st_test_email": "发送测试邮件", "st_test_sent": "测试邮件已发送",
    "st_test_failed": "发送失败：", "st_section_robots": "钉钉 / 企业微信 机器人",
    "st_robots_hint": "流程的钉钉、企业微信通知没有填写 Webhook 时，发到这里设置的群机器人",
    "st_dingtalk_webhook": "钉钉机器人 Webhook", "st_dingtalk_secret": "钉钉加签密钥",
    "st_wecom_webhook": "企业微信机器人 Webhook", "st_test_dingtalk": "发送测试消息（钉钉）",
    "st_test_wecom": "发送测试消息（企业微信）", "st_robot_sent": "测试消息已发送",
    "st_login_free_failures": "登录失败几次后开始限速（同一用户名与地址）",
    "st_login_lock_after": "登录失败几次后锁定（同一用户名与地址；同一地址为 5 倍）", "st_login_lock_minutes": "锁定分钟数",
    "st_brand_logo": "标志（PNG、JPEG、GIF 或 WebP，不超过 256 KB，显示在顶栏）", "st_remove_logo": "移除标志",
}
EN |= {
    "st_title": "System settings", "st_hint": "These settings are stored in the database and take precedence over "
    "the environment (TANGRAM_*); passwords can be written but are never shown",
    "st_unsealed": "No encryption key is configured: passwords and secrets saved here are stored in the database "
    "as plain text. Configure TANGRAM_ENCRYPTION_KEY and run tangram crypto rotate-key to encrypt them all "
    "(docs/security.md)",
    "st_section_email": "E-mail", "st_section_working_time": "Time zone and working hours",
    "st_section_holidays": "Holidays", "st_section_brand": "Branding", "st_section_login": "Passwords and login",
    "st_save": "Save", "st_saved": "Saved", "st_from_env": "from the environment",
    "st_secret_set": "set (leave empty to keep)", "st_secret_unset": "not set", "st_clear_secret": "Clear",
    "st_smtp_host": "SMTP server", "st_smtp_port": "Port", "st_smtp_user": "User name", "st_smtp_password": "Password",
    "st_smtp_from": "From", "st_smtp_starttls": "Use STARTTLS",
    "st_email_domain": "E-mail domain (users without an address get username@domain)", "st_work_hours": "Working hours",
    "st_work_hours_hint": "Working-time SLAs count only these hours",
    "st_timezone": "Time zone", "st_holidays": "Public holidays (one date a line)",
    "st_workdays": "Adjusted working days (one date a line)", "st_import": "Import a year's schedule",
    "st_import_hint": "Paste a year's schedule, one date a line (2026-10-01 休, 2026-10-10 班); lines with 班 are "
    "working days, the others holidays. The import replaces that year's dates",
    "st_import_run": "Import", "st_imported": "Imported {holidays} holidays and {workdays} working days ({year}); save to apply",
    "st_import_none": "No dates found", "st_brand_name": "Name (in the top bar)",
    "st_password_min_length": "Minimum password length", "st_test_to": "Test recipient",
    "st_test_email": "Send a test e-mail", "st_test_sent": "Test e-mail sent", "st_test_failed": "Sending failed: ",
    "st_section_robots": "DingTalk / WeCom robots",
    "st_robots_hint": "Flow messages to DingTalk or WeCom that name no webhook go to these group robots",
    "st_dingtalk_webhook": "DingTalk robot webhook", "st_dingtalk_secret": "DingTalk signing secret",
    "st_wecom_webhook": "WeCom robot webhook", "st_test_dingtalk": "Send a test message (DingTalk)",
    "st_test_wecom": "Send a test message (WeCom)", "st_robot_sent": "Test message sent",
    "st_login_free_failures": "Failed logins before waiting starts (per name and address)",
    "st_login_lock_after": "Failed logins that lock (per name and address; an address: 5×)",
    "st_login_lock_minutes": "Lock minutes",
    "st_brand_logo": "Logo (PNG, JPEG, GIF or WebP, at most 256 KB, in the top bar)", "st_remove_logo": "Remove the logo",
}


# The chart builder's type-specific slots: a pivot's 行 / 列 / 值, a table's 小计 / 合计, a funnel's steps.
ZH |= {"cb_rows": "行", "cb_columns": "列", "cb_values": "值", "cb_pivot_rows_first": "请先放入行维度",
       "cb_swap": "行列互换", "cb_subtotals": "显示小计（按第一个维度）", "cb_totals": "显示合计", "subtotal": "小计",
       "cb_steps": "漏斗步骤", "cb_steps_hint": "每个步骤一个名称和一个条件，从上到下依次计算转化率",
       "cb_add_step": "添加步骤", "cb_step": "步骤", "cb_step_label": "步骤名称", "cb_step_condition": "步骤条件",
       "cb_step_drag": "拖动调整步骤顺序"}
EN |= {"cb_rows": "Rows", "cb_columns": "Columns", "cb_values": "Values", "cb_pivot_rows_first": "Drop a row field first",
       "cb_swap": "Swap rows and columns", "cb_subtotals": "Subtotals (by the first dimension)", "cb_totals": "Grand total",
       "subtotal": "Subtotal", "cb_steps": "Funnel steps",
       "cb_steps_hint": "Each step is a name and a condition; conversion runs from top to bottom",
       "cb_add_step": "Add a step", "cb_step": "Step", "cb_step_label": "Step name", "cb_step_condition": "Step condition",
       "cb_step_drag": "Drag to reorder the steps"}
# admin-bulk (issue 27): bulk import of users, the time zone and the DingTalk / WeCom apps in 系统设置
ZH |= {
    "st_timezone_hint": "时区为 IANA 名称（如 Asia/Shanghai），保存后立即生效：日期、报表按日分组、定时流程与审批时限都按它计算",
    "ui_import": "导入", "ui_help": "从 Excel 或 CSV 批量导入用户和部门：先预览，确认无误后一次性导入（有一行出错则都不导入）。",
    "ui_template": "下载导入模板", "ui_file": "选择文件（xlsx、xls、ods、CSV）",
    "ui_create_departments": "创建文件中缺少的部门", "ui_preview": "预览", "ui_run": "开始导入",
    "ui_row": "行号", "ui_status": "结果", "ui_problems": "问题", "ui_status_new": "新增",
    "ui_status_updated": "更新", "ui_status_unchanged": "不变", "ui_status_failed": "失败",
    "ui_counts": "新增 {new} 人，更新 {updated} 人，不变 {unchanged} 人，失败 {failed} 行，新建部门 {new_departments} 个",
    "ui_done": "已导入：新增 {new} 人，更新 {updated} 人，新建部门 {new_departments} 个",
    "ui_fix_first": "有失败的行：请修改文件后重新预览", "ui_password": "初始密码",
    "ui_passwords_hint": "初始密码只显示这一次，请下载或抄送给本人；首次登录时必须修改密码。",
    "ui_download_passwords": "下载初始密码（CSV）",
    "st_section_apps": "钉钉 / 企业微信 应用", "st_dingtalk_api_base": "钉钉开放平台接口地址",
    "st_dingtalk_app_key": "钉钉 AppKey", "st_dingtalk_app_secret": "钉钉 AppSecret",
    "st_wecom_api_base": "企业微信接口地址", "st_wecom_corp_id": "企业微信 CorpId", "st_wecom_agent_id": "企业微信 AgentId",
    "st_wecom_secret": "企业微信应用 Secret", "st_test_app_dingtalk": "测试连接（钉钉）",
    "st_test_app_wecom": "测试连接（企业微信）", "st_app_ok": "连接成功：已取得访问令牌",
    "st_apps_hint": "企业内部应用的凭据（密钥只写不读）。接口地址由管理员填写钉钉或企业微信开放平台的地址；"
                    "测试连接会用这些凭据获取一次访问令牌。通讯录同步和工作通知将使用这些凭据。",
}
EN |= {
    "st_timezone_hint": "An IANA zone name (such as Asia/Shanghai), effective once saved: dates, reports by day, "
                        "scheduled flows and SLAs use it",
    "ui_import": "Import", "ui_help": "Import users and departments from Excel or CSV: preview first, then import "
                 "all at once (if one row fails, nothing is imported).",
    "ui_template": "Download the template", "ui_file": "File (xlsx, xls, ods, CSV)",
    "ui_create_departments": "Create departments the file names that do not exist", "ui_preview": "Preview",
    "ui_run": "Import", "ui_row": "Row", "ui_status": "Result", "ui_problems": "Problems", "ui_status_new": "New",
    "ui_status_updated": "Updated", "ui_status_unchanged": "Unchanged", "ui_status_failed": "Failed",
    "ui_counts": "{new} new, {updated} updated, {unchanged} unchanged, {failed} failed rows, "
                 "{new_departments} new departments",
    "ui_done": "Imported: {new} new, {updated} updated, {new_departments} new departments",
    "ui_fix_first": "Some rows failed: fix the file and preview again", "ui_password": "Initial password",
    "ui_passwords_hint": "Initial passwords are shown this once: download them or pass them on; each user must "
                         "change theirs at first login.",
    "ui_download_passwords": "Download the initial passwords (CSV)",
    "st_section_apps": "DingTalk / WeCom apps", "st_dingtalk_api_base": "DingTalk open API address",
    "st_dingtalk_app_key": "DingTalk AppKey", "st_dingtalk_app_secret": "DingTalk AppSecret",
    "st_wecom_api_base": "WeCom API address", "st_wecom_corp_id": "WeCom CorpId", "st_wecom_agent_id": "WeCom AgentId",
    "st_wecom_secret": "WeCom app Secret", "st_test_app_dingtalk": "Test the connection (DingTalk)",
    "st_test_app_wecom": "Test the connection (WeCom)", "st_app_ok": "Connected: an access token was issued",
    "st_apps_hint": "The credentials of your internal apps (secrets are write-only). Enter the DingTalk or WeCom "
                    "open API address; the test asks it for an access token once. The address-book sync and work "
                    "notices will use these credentials.",
}


ZH |= {key: f.label for key, f in SYSTEM_FIELDS.items()}
EN |= {key: f.label_en for key, f in SYSTEM_FIELDS.items()}

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

# Exports expire (issue 26, print-export): the list page shows an expired export as such.
ZH |= {"export_expired": "上次导出的文件已过期，请重新导出", "export_expires": "保留至 {at}"}
EN |= {"export_expired": "The last export's file has expired: export again", "export_expires": "kept until {at}"}
# 查重: groups of a form's likely duplicates (builder_ui/duplicate_groups.py; issue 26).
ZH |= {"dup_title": "查重", "dup_help": "按表单的查重规则，互相可能重复的记录分为一组，记录最多的组在前；合并一组即进入合并页面。",
       "dup_total": "共 {n} 组可能重复的记录", "dup_group": "{n} 条记录", "dup_merge": "合并", "dup_none": "没有发现可能重复的记录",
       "dup_prev": "上一页"}
ZH |= {"dup_generated": "生成于 {at}", "dup_never": "尚未查重：开始查重后在后台找出可能重复的记录，可以离开此页，稍后回来查看。",
       "dup_failed": "上次查重没有完成，请重新查重", "dup_rescan": "重新查重", "dup_start": "开始查重",
       "dup_running": "正在查重… {p}%"}
EN |= {"dup_title": "Duplicates", "dup_help": "Records that likely duplicate each other by the form's duplicate rules, "
                                           "grouped, the largest group first; merge a group on the merge page.",
       "dup_total": "{n} group(s) of likely duplicates", "dup_group": "{n} records", "dup_merge": "Merge",
       "dup_none": "No likely duplicates found", "dup_prev": "Previous page"}
EN |= {"dup_generated": "Generated {at}", "dup_never": "Not checked yet: start the check to find likely duplicates "
       "in the background; you may leave this page and come back.",
       "dup_failed": "The last check did not finish: check again", "dup_rescan": "Check again", "dup_start": "Start the check",
       "dup_running": "Checking… {p}%"}
ZH |= {"merged_from_note": "来自合并的记录 #{id}"}
EN |= {"merged_from_note": "from the merged record #{id}"}
ZH |= {"api_docs": "接口文档"}
EN |= {"api_docs": "API docs"}
# A list's total (issue 28): exact up to 10,000 records, an estimate marked 约 beyond, exact on request.
ZH |= {"records_total": "共 {n} 条", "records_about": "约 {n} 条", "exact_count": "精确计数",
       "exact_count_help": "逐条清点全部符合条件的记录（记录很多时需要几秒）", "counting": "正在计数…"}
EN |= {"records_total": "{n} records", "records_about": "about {n} records", "exact_count": "Exact count",
       "exact_count_help": "Count every matching record (takes seconds when there are many)", "counting": "Counting…"}
ZH |= {"st_section_retention": "文件保留", "st_export_retention_hours": "导出文件保留小时数（之后删除，显示已过期）",
       "st_import_retention_hours": "导入上传文件保留小时数（导入停止变动之后；之后需重新上传）",
       "st_retention_hint": "后台任务每分钟清理一次；最多 8784 小时（一年）。"}
EN |= {"st_section_retention": "File retention",
       "st_export_retention_hours": "Hours an export's file is kept (then deleted, shown as expired)",
       "st_import_retention_hours": "Hours an import's upload is kept after the import last changed (then upload again)",
       "st_retention_hint": "The job worker cleans up every minute; at most 8784 hours (a year)."}
ZH |= {"imp_expired_title": "已过期", "imp_expired_text": "这次导入上传的文件「{file}」已超过保留时间，已被自动删除，"
       "不能再映射、试运行或开始导入。请重新上传文件（映射会沿用本表单上次保存的设置）。",
       "imp_reupload": "重新上传", "imp_status_expired": "已过期"}
EN |= {"imp_expired_title": "Expired", "imp_expired_text": "The file uploaded for this import, “{file}”, was kept past "
       "its retention and has been deleted: it can no longer be mapped, dry-run or started. Upload the file again "
       "(the mapping last saved for this form is reused).",
       "imp_reupload": "Upload again", "imp_status_expired": "expired"}

# 接收接口: an app's inbound hooks (issue 29)
ZH |= {
    "hk_title": "接收接口", "hk_hint": "其他系统（ERP、官网表单）向本应用推送数据的地址。密钥只在创建或轮换时显示一次。",
    "hk_list": "接口", "hk_none": "还没有接收接口。", "hk_name": "名称", "hk_key": "标识", "hk_form": "写入表单",
    "hk_auth": "认证方式", "hk_auth_hmac": "HMAC 签名", "hk_auth_bearer": "Bearer 令牌", "hk_mode": "写入方式",
    "hk_mode_create": "新建记录", "hk_mode_upsert": "按关键字段更新或新建", "hk_mode_flow": "新建并发起流程",
    "hk_url": "接口地址", "hk_secret": "密钥", "hk_secret_set": "已设置于", "hk_secret_unset": "未设置",
    "hk_edit": "编辑", "hk_rotate": "轮换密钥", "hk_secret_once": "新密钥（只显示这一次，请立即复制保存）：",
    "hk_confirm_rotate": "轮换后旧密钥立即失效，确定吗？", "hk_editor": "新建或编辑接口", "hk_upsert_key": "关键字段（逗号分隔）",
    "hk_flow": "发起的流程", "hk_mapping": "字段映射", "hk_mapping_hint": "每行：表单字段 ← 表达式，用 payload 读取推送的 JSON，如 payload.order.customer_name。",
    "hk_field": "字段", "hk_expression": "表达式", "hk_check": "检查", "hk_add_row": "添加映射", "hk_remove_row": "删除",
    "hk_lookup": "关联记录", "hk_lookup_id": "值为记录 ID", "hk_lookup_by": "按字段查找", "hk_lookup_create": "找不到时新建",
    "hk_save": "保存接口", "hk_saved": "已保存", "hk_expr_ok": "✓ 表达式正确", "hk_deliveries": "推送记录",
    "hk_all": "全部", "hk_status": "状态", "hk_ok": "成功", "hk_failed": "失败", "hk_delivery_id": "推送 ID",
    "hk_filter": "筛选", "hk_at": "时间", "hk_record": "记录", "hk_error": "错误", "hk_payload": "内容",
    "hk_cut": "已截断", "hk_no_deliveries": "还没有推送记录。", "hk_outcome_created": "新建", "hk_outcome_updated": "更新",
    "hk_outcome_unchanged": "无变化", "hk_outcome_flow": "已发起流程", "hk_outcome_invalid": "数据不符",
    "hk_outcome_refused": "已拒绝", "hk_outcome_failed": "失败",
}
EN |= {
    "hk_title": "Inbound hooks", "hk_hint": "Where other systems (an ERP, a web form) push data into this app. A secret "
    "is shown once, when it is made or rotated.",
    "hk_list": "Hooks", "hk_none": "No inbound hooks yet.", "hk_name": "Name", "hk_key": "Key", "hk_form": "Form",
    "hk_auth": "Authentication", "hk_auth_hmac": "HMAC signature", "hk_auth_bearer": "Bearer token", "hk_mode": "Mode",
    "hk_mode_create": "Create a record", "hk_mode_upsert": "Update by key, or create", "hk_mode_flow": "Create and start a flow",
    "hk_url": "URL", "hk_secret": "Secret", "hk_secret_set": "set", "hk_secret_unset": "not set",
    "hk_edit": "Edit", "hk_rotate": "Rotate secret", "hk_secret_once": "New secret (shown only this once; copy it now):",
    "hk_confirm_rotate": "The old secret stops working at once. Rotate?", "hk_editor": "New or edit hook",
    "hk_upsert_key": "Key fields (comma separated)", "hk_flow": "Flow to start", "hk_mapping": "Field mapping",
    "hk_mapping_hint": "Each row: form field ← an expression reading the posted JSON as payload, e.g. "
    "payload.order.customer_name.",
    "hk_field": "Field", "hk_expression": "Expression", "hk_check": "Check", "hk_add_row": "Add mapping",
    "hk_lookup": "Related record", "hk_lookup_id": "the value is its id", "hk_lookup_by": "Look up by field",
    "hk_lookup_create": "Create when none",
    "hk_remove_row": "Remove", "hk_save": "Save hook", "hk_saved": "Saved", "hk_expr_ok": "✓ expression OK",
    "hk_deliveries": "Deliveries", "hk_all": "All", "hk_status": "Status", "hk_ok": "Succeeded", "hk_failed": "Failed",
    "hk_delivery_id": "Delivery id", "hk_filter": "Filter", "hk_at": "Time", "hk_record": "Record", "hk_error": "Error",
    "hk_payload": "Payload", "hk_cut": "cut", "hk_no_deliveries": "No deliveries yet.", "hk_outcome_created": "created",
    "hk_outcome_updated": "updated", "hk_outcome_unchanged": "unchanged", "hk_outcome_flow": "flow started",
    "hk_outcome_invalid": "invalid", "hk_outcome_refused": "refused", "hk_outcome_failed": "failed",
}


# 系统设置 → 连接器密钥: the credentials flows' HTTP 请求 steps name ({{$secret.NAME}}), write-only.
ZH |= {"cs_title": "连接器密钥", "cs_hint": "流程的 HTTP 请求步骤用 {{$secret.名称}} 引用这里的密钥（如 ERP 的账号、密码、AppSecret、服务器地址）；只能写入，不会显示",
       "cs_name": "密钥名称", "cs_value": "密钥值", "cs_save": "保存密钥", "cs_saved": "已保存密钥 {name}",
       "cs_none": "还没有连接器密钥", "cs_delete": "删除", "cs_deleted": "已删除密钥 {name}", "cs_set_by": "{by} 于 {at} 设置"}
EN |= {"cs_title": "Connector secrets", "cs_hint": "Flows' HTTP steps name these with {{$secret.name}} (an ERP's account, "
       "password, AppSecret, server address); write-only, never shown", "cs_name": "Secret name", "cs_value": "Secret value",
       "cs_save": "Save the secret", "cs_saved": "Secret {name} saved", "cs_none": "No connector secrets yet",
       "cs_delete": "Delete", "cs_deleted": "Secret {name} deleted", "cs_set_by": "set by {by} at {at}"}


# 模板库 on the home page (issue 29): the bundled templates, 进销存 and 项目管理 installed into the CRM.
ZH |= {"template_gallery": "模板库", "template_install": "安装", "template_installed": "已安装",
       "template_with_demo": "同时加载示例数据", "template_into": "安装到应用", "template_needs_app": "请先安装它所属的应用"}
EN |= {"template_gallery": "Templates", "template_install": "Install", "template_installed": "Installed",
       "template_with_demo": "Load demo data too", "template_into": "Installs into app",
       "template_needs_app": "Install its app first"}


ZH |= {"up_title": "升级模板", "up_installed_from": "安装自模板 {template} {label}",
       "up_help": "上传模板的新版本：先预览新增的内容、保留的本地修改和冲突；每处冲突选择保留本地或采用模板后再应用。"
                  "应用时与发布一样检查已有数据。",
       "up_file": "新版本模板文件（JSON）", "up_preview": "预览", "up_added": "模板新增", "up_updated": "模板更新（本地未改）",
       "up_removed": "模板删除（本地未改）", "up_kept": "保留的本地修改", "up_conflicts": "冲突",
       "up_path": "位置", "up_base": "原模板", "up_ours": "本地", "up_theirs": "新模板", "up_choice": "选择",
       "up_apply": "应用升级", "up_export": "导出应用", "up_export_definition": "导出定义（表单、流程、仪表盘、角色、打印模板）",
       "up_export_records": "导出定义和全部记录", "up_copy": "导入为副本", "up_copy_file": "应用导出文件（JSON）",
       "up_copy_key": "新应用的标识（英文）", "up_copy_go": "导入",
       "up_addons": "已安装的扩展模板", "up_addons_help": "扩展模板（如进销存、项目管理）安装在本应用中。上传它的新版本即可像应用模板一样升级（保留本地修改）；移除时取出它的表单、流程、仪表盘、字段和角色。",
       "up_addon": "扩展模板", "up_addon_parts": "内容", "up_addon_counts": "{forms} 个表单 · {fields} 个扩展字段 · {flows} 个流程 · {reports} 个仪表盘",
       "up_addon_remove": "移除", "up_addon_removes": "将从应用中取出：", "up_addon_remove_title": "移除扩展模板 {name}",
       "up_addon_records": "这些表单中有 {count} 条记录：记录会保留，但在重新安装此模板之前不可见。"}
EN |= {"up_title": "Upgrade template", "up_installed_from": "installed from template {template} {label}",
       "up_help": "Upload a new version of the template: preview what it adds, the local changes kept and the "
                  "conflicts; choose local or template for each conflict, then apply. Stored data is checked as "
                  "for any publish.",
       "up_file": "New template version (JSON)", "up_preview": "Preview", "up_added": "Added by the template",
       "up_updated": "Updated by the template (unchanged here)", "up_removed": "Removed by the template (unchanged here)",
       "up_kept": "Local changes kept", "up_conflicts": "Conflicts", "up_path": "Where", "up_base": "Old template",
       "up_ours": "Local", "up_theirs": "New template", "up_choice": "Choice", "up_apply": "Apply upgrade",
       "up_export": "Export the app", "up_export_definition": "Export the definition (forms, flows, dashboards, roles, print templates)",
       "up_export_records": "Export the definition and every record", "up_copy": "Import as a copy",
       "up_copy_file": "App export file (JSON)", "up_copy_key": "Key of the new app", "up_copy_go": "Import",
       "up_addons": "Installed add-ons", "up_addons_help": "Add-on templates (such as Inventory and Projects) are installed into this app. Upload a new version of one to upgrade it like the app's template (local changes kept); removing one takes out its forms, flows, dashboards, fields and roles.",
       "up_addon": "Add-on", "up_addon_parts": "Contents", "up_addon_counts": "{forms} forms · {fields} added fields · {flows} flows · {reports} dashboards",
       "up_addon_remove": "Remove", "up_addon_removes": "This takes out of the app:", "up_addon_remove_title": "Remove add-on {name}",
       "up_addon_records": "These forms hold {count} record(s): they are kept, but not visible until this add-on is installed again."}
# 系统设置 → 出站请求: what the outbound policy opens anyway (runtime/jobs/outbound.py, docs/security.md)
ZH |= {"st_section_outbound": "出站请求", "st_outbound_allow": "仍允许访问的主机或网段（逗号分隔，如 127.0.0.1,erp.local,10.8.0.0/16）",
       "st_outbound_hint": "流程的 Webhook、HTTP 请求和机器人默认不能访问本机（回环）、链路本地、云元数据等地址；"
                           "内网地址（10.x、172.16–31.x、192.168.x）无需填写。只在确有需要时列出，例如同一台机器上的连接器。"}
EN |= {"st_section_outbound": "Outbound requests",
       "st_outbound_allow": "Hosts or networks allowed anyway (comma-separated, e.g. 127.0.0.1,erp.local,10.8.0.0/16)",
       "st_outbound_hint": "Flows' webhooks, HTTP requests and robots may not reach this machine (loopback), link-local "
                           "or cloud metadata addresses by default; private LAN addresses (10.x, 172.16–31.x, 192.168.x) "
                           "need no entry. List a host only when it must be reached, e.g. a connector on the same machine."}

# 时间线 / 甘特图 (builder_ui/timeline.py)
ZH |= {"tl_title": "时间线", "tl_scale": "刻度", "tl_day": "日", "tl_week": "周", "tl_month": "月",
       "tl_earlier": "‹ 更早", "tl_later": "更晚 ›", "tl_today": "今天", "tl_overdue": "已逾期",
       "tl_window": "{first} 至 {last}", "tl_shown": "显示 {n} 条", "tl_more": "时间范围内共 {total} 条，只显示按开始日期排序的前 {n} 条：请缩小时间范围或添加筛选",
       "tl_empty": "这段时间内没有记录", "tl_point": "无结束日期",
       "tl_blocked": "此时间线所用的日期字段对你不可见，无法显示时间线",
       "tl_no_update": "你没有修改这些记录的权限，时间线只读", "tl_read_only_dates": "你不能修改日期字段，时间线只读",
       "tl_help": "拖动条形修改开始和结束日期，拖动右端只改结束日期；选中条形后按 ← → 移动一天，Shift+← → 只改结束日期",
       "tl_refused": "无法移动：", "tl_group": "分组", "tl_no_group": "（未设置）", "tl_filtered": "已按列表的筛选条件显示"}
EN |= {"tl_title": "Timeline", "tl_scale": "Scale", "tl_day": "Day", "tl_week": "Week", "tl_month": "Month",
       "tl_earlier": "‹ Earlier", "tl_later": "Later ›", "tl_today": "Today", "tl_overdue": "Overdue",
       "tl_window": "{first} to {last}", "tl_shown": "{n} shown", "tl_more": "{total} records in this window; only the "
       "first {n} by start date are shown: narrow the window or add a filter",
       "tl_empty": "No records in this window", "tl_point": "no end date",
       "tl_blocked": "The date fields of this timeline are hidden from you, so there is no timeline to show",
       "tl_no_update": "You may not change these records: the timeline is read-only",
       "tl_read_only_dates": "You may not change the date fields: the timeline is read-only",
       "tl_help": "Drag a bar to move its start and end, drag its right edge to change the end; on a focused bar, "
       "← → move it a day, Shift+← → change the end only",
       "tl_refused": "Cannot move: ", "tl_group": "Group", "tl_no_group": "(none)", "tl_filtered": "Filtered like the list"}
ZH |= {"tlb_title": "时间线设置", "tlb_help": "时间线（甘特图）按开始和结束日期把记录画成横条，可按关联、单选或人员字段分组；保存到草稿，发布后在列表上出现",
       "tlb_name": "名称", "tlb_name_en": "英文名称", "tlb_key": "标识（英文）", "tlb_dates": "日期", "tlb_done": "完成条件",
       "tlb_done_help": "满足此条件的记录视为已完成，不标记逾期，如 status = \"已完成\"；留空则结束日期早于今天即为逾期",
       "tlb_unpublished": "未发布", "tlb_none": "还没有时间线", "tlb_no_dates": "此表单没有日期字段：先添加开始日期和结束日期字段",
       "tlb_add": "添加或修改时间线", "tlb_start": "开始日期", "tlb_end": "结束日期", "tlb_no_end": "（无：每条记录为一个点）",
       "tlb_no_group": "（不分组）", "tlb_save": "保存到草稿"}
EN |= {"tlb_title": "Timelines", "tlb_help": "A timeline (Gantt) draws records as bars from a start to an end date, "
       "grouped by a relation, select or user field if you like; saved to the draft, shown on the list once published",
       "tlb_name": "Name", "tlb_name_en": "English name", "tlb_key": "Key", "tlb_dates": "Dates", "tlb_done": "Done when",
       "tlb_done_help": "Records meeting this condition are done and never overdue, e.g. status = \"已完成\"; left empty, "
       "a record whose end is before today is overdue",
       "tlb_unpublished": "not published", "tlb_none": "No timelines yet",
       "tlb_no_dates": "This form has no date field: add a start and an end date field first",
       "tlb_add": "Add or change a timeline", "tlb_start": "Start date", "tlb_end": "End date",
       "tlb_no_end": "(none: each record is a point)", "tlb_no_group": "(no groups)", "tlb_save": "Save to draft"}
