import os
import secrets
import subprocess
import sys

import pytest

from yiwang import config
from yiwang.core.crypto import Sm2KeyPair


def run_yiwang(*args, env):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("YIWANG_") and k != "DJANGO_SETTINGS_MODULE"
    }
    return subprocess.run(
        [sys.executable, "-m", "yiwang.cli", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def production_env(tmp_path):
    return {
        "YIWANG_ENV": "production",
        "YIWANG_SECRET_KEY": secrets.token_urlsafe(60),
        "YIWANG_PLATFORM_SM2_KEY": Sm2KeyPair.generate().private_key.hex(),
        "YIWANG_SEAL_ENCRYPTION_KEY": secrets.token_hex(32),
        "YIWANG_VAR_DIR": str(tmp_path),
    }


def test_production_settings_pass_the_deploy_check_without_warnings(production_env):
    result = run_yiwang("check", "--deploy", "--fail-level", "WARNING", env=production_env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "placeholder", ["", "changeme", "django-insecure-" + "x" * 50, "short-secret"]
)
def test_production_refuses_a_missing_or_placeholder_secret_key(production_env, placeholder):
    result = run_yiwang("check", env={**production_env, "YIWANG_SECRET_KEY": placeholder})
    assert result.returncode != 0
    assert "YIWANG_SECRET_KEY" in result.stderr


def test_production_requires_the_platform_signing_key(production_env):
    result = run_yiwang("check", env={**production_env, "YIWANG_PLATFORM_SM2_KEY": ""})
    assert result.returncode != 0
    assert "YIWANG_PLATFORM_SM2_KEY" in result.stderr


def test_production_turns_debug_off_and_rejects_the_test_region(production_env):
    code = (
        "from django.conf import settings; from yiwang.core import identifiers as i;"
        "print(settings.DEBUG, settings.ALLOW_TEST_REGION);"
        "i.validate_region('990100')"
    )
    result = run_yiwang("shell", "-c", code, env={**production_env, "YIWANG_DEBUG": "false"})
    assert "False False" in result.stdout
    assert "identifier.test_region" in result.stderr or "测试区划" in result.stderr


def test_a_malformed_boolean_setting_is_refused_with_its_name(monkeypatch):
    monkeypatch.setenv("YIWANG_DEBUG", "maybe")
    with pytest.raises(config.ConfigError, match="YIWANG_DEBUG"):
        config.read_all()


def test_every_setting_is_declared_once_with_a_description():
    names = [var.name for var in config.VARS]
    assert len(names) == len(set(names))
    assert all(var.description for var in config.VARS)


def test_pages_carry_security_headers(client, db):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_query_string_with_a_nul_character_is_refused_not_a_server_error(client, db):
    api = client.get("/api/v1/organisations", {"q": "江\x00澜"})
    assert api.status_code == 400 and api.json()["code"] == "validation_failed"
    assert client.get("/organisations/", {"q": "a\x00b"}).status_code == 400
    # the directory is public: a clean search still answers
    assert client.get("/api/v1/organisations", {"q": "江澜"}).status_code == 200


A_SUBJECT_KEY = "s" * config.SUBJECT_KEY_MIN_LENGTH


def test_a_previous_subject_key_cut_short_is_refused_by_position_without_showing_it(monkeypatch):
    # a comma inside a key splits it in two: both halves come out too short
    monkeypatch.setenv(
        "YIWANG_SUBJECT_HASH_PREVIOUS_KEYS", f"{A_SUBJECT_KEY},half-a-key,other-half"
    )
    with pytest.raises(config.ConfigError, match="YIWANG_SUBJECT_HASH_PREVIOUS_KEYS") as refused:
        config.read_all()
    assert "第 2、3 项" in str(refused.value) and "half-a-key" not in str(refused.value)


def test_previous_subject_keys_are_read_as_a_list(monkeypatch):
    monkeypatch.setenv("YIWANG_SUBJECT_HASH_PREVIOUS_KEYS", f" {A_SUBJECT_KEY} , {'t' * 40},")
    assert config.read_all()["SUBJECT_HASH_PREVIOUS_KEYS"] == [A_SUBJECT_KEY, "t" * 40]


@pytest.mark.parametrize(
    ("key", "problem"),
    [("changeme", "过短"), (A_SUBJECT_KEY + ",more", "不能含逗号")],
    ids=["short", "comma"],
)
def test_a_short_or_comma_bearing_subject_hash_key_is_refused(monkeypatch, key, problem):
    monkeypatch.setenv("YIWANG_SUBJECT_HASH_KEY", key)
    with pytest.raises(config.ConfigError, match=f"YIWANG_SUBJECT_HASH_KEY {problem}"):
        config.read_all()


def test_startup_refuses_a_malformed_previous_subject_key_list(tmp_path):
    result = run_yiwang("doctor", env={"YIWANG_VAR_DIR": str(tmp_path),
                                       "YIWANG_SUBJECT_HASH_PREVIOUS_KEYS": "short"})  # fmt: skip
    assert result.returncode != 0
    assert "YIWANG_SUBJECT_HASH_PREVIOUS_KEYS 第 1 项不足" in result.stderr


def test_production_starts_but_doctor_warns_when_the_subject_key_is_derived_from_secret_key(
    production_env,
):
    result = run_yiwang("doctor", env=production_env)
    warning = next(line for line in result.stdout.splitlines() if "主体摘要密钥" in line)
    assert warning.startswith("! ") and "YIWANG_SUBJECT_HASH_KEY" in warning


def test_doctor_is_content_with_a_dedicated_subject_key_in_production(production_env):
    env = {**production_env, "YIWANG_SUBJECT_HASH_KEY": secrets.token_urlsafe(40),
           "YIWANG_SUBJECT_HASH_PREVIOUS_KEYS": production_env["YIWANG_SECRET_KEY"]}  # fmt: skip
    result = run_yiwang("doctor", env=env)
    line = next(line for line in result.stdout.splitlines() if "主体摘要密钥" in line)
    assert line.startswith("✔ ") and "另有 1 个旧密钥" in line
    assert production_env["YIWANG_SECRET_KEY"] not in result.stdout
