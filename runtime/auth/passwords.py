"""Password hashing with argon2id (argon2-cffi's defaults, which follow RFC 9106), and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.errors import BadQuery

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("tangram-dummy-password")

MIN_LENGTH = 8
MAX_LENGTH = 256  # argon2 takes anything, but a megabyte "password" is an attack on the CPU
COMMON = frozenset({"password", "password1", "12345678", "123456789", "1234567890", "qwerty123", "qwertyui",
                    "11111111", "88888888", "abc12345", "a1234567", "iloveyou", "admin123", "woaini1314",
                    "1qaz2wsx", "zaq12wsx", "aa123456", "p@ssw0rd", "passw0rd"})


def check_password(password: str, username: str = "", min_length: int = MIN_LENGTH) -> None:
    """The policy: `min_length` (8 unless 系统设置 says more) to 256 characters, two kinds of characters at least (letters, digits, others), not the
    username and not one of the most common passwords. BadQuery naming the rule otherwise."""
    kinds = sum((any(c.isalpha() for c in password), any(c.isdigit() for c in password),
                 any(not c.isalnum() for c in password)))
    if len(password) < min_length:
        raise BadQuery(f"密码至少 {min_length} 位", f"a password needs at least {min_length} characters",
                       field="password")
    if len(password) > MAX_LENGTH:
        raise BadQuery(f"密码最多 {MAX_LENGTH} 位", f"a password has at most {MAX_LENGTH} characters", field="password")
    if kinds < 2:
        raise BadQuery("密码需包含字母、数字、符号中的至少两类", "a password needs two of: letters, digits, symbols",
                       field="password")
    if password.lower() in COMMON or (username and username.lower() in password.lower()):
        raise BadQuery("密码太容易被猜到（常见密码或包含用户名）", "the password is too easy to guess (common, or contains "
                       "the username)", field="password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; an unknown user is checked against a dummy hash so that
    the answer takes as long as for a known one."""
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
