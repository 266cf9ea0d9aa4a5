"""通讯录导入 through the API (administrators only): the template, a dry run of a file, and the import itself —
all rows or none, audited, each new user's initial password answered once."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import Response

from engine.errors import UploadTooLarge
from runtime import audit
from runtime.accounts import user_import
from runtime.api.deps import DB, AppSettings, CurrentUser, change_for
from runtime.api.guard import NO_RECORDS, require_admin
from runtime.io.sheet_limits import SheetLimits
from runtime.settings import Settings

router = APIRouter(prefix="/api/v1/user-imports", tags=["organisation"], dependencies=[NO_RECORDS])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _read(file: UploadFile, settings: Settings) -> bytes:
    limit = settings.max_upload_mb << 20
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(f"文件超过 {settings.max_upload_mb} MB", f"the file is over {settings.max_upload_mb} MB",
                             field="file", limit="max_upload_mb", max=settings.max_upload_mb)
    return data


@router.get("/template")
def template(user: CurrentUser) -> Response:
    """导入模板.xlsx: 用户名*, 姓名, 部门 (paths such as 销售部/华东区, several separated by 、), 主部门, 手机, 邮箱,
    是否管理员, with an example row."""
    require_admin(user)
    return Response(user_import.template_bytes(), media_type=XLSX,
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''users-template.xlsx"})


@router.post("/preview")
def preview(file: UploadFile, db: DB, settings: AppSettings, user: CurrentUser, create_departments: bool = False) -> Any:
    """A dry run: per row new / updated / unchanged / failed, each problem with its row and column, and the
    departments the paths would create (with `create_departments`); nothing is written."""
    require_admin(user)
    data = _read(file, settings)
    with db.read() as conn:
        planned = user_import.plan(conn, data, file.filename or "users.xlsx", SheetLimits.from_settings(settings),
                                   create_departments=create_departments, importer=user.username)
    return planned.as_json()


@router.post("")
def run(file: UploadFile, request: Request, db: DB, settings: AppSettings, user: CurrentUser,
        create_departments: bool = False) -> Any:
    """Import: all rows or none (422 listing every problem by row and column when any row fails). Answers the
    counts and `passwords` — each new user's initial password, shown this once; they must change it at login."""
    require_admin(user)
    data = _read(file, settings)
    change = change_for(request, user)
    with db.write() as conn:
        planned = user_import.plan(conn, data, file.filename or "users.xlsx", SheetLimits.from_settings(settings),
                                   create_departments=create_departments, importer=user.username)
        done = user_import.apply(conn, planned, change.now)
        audit.write(conn, "user.import", user, change.now, detail={
            "file": file.filename, "counts": done["counts"], "new_departments": done["new_departments"],
            "created": [p["username"] for p in done["passwords"]],
            "updated": [r.username for r in planned.rows if r.status == "updated"]})
    return done


__all__ = ["router"]
