"""The `tangram` command: serve, worker, db upgrade, app validate/import/export, user create, demo-data,
mirror sync/serve, records import/export, backup, restore."""

from __future__ import annotations

import argparse
import gc
import json
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from engine.errors import EngineError, NotFound
from engine.schema import app_json_schema_text
from runtime import logs, processes, subscribers
from runtime.accounts import org
from runtime.accounts.users import create_user
from runtime.apps import definitions
from runtime.db import schema
from runtime.db.db import Database, open_database
from runtime.db.tables import users
from runtime.io import cli as records_cli
from runtime.records.context import SYSTEM, Change
from runtime.settings import Settings

CRM_TEMPLATE = Path(__file__).resolve().parents[1] / "apps" / "crm_template.json"


def _chinese() -> bool:
    """Messages in Chinese when the locale says so (LANG=zh_CN.UTF-8), English otherwise."""
    return os.environ.get("LANG", "").lower().startswith("zh")


def _say(message: str, english: str | None) -> str:
    return message if _chinese() or not english else english


class CliError(Exception):
    """A problem to print and exit 1 with."""


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if getattr(args, "db", None):
        settings = settings.model_copy(update={"database_url": args.db})
    return settings


_opened: list[Database] = []
"""The databases this command opened: `main` closes their connections when the command ends."""


def database_from_args(args: argparse.Namespace) -> Database:
    settings = _settings(args)
    db = open_database(settings.url(), sqlite_json=settings.sqlite_json, lock_wait=settings.lock_wait_seconds)
    _opened.append(db)
    return db


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except json.JSONDecodeError as e:
        raise CliError(f"{path}: not valid JSON: line {e.lineno}, column {e.colno}: {e.msg}") from None


def _template_json(name: str) -> Any:
    """A template file, or the key of a template shipped in apps/ (`inventory`, `projects`)."""
    from runtime.apps import addons

    if not Path(name).exists() and name in addons.bundled():
        return addons.template(name)
    return _read_json(name)


def cmd_validate(args: argparse.Namespace) -> int:
    from runtime.apps.addons import validate_template

    issues = validate_template(_template_json(args.file))
    for issue in issues:
        print(f"{issue.path}: {_say(issue.message, issue.message_en)}", file=sys.stderr)
    if issues:
        print(f"{args.file}: {len(issues)} problem(s)", file=sys.stderr)
        return 1
    print(f"{args.file}: valid")
    return 0


