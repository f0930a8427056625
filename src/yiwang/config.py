"""Every setting Yiwang reads from the environment, declared once.

Each variable has the ``YIWANG_`` prefix, a type, a default and a description.
``yiwang doctor`` prints this table with the values in force, so an operator
sees what is configured and what is missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "insecure", "dev", "development"}
SUBJECT_KEY_MIN_LENGTH = 32


class ConfigError(RuntimeError):
    """A setting is missing or has a value that must not be used."""


@dataclass(frozen=True)
class Var:
    name: str
    kind: type
    default: Any
    description: str
    secret: bool = False
    # Names what is wrong with a set value (None when fit); the message never repeats a secret.
    check: Callable[[Any], str | None] | None = None

    @property
    def env_name(self) -> str:
        return f"YIWANG_{self.name}"

    def read(self) -> Any:
        raw = os.environ.get(self.env_name)
        if raw is None or raw == "":
            return self.default
        value = self._parse(raw)
        problem = self.check(value) if self.check else None
        if problem:
            raise ConfigError(f"{self.env_name} {problem}")
        return value

    def _parse(self, raw: str) -> Any:
        if self.kind is bool:
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ConfigError(f"{self.env_name} must be true or false, not {raw!r}")
        if self.kind is int:
            try:
                return int(raw)
            except ValueError as exc:
                raise ConfigError(f"{self.env_name} must be an integer, not {raw!r}") from exc
        if self.kind is float:
            try:
                return float(raw)
            except ValueError as exc:
                raise ConfigError(f"{self.env_name} must be a number, not {raw!r}") from exc
        if self.kind is list:
            return [item.strip() for item in raw.split(",") if item.strip()]
        return raw


def _check_subject_key(key: str) -> str | None:
    """A subject-hash key must be long enough to be random, and free of commas so that it can
    later be listed in YIWANG_SUBJECT_HASH_PREVIOUS_KEYS."""
    if len(key) < SUBJECT_KEY_MIN_LENGTH:
        return f"过短：至少需要 {SUBJECT_KEY_MIN_LENGTH} 个字符的随机值"
    if "," in key:
        return "不能含逗号（换用新密钥后，它要列入以逗号分隔的 YIWANG_SUBJECT_HASH_PREVIOUS_KEYS）"
    return None


def _check_previous_subject_keys(keys: list[str]) -> str | None:
    """A short entry is most likely a key cut in two at a comma, or a typing slip: either way the
    history hashed under the real key would silently stay out of people's data-usage records."""
    short = [str(n) for n, key in enumerate(keys, start=1) if len(key) < SUBJECT_KEY_MIN_LENGTH]
    if short:
        return (
            f"第 {'、'.join(short)} 项不足 {SUBJECT_KEY_MIN_LENGTH} 个字符：应为以逗号分隔的旧密钥"
            "（曾用的 YIWANG_SUBJECT_HASH_KEY，或未设置它时曾用的 YIWANG_SECRET_KEY），每项完整、不含逗号"
        )
    return None


