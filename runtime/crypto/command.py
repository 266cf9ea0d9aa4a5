"""`tangram crypto`: make a key, check the configured keys, and rotate (re-seal every encrypted value
under the first key of the keyring, with the blind index recomputed, and every stored secret: 系统设置's,
connector and hook secrets, the ones kept plain before a key was configured included)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from runtime.apps import definitions
from runtime.crypto import keyring
from runtime.crypto.reseal import BATCH, rotate
from runtime.db.db import Database
from runtime.hooks import secrets as hook_secrets
from runtime.settings import Settings
from runtime.system_settings import connector_secrets
from runtime.system_settings import store as settings_store


def cmd_new_key(args: argparse.Namespace) -> int:
    print(keyring.new_key())
    return 0


def _apps(db: Database) -> list[Any]:
    with db.read() as conn:
        return [definitions.current(conn, row.key)[0] for row in definitions.list_apps(conn)]


def cmd_status(args: argparse.Namespace, database: Callable[[argparse.Namespace], Database]) -> int:
    ring = keyring.configure(Settings())
    fields = [f"{a.key}/{form.key}.{f.key}" for a in _apps(database(args)) for form in a.forms for f in form.encrypted]
    if ring is None:
        print("no encryption key configured" + (f"; encrypted fields: {', '.join(fields)}" if fields else ""))
        return 1 if fields else 0
    print(f"keys (the first encrypts): {', '.join(ring.ids)}")
    print(f"encrypted fields: {', '.join(fields) or 'none'}")
    return 0


def cmd_rotate(args: argparse.Namespace, database: Callable[[argparse.Namespace], Database]) -> int:
    ring = keyring.configure(Settings())
    if ring is None:
        print("error: no encryption key configured (TANGRAM_ENCRYPTION_KEY or TANGRAM_ENCRYPTION_KEY_FILE)",
              file=sys.stderr)
        return 1
    db = database(args)

    def progress(name: str, done: int) -> None:
        if not args.quiet:
            print(f"  {name}: {done} record(s)", file=sys.stderr)

    counts = rotate(db.write, _apps(db), args.batch, progress)
    total = sum(counts.values())
    for name, count in counts.items():
        print(f"{name}: {count} record(s) re-encrypted")
    with db.write() as conn:  # the secrets Tangram keeps to use itself, in one transaction
        secrets = settings_store.reseal(conn) + connector_secrets.reseal(conn) + hook_secrets.reseal(conn)
    print(f"{total} record(s) and {secrets} stored secret(s) now under key {ring.current_id}")
    return 0


def add_commands(sub: Any, with_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
                 database: Callable[[argparse.Namespace], Database]) -> None:
    crypto = sub.add_parser("crypto", help="encryption at rest: keys and rotation").add_subparsers(
        dest="crypto_command", required=True)
    crypto.add_parser("new-key", help="print a new random key (base64 of 32 bytes)").set_defaults(run=cmd_new_key)
    status = with_db(crypto.add_parser("status", help="the configured key ids and the encrypted fields"))
    status.set_defaults(run=lambda a: cmd_status(a, database))
    rotate_cmd = with_db(crypto.add_parser(
        "rotate-key", help="re-encrypt every encrypted value under the first key of the keyring (resumable: run again)"))
    rotate_cmd.add_argument("--batch", type=int, default=BATCH, help=f"records per transaction (default {BATCH})")
    rotate_cmd.add_argument("--quiet", action="store_true")
    rotate_cmd.set_defaults(run=lambda a: cmd_rotate(a, database))
