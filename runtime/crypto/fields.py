"""Sealing record data at the storage boundary: what is written for a form with encrypted fields, and
how it reads back. Everything above storage (API, flows, formulas, exports) sees plaintext; every
row the database holds (records, record_history) has ciphertext and a blind index instead.

A sealed `data` keeps each encrypted field's key, holding its blind index (`h1:…`, a keyed hash of
the normalised value: unique indexes and equality filters use it unchanged), and one extra member
SEALED = `{"at": "<app>/<form>", "v": {"<field>": "v1:<key id>:<ciphertext>"}}`. SEALED cannot be a
field key (keys start with a letter), and reading a row puts the plaintext back in its place
(runtime/db/types.py), so no code reads the stored shape but this module and the rotation.
"""

from __future__ import annotations

import json
from typing import Any

from engine.forms.model import FormDefinition
from runtime.crypto.keyring import current, installed

SEALED = "~sealed"


def blind_scope(field_key: str) -> str:
    """What a field's blind index is keyed with besides the index key: its key, so that equal
    values of differently named fields do not share an index value."""
    return f"field/{field_key}"


def seal(app: str, form: FormDefinition, data: dict[str, Any]) -> dict[str, Any]:
    """The data as stored: each encrypted value replaced by its blind index, its ciphertext under
    SEALED. Forms without encrypted fields get `data` itself back (no copy, no key needed)."""
    if not form.encrypted:
        return data
    present = [f.key for f in form.encrypted if data.get(f.key) is not None]
    if not present:
        return {k: v for k, v in data.items() if k != SEALED}
    keyring = current()
    where = f"{app}/{form.key}"
    stored = dict(data)
    ciphers = {}
    for key in present:
        text = str(stored[key])
        stored[key] = keyring.blind(text, blind_scope(key))
        ciphers[key] = keyring.encrypt(text, f"{where}/{key}")
    stored[SEALED] = {"at": where, "v": ciphers}
    return stored


def seal_document(value: Any, scope: str) -> Any:
    """Any JSON value (a stored API answer holding records) encrypted whole when a keyring is
    configured, as `{SEALED: {"at": scope, "doc": ciphertext}}`; read back by `unsealed` like data."""
    keyring = installed()
    if keyring is None:
        return value
    return {SEALED: {"at": scope, "doc": keyring.encrypt(dumps(value), scope)}}


def unseal(stored: dict[str, Any]) -> Any:
    """The data with every sealed value decrypted back into its field (EncryptionKeyMissing without
    the key that sealed it); a sealed document decrypted whole."""
    sealed = stored[SEALED]
    keyring = current()
    if "doc" in sealed:
        return json.loads(keyring.decrypt(sealed["doc"], sealed["at"]))
    data = {k: v for k, v in stored.items() if k != SEALED}
    where = sealed["at"]
    for key, token in sealed["v"].items():
        data[key] = keyring.decrypt(token, f"{where}/{key}")
    return data


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def unsealed(value: Any) -> Any:
    """A JSON value read from the database, decrypted if it is sealed record data (the one check
    every read of a record's data makes: a dict lookup)."""
    if isinstance(value, dict) and SEALED in value:
        return unseal(value)
    return value


def key_ids(stored: dict[str, Any]) -> set[str]:
    """The ids of the keys that sealed a stored data's values (empty when nothing is sealed)."""
    sealed = stored.get(SEALED)
    return {token.split(":", 2)[1] for token in sealed["v"].values()} if isinstance(sealed, dict) else set()


__all__ = ["SEALED", "blind_scope", "seal", "seal_document", "unseal", "unsealed", "key_ids"]
