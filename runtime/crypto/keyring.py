"""The keyring: the keys that encrypt the fields marked `encrypted`, from the environment or a key
file, never from the database (a stolen database or backup holds only ciphertext).

A key is 32 random bytes written in base64 (`tangram crypto new-key` prints one).
`TANGRAM_ENCRYPTION_KEY` holds one key; `TANGRAM_ENCRYPTION_KEY_FILE` names a file of several, one a
line (`#` comments). The first key encrypts new values; every key decrypts, so a rotation runs while
older ciphertext is still readable. A key is known by its id, a fingerprint of the key (no names to
keep in step): the ciphertext says which key sealed it.

Values are sealed with AES-256-GCM (a random 96-bit nonce each; the field's app/form/key as associated
data, so a ciphertext moved to another field does not decrypt). Exact matches and uniqueness use a
blind index: HMAC-SHA256 of the normalised value under a separate key. That key comes from the
`index <key>` line of the file, or else from the last (oldest) key, so putting a new key on top
never changes the blind index; both derived keys are HKDF-SHA256 outputs, never the key itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from engine.errors import EncryptionKeyMissing

if TYPE_CHECKING:
    from runtime.settings import Settings

CIPHER_PREFIX = "v1:"
"""Every ciphertext starts so: `v1:<key id>:<base64url of nonce + ciphertext + tag>`."""
BLIND_PREFIX = "h1:"
"""Every blind index value starts so: `h1:<base64url of the HMAC>`."""
_NONCE = 12


class KeyringError(EncryptionKeyMissing):
    """The configured key or key file cannot be used (unreadable, not 32 bytes of base64)."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tangram/" + purpose).derive(master)


def key_id(master: bytes) -> str:
    """A key's id: the start of a hash of it (it names the key, and reveals nothing of it)."""
    return "k" + hashlib.sha256(b"tangram key id\0" + master).hexdigest()[:10]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_key(text: str, where: str) -> bytes:
    """32 bytes from their base64 (standard or URL-safe); KeyringError naming `where` otherwise."""
    try:
        raw = base64.b64decode(text.strip().replace("-", "+").replace("_", "/") + "=" * (-len(text.strip()) % 4),
                               validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise KeyringError(f"{where}：加密密钥应为 32 字节的 base64（tangram crypto new-key 可生成）",
                           f"{where}: an encryption key must be 32 bytes in base64 (tangram crypto new-key makes one)")
    return raw


@dataclass(frozen=True)
class Keyring:
    """The keys: `masters` newest first (the first encrypts), `index_secret` for the blind index."""

    masters: tuple[bytes, ...]
    index_secret: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ciphers", {key_id(m): AESGCM(_derive(m, b"field-encryption/v1"))
                                              for m in self.masters})
        object.__setattr__(self, "_index_key", _derive(self.index_secret, b"blind-index/v1"))

    @property
    def current_id(self) -> str:
        return key_id(self.masters[0])

    @property
    def ids(self) -> list[str]:
        return [key_id(m) for m in self.masters]

    def encrypt(self, plain: str, scope: str) -> str:
        """The ciphertext of `plain` under the current key, bound to `scope` (app/form/field)."""
        nonce = os.urandom(_NONCE)
        sealed = self._ciphers[self.current_id].encrypt(nonce, plain.encode("utf-8"), scope.encode())  # type: ignore[attr-defined]
        return f"{CIPHER_PREFIX}{self.current_id}:{_b64(nonce + sealed)}"

    def decrypt(self, token: str, scope: str) -> str:
        """The plaintext of a ciphertext made by `encrypt`; EncryptionKeyMissing when its key is not here."""
        try:
            _, kid, body = token.split(":", 2)
        except ValueError:
            raise KeyringError("加密数据格式不对", "an encrypted value is malformed") from None
        cipher = self._ciphers.get(kid)  # type: ignore[attr-defined]
        if cipher is None:
            raise EncryptionKeyMissing(f"解密需要密钥 {kid}，但它不在配置的密钥中",
                                       f"the key {kid} that encrypted stored values is not configured")
        raw = _unb64(body)
        try:
            return cipher.decrypt(raw[:_NONCE], raw[_NONCE:], scope.encode()).decode("utf-8")  # type: ignore[no-any-return]
        except InvalidTag:
            raise KeyringError(f"密钥 {kid} 无法解密“{scope}”的值（数据或密钥被改动）",
                               f"the value of {scope} does not decrypt with key {kid} (data or key altered)") from None

    def key_of(self, token: str) -> str:
        """The id of the key that sealed a ciphertext."""
        return token.split(":", 2)[1]

    def blind(self, value: str, scope: str) -> str:
        """The blind index of a normalised value: equal values of one field, equal indexes."""
        mac = hmac.new(self._index_key, scope.encode() + b"\0" + value.encode("utf-8"), hashlib.sha256)  # type: ignore[attr-defined]
        return BLIND_PREFIX + _b64(mac.digest())


def load(key: str | None, key_file: Path | None) -> Keyring | None:
    """The keyring the settings name, None when they name none; KeyringError when it is unusable."""
    if key_file is not None:
        try:
            lines = Path(key_file).read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise KeyringError(f"无法读取密钥文件 {key_file}：{e.strerror}",
                               f"cannot read the key file {key_file}: {e.strerror}") from None
        masters: list[bytes] = []
        index: bytes | None = None
        for n, line in enumerate(lines, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            where = f"{key_file}:{n}"
            if line.startswith("index "):
                index = parse_key(line.removeprefix("index "), where)
            else:
                masters.append(parse_key(line, where))
        if not masters:
            raise KeyringError(f"密钥文件 {key_file} 中没有密钥", f"the key file {key_file} holds no key")
        return Keyring(tuple(masters), index or masters[-1])
    if key:
        master = parse_key(key, "TANGRAM_ENCRYPTION_KEY")
        return Keyring((master,), master)
    return None


_lock = threading.Lock()
_installed: list[Keyring | None] = []  # empty: not yet read from the environment


def install(keyring: Keyring | None) -> None:
    """Make `keyring` the process's keyring (the server does at start-up from its settings)."""
    with _lock:
        _installed[:] = [keyring]


def configure(settings: Settings) -> Keyring | None:
    """Read and install the keyring the settings name."""
    keyring = load(settings.encryption_key, settings.encryption_key_file)
    install(keyring)
    return keyring


def installed() -> Keyring | None:
    """The process's keyring, read from the environment on first use; None when none is configured."""
    if not _installed:
        from runtime.settings import Settings

        configure(Settings())
    return _installed[0]


def current() -> Keyring:
    """The process's keyring; EncryptionKeyMissing when encrypted values meet a process without one."""
    keyring = installed()
    if keyring is None:
        raise EncryptionKeyMissing(
            "有字段设为加密，但没有配置加密密钥（TANGRAM_ENCRYPTION_KEY 或 TANGRAM_ENCRYPTION_KEY_FILE）",
            "a field is encrypted but no encryption key is configured "
            "(TANGRAM_ENCRYPTION_KEY or TANGRAM_ENCRYPTION_KEY_FILE)")
    return keyring


def new_key() -> str:
    """A fresh random key in base64, for a key file or TANGRAM_ENCRYPTION_KEY."""
    return base64.b64encode(os.urandom(32)).decode()