VARS: tuple[Var, ...] = (
    Var(
        "ENV",
        str,
        "development",
        "development | test | production; production refuses unsafe values",
    ),
    Var(
        "SECRET_KEY",
        str,
        "",
        "Django secret key; required in production (placeholders are refused)",
        secret=True,
    ),
    Var("DEBUG", bool, False, "Django DEBUG; only `make demo` turns it on"),
    Var("DATABASE_URL", str, "", "database URL; empty means SQLite (WAL) at var/yiwang.sqlite3"),
    Var(
        "VAR_DIR",
        str,
        str(BASE_DIR / "var"),
        "directory for the SQLite file, keys, uploads and reports",
    ),
    Var("ALLOWED_HOSTS", list, ["127.0.0.1", "localhost"], "comma-separated host names served"),
    Var("TASK_BACKEND", str, "django_tasks_db.DatabaseBackend", "Django Tasks backend class path"),
    Var(
        "PLATFORM_SM2_KEY",
        str,
        "",
        "hex SM2 private key that signs audit seals and the e-licence key set and status lists; generated under VAR_DIR outside production",
        secret=True,
    ),
    Var(
        "YELLOW_RATIO",
        float,
        0.2,
        "yellow card when the time left is at most this share of the promised time (per item overrides)",
    ),
    Var(
        "YELLOW_DAYS",
        int,
        1,
        "yellow card when at most this many working days are left (per item overrides)",
    ),
    Var(
        "RECTIFY_DAYS",
        int,
        5,
        "working days a department has to answer a bad rating (差评整改)",
    ),
    Var(
        "NOTIFY_SENDER",
        str,
        "yiwang.cases.notify.ConsoleSender",
        "class path of the SMS/email sender for applicants; the console sender only logs",
    ),
    Var(
        "ALLOW_TEST_REGION",
        bool,
        True,
        "accept region codes starting with 99 (the test region); production forces false",
    ),
    Var(
        "PROXY_COUNT",
        int,
        0,
        "reverse proxies in front of the server (1 behind nginx); the client address then comes from X-Forwarded-For",
    ),
    Var(
        "LOGIN_FAILURE_LIMIT",
        int,
        5,
        "failed logins for one user name and address before a lock-out",
    ),
    Var("LOGIN_COOLOFF_MINUTES", int, 15, "how long a lock-out lasts"),
    Var("API_KEY_DAYS", int, 365, "default validity of a new API key, in days"),
    Var("MAX_UPLOAD_MB", int, 1024, "largest file accepted for a load (归集), in MiB"),
    Var(
        "GOVSTACK_PREFIX",
        str,
        "/govstack/dr/",
        "URL prefix of the GovStack Digital Registries API (may be /)",
    ),
    Var(
        "GOVSTACK_USAGE_CLIENTS",
        list,
        [],
        "API clients (USCC/subsystem) trusted to ask GovStack myPersonalDataUsage for a signed-in person",
    ),
    Var(
        "GOVSTACK_INSTANCE",
        str,
        "CN-YIWANG",
        "this deployment's X-Road-style instance name in Information-Mediator-Client headers",
    ),
    Var("API_BATCH_ROWS", int, 10_000, "most rows in one API batch pushed to a registry"),
    Var("AUDIT_SEAL_BATCH", int, 5000, "largest number of audit events sealed in one seal"),
    Var("TIME_ZONE", str, "Asia/Shanghai", "time zone of the government served"),
    Var(
        "SEAL_ENCRYPTION_KEY",
        str,
        "",
        "64 hex characters (AES-256) that encrypt the e-licence seals' private keys at rest; generated under VAR_DIR outside production",
        secret=True,
    ),
    Var("SEAL_ALGORITHM", str, "sm2", "algorithm of new issuing seals (电子印章): sm2 | ed25519"),
    Var(
        "PUBLIC_URL",
        str,
        "http://127.0.0.1:8000",
        "the site's public address, printed in licence QR codes and status-list links",
    ),
    Var(
        "SUBJECT_HASH_KEY",
        str,
        "",
        "key of the hashes under which the exchange log records whose data each call read "
        "(我的数据使用记录); at least 32 characters, no commas. Empty: derived from SECRET_KEY, "
        "so rotating SECRET_KEY would detach earlier history — set a dedicated key in production",
        secret=True,
        check=_check_subject_key,
    ),
    Var(
        "SUBJECT_HASH_PREVIOUS_KEYS",
        list,
        [],
        "comma-separated earlier subject-hash keys (an earlier SUBJECT_HASH_KEY, or the SECRET_KEY "
        "in use while it was empty); looking up a person's history also matches hashes under them",
        secret=True,
        check=_check_previous_subject_keys,
    ),
    Var(
        "LICENCE_TRUSTED_PLATFORM_KEYS",
        list,
        [],
        "comma-separated SM3 fingerprints (64 hex) of platform keys whose signed key sets `yiwang verify` "
        "trusts besides this deployment's own (another deployment's, as printed on its 证照核验 page)",
    ),
)


def read_all() -> dict[str, Any]:
    """Read every declared variable; raise ConfigError for a malformed one."""
    return {var.name: var.read() for var in VARS}


def check_production(values: dict[str, Any]) -> list[str]:
    """What makes these values unfit for production (empty when fit)."""
    problems = []
    secret = values["SECRET_KEY"]
    if (
        secret.lower() in PLACEHOLDER_SECRETS
        or secret.startswith("django-insecure")
        or len(secret) < 50
    ):
        problems.append("YIWANG_SECRET_KEY 缺失或为占位值：生产环境需要至少 50 个字符的随机密钥")
    if values["DEBUG"]:
        problems.append("YIWANG_DEBUG 在生产环境必须关闭")
    if not values["PLATFORM_SM2_KEY"]:
        problems.append("YIWANG_PLATFORM_SM2_KEY 缺失：生产环境必须配置平台 SM2 签名私钥")
    if not values["SEAL_ENCRYPTION_KEY"]:
        problems.append("YIWANG_SEAL_ENCRYPTION_KEY 缺失：生产环境必须配置电子印章私钥的加密密钥")
    if values["SEAL_ALGORITHM"] not in {"sm2", "ed25519"}:
        problems.append("YIWANG_SEAL_ALGORITHM 只能是 sm2 或 ed25519")
    return problems
