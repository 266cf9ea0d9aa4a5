"""The keyring: AES-GCM ciphertexts bound to their field, tamper-evident, readable by every key of
the ring while the first encrypts; blind indexes stable when a newer key is put on top; key files
with a wrong line refused naming the line."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from engine.errors import EncryptionKeyMissing
from runtime.crypto.keyring import KeyringError, key_id, load, new_key

A, B = new_key(), new_key()


def test_a_value_encrypts_differently_each_time_and_only_decrypts_in_its_own_field() -> None:
    ring = load(A, None)
    assert ring is not None
    one, two = ring.encrypt("王芳 13700001111", "crm/contact/mobile"), ring.encrypt("王芳 13700001111", "crm/contact/mobile")
    assert one != two and "1370000" not in one
    assert ring.decrypt(one, "crm/contact/mobile") == "王芳 13700001111"
    with pytest.raises(KeyringError):
        ring.decrypt(one, "crm/contact/note")  # moved to another field
    tampered = one[:-2] + ("A" if one[-2] != "A" else "B") + one[-1]
    with pytest.raises(KeyringError):
        ring.decrypt(tampered, "crm/contact/mobile")


def test_a_new_key_on_top_encrypts_while_the_old_still_decrypts_and_the_blind_index_stays(tmp_path: Path) -> None:
    old = load(A, None)
    file = tmp_path / "keys"
    file.write_text(f"# rotated\n{B}\n\n{A}  # the first key\n", encoding="utf-8")
    ring = load(None, file)
    assert old is not None and ring is not None
    sealed_before = old.encrypt("x-1", "s")
    assert ring.decrypt(sealed_before, "s") == "x-1"
    assert ring.key_of(ring.encrypt("x-1", "s")) == key_id(base64.b64decode(B)) == ring.current_id
    assert ring.blind("x-1", "field/a") == old.blind("x-1", "field/a") != ring.blind("x-1", "field/b")
    assert load(B, None).blind("x-1", "field/a") != old.blind("x-1", "field/a")  # type: ignore[union-attr]
    only_new = load(B, None)
    with pytest.raises(EncryptionKeyMissing):
        only_new.decrypt(sealed_before, "s")  # type: ignore[union-attr]


def test_an_index_line_names_the_blind_index_secret(tmp_path: Path) -> None:
    file = tmp_path / "keys"
    file.write_text(f"{B}\nindex {A}\n", encoding="utf-8")
    ring, plain_a = load(None, file), load(A, None)
    assert ring.blind("v", "f") == plain_a.blind("v", "f")  # type: ignore[union-attr]
    assert ring.ids == [key_id(base64.b64decode(B))]  # type: ignore[union-attr]


@pytest.mark.parametrize("content", ["not-base64!!\n", base64.b64encode(b"short").decode() + "\n", "# nothing\n"],
                         ids=["not_base64", "too_short", "empty"])
def test_an_unusable_key_file_is_refused_naming_it(tmp_path: Path, content: str) -> None:
    file = tmp_path / "keys"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(KeyringError) as error:
        load(None, file)
    assert str(file) in (error.value.message_en or "")


def test_no_key_is_no_keyring_and_a_bad_environment_key_is_refused() -> None:
    assert load(None, None) is None
    with pytest.raises(KeyringError):
        load("abc", None)