def _output(text: str, path: str | None) -> int:
    """Write to the file named by --output, else to standard output."""
    if path:
        Path(path).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    return _output(app_json_schema_text(), args.output)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    db = database_from_args(args)
    schema.upgrade(db)
    print(f"{db.describe()}: schema at revision {schema.current_revision(db)}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from engine.addons import is_addon
    from runtime.apps import addons, transfer

    db = database_from_args(args)
    data = _template_json(args.file)
    with db.write() as conn:
        if is_addon(data):  # 进销存, 项目管理: joins the app it extends, as a new version of it
            app, version = addons.install(conn, data, Change(SYSTEM))
            print(f"installed {data['key']} ({data.get('name')}) into {app.key} as version {version}: {len(app.forms)} forms")
            return 0
        # a definition, or an app export (with its template and records), under --as KEY
        app, counts = transfer.import_bundle(conn, data, Change(SYSTEM), args.as_key)
    copied = f", {sum(counts.values())} records" if counts else ""
    print(f"imported {app.key} ({app.name}) as version 1: {len(app.forms)} forms{copied}")
    return 0


def _print_report(problems: list[dict[str, Any]]) -> None:
    for p in problems:
        name = p["constraint_name"] if _chinese() else p["constraint_name_en"]
        examples = ", ".join(f"#{e['id']} {e['title']} {e['value']!r}" for e in p["examples"])
        print(f"{p['form']}.{p['field']} {p['constraint']} ({name}): {p['count']} — {examples}"
              f"  [{' | '.join(p['choices']) or 'resolve first'}]")


def cmd_upgrade(args: argparse.Namespace) -> int:
    """`tangram app upgrade FILE` / `tangram app publish KEY` (the builder's draft): with --check print
    the report and exit 1 when records break a new rule; else publish with --decisions FILE (a JSON
    list, as the API's `decisions`), refused with the report when a problem is left undecided."""
    from engine.forms.tightening import parse_decisions

    db = database_from_args(args)
    if getattr(args, "template", None):  # `app upgrade APP FILE`: a template upgrade keeping local changes
        from runtime.apps import upgrade_cli

        return upgrade_cli.run(db, args, _read_json)
    decisions = parse_decisions(_read_json(args.decisions)) if args.decisions else []
    with db.write() as conn:
        key = args.key if args.app_command == "publish" else str(_read_json(args.file).get("key"))
        data = definitions.draft(conn, key) if args.app_command == "publish" else _read_json(args.file)
        if args.check:
            new, problems = definitions.check_upgrade(conn, key, data, Change(SYSTEM))
            _print_report(definitions.report_json(new, problems))
            return 1 if problems else 0
        if args.app_command == "upgrade" and not args.discard_draft:
            definitions.refuse_over_draft(conn, key)
        try:
            app, version = definitions.upgrade_app(conn, key, data, Change(SYSTEM), decisions)
        except EngineError as e:
            _print_report(e.extra.get("report") or [])
            raise
    print(f"published {app.key} as version {version}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    db = database_from_args(args)
    if args.bundle or args.records:  # the whole app: definition, template and (--records) its records
        from runtime.apps import transfer

        with db.read() as conn:
            bundle = transfer.export_app(conn, args.key, with_records=args.records)
        return _output(json.dumps(bundle, ensure_ascii=False, indent=2) + "\n", args.output)
    with db.read() as conn:
        if args.version:
            app = definitions.version_of(conn, args.key, args.version)
        else:
            app, _ = definitions.current(conn, args.key)
    return _output(json.dumps(app.dump(), ensure_ascii=False, indent=2) + "\n", args.output)


def cmd_user_create(args: argparse.Namespace) -> int:
    """`tangram user create NAME --password P [--department D]… [--role APP:ROLE]…` (the first department is
    the primary one)."""
    from runtime.permissions.cli import add_roles, audit_user_created

    db = database_from_args(args)
    with db.write() as conn:
        create_user(conn, args.name, args.password, datetime.now(UTC), display_name=args.display_name,
                    is_admin=args.admin)
        if args.department:
            org.set_user_departments(conn, args.name, args.department)
        audit_user_created(conn, args.name, args.admin, args.department or [])
        add_roles(conn, args.name, args.role or [])
    print(f"created user {args.name}{' (administrator)' if args.admin else ''}")
    return 0


def init_database(db: Database, settings: Settings, out: Callable[[str], None] = print) -> None:
    """First start: schema, the CRM template, and an `admin` user (password from the environment or
    generated and printed once)."""
    schema.upgrade(db)
    with db.write() as conn:
        try:
            definitions.current(conn, "crm")
        except NotFound:
            app, _ = definitions.import_app(conn, json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")), Change(SYSTEM))
            out(f"imported the CRM template ({len(app.forms)} forms)")
        if conn.scalar(select(func.count()).select_from(users)) == 0:
            password = settings.admin_password or secrets.token_urlsafe(12)
            create_user(conn, "admin", password, datetime.now(UTC), display_name="管理员", is_admin=True)
            shown = "from TANGRAM_ADMIN_PASSWORD" if settings.admin_password else password
            out(f"created user admin, password: {shown}")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from runtime.main import create_app

    settings = _settings(args)
    tls_files = {k: Path(v) for k in ("ssl_certfile", "ssl_keyfile") if (v := getattr(args, k, None))}
    settings = settings.model_copy(update=tls_files)
    tls = _tls_options(settings)
    if args.workers < 1:
        raise CliError(f"--workers {args.workers}: at least 1")
    db = open_database(settings.url(), sqlite_json=settings.sqlite_json, lock_wait=settings.lock_wait_seconds)
    if args.init:
        init_database(db, settings)
    if (problem := schema.problem(db)) is not None:  # else every request would fail on a missing table
        raise CliError(problem)
    _check_encryption_keys(settings, db)
    access = bool(args.access_log or settings.access_log)
    logs.configure(settings, access)
    scheme = "https" if tls else "http"
    print(f"Tangram on {db.describe()} at {scheme}://{args.host or settings.host}:{args.port or settings.port}")
    where = {"host": args.host or settings.host, "port": args.port or settings.port, "log_level": "info",
             "access_log": False, **tls}  # the access line is Tangram's own: it has the request id
    if args.workers > 1:  # checked above, once for all of them; each worker opens its own pool
        db.engine.dispose()
        print(f"{args.workers} worker processes")
        changed = {"database_url": args.db} if args.db else {}
        processes.run({**changed, **tls_files}, access, args.workers, **where)
        return 0
    service = create_app(settings, db)
    refresher = start_mirror(service, settings, db)  # the one place serve keeps the mirror: one process
    freeze_start_up_objects()
    try:
        uvicorn.run(service, **where)
    finally:
        if refresher is not None:
            refresher.stop()
    return 0


def _tls_options(settings: Settings) -> dict[str, str]:
    """uvicorn's TLS arguments: both files or neither, each readable (checked before the port opens)."""
    cert, key = settings.ssl_certfile, settings.ssl_keyfile
    if cert is None and key is None:
        return {}
    if cert is None or key is None:
        raise CliError("TLS needs both --ssl-certfile and --ssl-keyfile (TANGRAM_SSL_CERTFILE, TANGRAM_SSL_KEYFILE)")
    for path in (cert, key):
        if not path.is_file():
            raise CliError(f"{path}: no such file")
    return {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}


def _check_encryption_keys(settings: Settings, db: Database) -> None:
    """Refuse to start when an app has encrypted fields and no key is configured (or the key file is
    unusable): better than serving errors on the first read of such a record."""
    from runtime.crypto import keyring

    ring = keyring.configure(settings)
    if ring is not None:
        return
    with db.read() as conn:
        try:
            apps = [definitions.current(conn, row.key)[0] for row in definitions.list_apps(conn)]
        except Exception:  # noqa: BLE001 — no schema yet: nothing is encrypted
            return
    fields = [f"{a.key}/{form.key}.{f.key}" for a in apps for form in a.forms for f in form.encrypted]
    if fields:
        raise CliError(f"encrypted fields ({', '.join(fields)}) need an encryption key: set TANGRAM_ENCRYPTION_KEY "
                       "or TANGRAM_ENCRYPTION_KEY_FILE (docs/security.md)")


def freeze_start_up_objects() -> None:
    """Leave what start-up built (modules, routes, schemas, the definitions) out of every later
    garbage collection: it lives as long as the server, and each full collection walked all of it
    while requests waited. Single creates over HTTP used about 6 % less CPU each (3 alternating
    pairs of runs, bench/records.py's load, 2026-11-27)."""
    gc.collect()
    gc.freeze()


def start_mirror(service: Any, settings: Settings, db: Database) -> Any:
    """The analytics mirror of this server: its own, synced in the background, when it runs the jobs itself
    (the single-process default) and no other process owns the mirror; else the owner's published copy,
    never written here (runtime/analytics/owner.py)."""
    from runtime.analytics.owner import server_mirror

    service.state.mirror, refresher = server_mirror(settings, db, may_own=settings.embedded_worker)
    if refresher is not None:
        refresher.start()
    return refresher


def cmd_mirror_sync(args: argparse.Namespace) -> int:
    """Sync the analytics mirror now, and publish it; refused while another process owns it."""
    from runtime.analytics.mirror import Mirror
    from runtime.analytics.owner import OwnerLock, mirror_path
    from runtime.analytics.published import Publisher
    from runtime.analytics.sync import sync

    settings = _settings(args)
    lock = OwnerLock(settings.data_dir)
    if not lock.take():
        raise CliError(f"the analytics mirror is owned by process {lock.holder() or '?'} (a server or `tangram worker`), "
                       "which keeps it in sync: POST /api/v1/mirror/sync on that server, or stop it first")
    mirror = Mirror(mirror_path(settings), settings.mirror_memory_limit)
    try:
        now = datetime.now(UTC)
        result = sync(database_from_args(args), mirror, now, full=args.full)
        Publisher(mirror, 0).publish(now)
    finally:
        mirror.close()
        lock.release()
    print(json.dumps(result.as_dict(), ensure_ascii=False))
    return 0


def cmd_mirror_serve(args: argparse.Namespace) -> int:
    """Own the analytics mirror in the foreground: sync and publish it until stopped (instead of the worker)."""
    import signal

    from runtime.analytics.owner import OwnerLock, owner_refresher

    settings = _settings(args)
    db = database_from_args(args)
    if (problem := schema.problem(db)) is not None:
        raise CliError(problem)
    logs.configure(settings, False)
    refresher = owner_refresher(settings, db, OwnerLock(settings.data_dir))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: refresher.stop_soon())
    print(f"mirror owner on {db.describe()}: syncing {refresher.mirror.path} every {settings.mirror_interval:g}s")
    try:
        refresher.run()
    finally:
        refresher.stop()
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    from runtime.demo.load import load_demo

    db = database_from_args(args)
    if args.template:  # a template's declared demo records (进销存, 项目管理), into the app it installs in
        from runtime.demo.declared import load_declared

        written = load_declared(db, _template_json(args.template), now=datetime.now(UTC),
                                zone=ZoneInfo(_settings(args).timezone))
        print(", ".join(f"{form}: {n}" for form, n in written.items()))
        return 0
    # The clock is read here: the demo's two years end now, in the app's time zone (its "this month").
    load_demo(db, args.app, args.count, seed=args.seed, progress=not args.quiet, now=datetime.now(UTC),
              zone=ZoneInfo(_settings(args).timezone))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tangram", description="Tangram: a self-hosted no-code platform.")
    sub = p.add_subparsers(dest="command", required=True)

    def with_db(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--db", help="database URL (default: TANGRAM_DATABASE_URL or ./data/tangram.db)")
        return sp

    serve = with_db(sub.add_parser("serve", help="serve the web app and API"))
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--init", action="store_true", help="upgrade the schema, import the CRM, create admin")
    serve.add_argument("--access-log", action="store_true", help="print a line per request (TANGRAM_ACCESS_LOG=1)")
    serve.add_argument("--ssl-certfile", help="serve HTTPS with this certificate chain, PEM (TANGRAM_SSL_CERTFILE)")
    serve.add_argument("--ssl-keyfile", help="the certificate's private key, PEM (TANGRAM_SSL_KEYFILE)")
    serve.add_argument("--workers", type=int, default=1,
                       help="server processes on the one port (docs/deployment.md: several processes)")
    serve.set_defaults(run=cmd_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    with_db(db.add_parser("upgrade", help="apply migrations")).set_defaults(run=cmd_db_upgrade)

    app = sub.add_parser("app", help="app definitions").add_subparsers(dest="app_command", required=True)
    validate = app.add_parser("validate", help="check a template, listing every problem with its path")
    validate.add_argument("file")
    validate.set_defaults(run=cmd_validate)
    schema_cmd = app.add_parser("schema", help="print the JSON Schema of the definition format")
    schema_cmd.add_argument("--output", "-o")
    schema_cmd.set_defaults(run=cmd_schema)
    imp = with_db(app.add_parser("import", help="import a template as a new app"))
    imp.add_argument("file")
    imp.add_argument("--as", dest="as_key", help="import as a copy under this app key (an export's records follow)")
    imp.set_defaults(run=cmd_import)
    for name, what, helptext in (("upgrade", "file", "publish a changed template of an existing app"),
                                 ("publish", "key", "publish an app's draft (the form builder's changes)")):
        up = with_db(app.add_parser(name, help=helptext))
        up.add_argument(what)
        up.add_argument("--check", action="store_true", help="only report what stored records break (exit 1 if any)")
        up.add_argument("--decisions", help="JSON file: a list of {form, field, constraint, action, value|expression}")
        up.set_defaults(run=cmd_upgrade)
    upgrade_parser = app.choices["upgrade"]  # `app upgrade APP FILE`: the template upgrade (runtime/apps/upgrade_cli.py)
    upgrade_parser.add_argument("template", nargs="?", help="with APP first: a new version of the app's template")
    upgrade_parser.add_argument("--choose", action="append", help="PATH=ours|theirs for a conflict (repeat)")
    upgrade_parser.add_argument("--preview", action="store_true", help="print the template upgrade's preview only")
    upgrade_parser.add_argument("--discard-draft", action="store_true",
                                help="drop the builder's unpublished changes (refused while there are any)")
    exp = with_db(app.add_parser("export", help="print an app's definition"))
    exp.add_argument("key")
    exp.add_argument("--version", type=int)
    exp.add_argument("--output", "-o")
    exp.add_argument("--bundle", action="store_true", help="the whole app: definition and the template it came from")
    exp.add_argument("--records", action="store_true", help="the whole app with its records (implies --bundle)")
    exp.set_defaults(run=cmd_export)

    user = sub.add_parser("user", aliases=["users"], help="users").add_subparsers(dest="user_command", required=True)
    create = with_db(user.add_parser("create", help="create a user"))
    create.add_argument("name")
    create.add_argument("--password", required=True)
    create.add_argument("--display-name")
    create.add_argument("--admin", action="store_true")
    create.add_argument("--department", action="append", help="department key (repeat; the first is primary)")
    create.add_argument("--role", action="append", help="APP:ROLE (repeat)")
    create.set_defaults(run=cmd_user_create)
    from runtime.permissions.cli import add_commands

    add_commands(sub, user, with_db)
    from runtime.accounts.user_import_cli import add_command as add_user_import

    add_user_import(user, with_db, database_from_args)

    mirror = sub.add_parser("mirror", help="the analytics mirror (DuckDB)").add_subparsers(dest="mirror_command",
                                                                                        required=True)
    mirror_sync = with_db(mirror.add_parser("sync", help="bring the mirror up to date with the records"))
    mirror_sync.add_argument("--full", action="store_true", help="rebuild every table")
    mirror_sync.set_defaults(run=cmd_mirror_sync)
    mirror_serve = with_db(mirror.add_parser("serve", help="own the mirror: sync and publish it for the servers"))
    mirror_serve.set_defaults(run=cmd_mirror_serve)

    demo = with_db(sub.add_parser("demo-data", help="load realistic Chinese demo records"))
    demo.add_argument("--app", default="crm")
    demo.add_argument("--count", type=int, default=1000, help="number of customers (other forms scale with it)")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--quiet", action="store_true")
    demo.add_argument("--template", help="load the demo records a template declares (inventory, projects, or a file)")
    demo.set_defaults(run=cmd_demo_data)

    records_cli.add_commands(sub, with_db, database_from_args)
    from runtime.crypto.command import add_commands as add_crypto

    add_crypto(sub, with_db, database_from_args)
    from runtime.jobs.command import add_command as add_worker

    add_worker(sub, with_db)
    from runtime.analytics.command import add_commands as add_report_commands

    add_report_commands(sub, with_db, database_from_args)
    from runtime.ops.command import add_commands as add_backup_commands

    add_backup_commands(sub, with_db)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    subscribers.install()
    args = parser().parse_args(records_cli.attach_dashed_values(sys.argv[1:] if argv is None else argv))
    try:
        return int(args.run(args))
    except CliError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except EngineError as e:
        print(f"error: {_say(e.message, e.message_en)}", file=sys.stderr)
        for issue in e.issues:
            print(f"  {issue.path}: {_say(issue.message, issue.message_en)}", file=sys.stderr)
        return 1
    finally:
        while _opened:
            _opened.pop().engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
