"""Password hashing (argon2id) and the password policy: at least 8 characters, not a common password,
no composition rules (NIST SP 800-63B)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

from core.i18n import lazy_gettext as _l

MIN_LENGTH = 8

# Passwords seen most often in leaked-password lists, worldwide and in China; compared case-insensitively.
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "11111111",
        "00000000",
        "88888888",
        "66666666",
        "12341234",
        "87654321",
        "11223344",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "qwertyui",
        "qwerty123",
        "qwertyuiop",
        "1qaz2wsx",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "zaq12wsx",
        "abc12345",
        "abcd1234",
        "a1234567",
        "aa123456",
        "abc123456",
        "iloveyou",
        "woaini1314",
        "woaini520",
        "5201314520",
        "13145200",
        "wang1234",
        "zhang123",
        "admin123",
        "admin1234",
        "administrator",
        "root1234",
        "letmein1",
        "welcome1",
        "welcome123",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "superman",
        "starwars",
        "trustno1",
        "dragon123",
        "monkey123",
        "shadow12",
        "master12",
        "michael1",
        "jennifer",
        "changeme",
        "changeme1",
        "default1",
        "test1234",
        "testtest",
        "123123123",
        "123321123",
        "147258369",
        "159357456",
        "741852963",
        "963852741",
        "qazwsxedc",
        "asdfghjk",
        "asdfasdf",
        "zxcvbnm1",
        "zxcvbnmm",
        "1234qwer",
        "qwer1234",
        "asdf1234",
        "12qwaszx",
        "q1w2e3r4",
        "a12345678",
        "123456abc",
        "123456aa",
        "123456qq",
        "qq123456",
        "qq5201314",
        "aaaaaaaa",
        "bbbbbbbb",
        "99999999",
        "77777777",
        "55555555",
        "22222222",
        "33333333",
        "44444444",
        "12121212",
        "13131313",
        "520520520",
        "31415926",
        "computer",
        "internet",
        "whatever",
        "football1",
        "gridready",
        "gridready1",
        "95598955",
        "9559895598",
        "dianli123",
        "dianli1234",
        "guowang123",
        "sgcc1234",
        "sgcc12345",
        "power123",
        "power1234",
    ]
)

_hasher: PasswordHasher | None = None

# OWASP's minimum for argon2id (Password Storage Cheat Sheet): 19 MiB of memory, 2 passes, 1 lane.
OWASP_MINIMUM = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}


def hasher() -> PasswordHasher:
    """The argon2id hasher with the configured cost (ARGON2_*; see core/config.py for the choice)."""
    global _hasher
    cfg = current_app.config
    wanted = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg.get("ARGON2_PARALLELISM", 1))
    if _hasher is None or (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism) != wanted:
        _hasher = PasswordHasher(time_cost=wanted[0], memory_cost=wanted[1], parallelism=wanted[2])
    return _hasher


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


def policy_problems(password: str, *, employee_no: str | None = None) -> list[str]:
    """Reasons ``password`` is refused (empty when acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Use at least %(n)d characters.", n=MIN_LENGTH)))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) <= 2:
        problems.append(str(_l("This password is too common; choose another.")))
    if employee_no and lowered == employee_no.lower():
        problems.append(str(_l("Do not use your employee number as the password.")))
    return problems
