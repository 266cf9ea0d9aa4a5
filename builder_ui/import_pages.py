"""The import wizard's page (issue 26): 上传 → 映射 → 预览/试运行 → 导入 → 结果, drawn by import_wizard.js over
the JSON API (runtime/api/import_wizard.py). `/import/{id}` opens an import where it stands, so a user who
left during the run comes back to its progress or result, and one whose upload has expired
(runtime/io/retention.py) shows 已过期 with 重新上传 instead of steps that would answer 410."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.i18n import language, translator
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from runtime.api.deps import DB
from runtime.io import import_runs

router = APIRouter(include_in_schema=False)

WORDS = ("imp_step_upload", "imp_step_mapping", "imp_step_preview", "imp_step_run", "imp_step_result",
         "imp_sheet", "imp_header_row", "imp_column", "imp_field", "imp_ignored", "imp_how_saved", "imp_how_label",
         "imp_how_synonym", "imp_how_similar", "imp_how_none", "imp_how_chosen", "imp_values", "imp_value_text",
         "imp_value_as", "imp_missing", "imp_ambiguous", "imp_unknown_option", "imp_keep", "imp_mode_create",
         "imp_mode_upsert", "imp_mode_update", "imp_key", "imp_skip_bad", "imp_dry_run", "imp_new", "imp_updated",
         "imp_unchanged", "imp_failed", "imp_rows", "imp_row", "imp_action", "imp_start", "imp_back", "imp_errors",
         "imp_progress", "imp_done", "imp_run_failed", "imp_to_list", "imp_again", "imp_first_rows",
         "imp_action_new", "imp_action_update", "imp_action_unchanged", "imp_action_failed", "imp_record_id",
         "imp_must_fix", "imp_queued", "imp_times")
WORDS += ("imp_duplicates", "imp_dup_row", "imp_dup_unseen", "imp_skip_duplicates")  # 可能重复 in the dry run (import_duplicates.py)


@router.get("/apps/{app}/forms/{form}/import")
@router.get("/apps/{app}/forms/{form}/import/{run_id}")
def wizard_page(request: Request, app: str, form: str, user: Viewer, guard: PageGuard, db: DB,
                run_id: int | None = None) -> Response:
    """The wizard; with an import's id, that import (only its owner's, as in the API)."""
    t = translator(language(request))
    with db.read() as conn:
        gate = guard.form(conn, app, form, "import")
        recent = import_runs.recent(conn, app, form, user)
        if run_id is not None:
            import_runs.get(conn, app, form, run_id, user)
    data = {"app": app, "form": form, "run": run_id, "words": {w: t(w) for w in WORDS},
            "recent": [{"id": r.id, "filename": r.filename, "status": r.status, "expired": r.expired, "at": r.created_at.isoformat()}
                       for r in recent]}
    return render(request, "imports/wizard.html", user=user, app=gate.ref.app, form=gate.ref.form, data=data)
