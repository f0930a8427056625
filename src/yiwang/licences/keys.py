"""Seal keys: generation, encryption at rest, signing and verification (SM2 + SM3, or Ed25519).

Private keys are encrypted with AES-256-GCM under YIWANG_SEAL_ENCRYPTION_KEY (64 hex
characters); outside production a key is generated under VAR_DIR/keys like the platform
key. The seal's key id is the associated data, so a ciphertext moved to another seal
does not decrypt. Verification keeps one verifier per public key (the SM2 Z value is
computed once).
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import tempfile
from functools import cache, lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from gmalglib import sm2 as _sm2

from yiwang.core import crypto
from yiwang.licences.choices import SealAlgorithm

log = logging.getLogger(__name__)
CIPHER_PREFIX = "aesgcm1:"


class SealKeyError(RuntimeError):
    """A seal's private key cannot be used (wrong encryption key, damaged ciphertext)."""


# --- encryption at rest -------------------------------------------------------


@cache
def encryption_key() -> bytes:
    """The AES-256 key: YIWANG_SEAL_ENCRYPTION_KEY, else a file under VAR_DIR (not production)."""
    from django.conf import settings

    configured = settings.YIWANG["SEAL_ENCRYPTION_KEY"]
    if configured:
        return _parse_key(configured)
    if getattr(settings, "PRODUCTION", False):
        raise RuntimeError("生产环境必须配置 YIWANG_SEAL_ENCRYPTION_KEY")
    path = Path(settings.VAR_DIR) / "keys" / "seal_encryption.key"
    if not path.exists():
        _create_key_file(path)
    return _parse_key(path.read_text())


def _parse_key(text: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise RuntimeError("YIWANG_SEAL_ENCRYPTION_KEY 应为 64 个十六进制字符（AES-256 密钥）")
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".seal_encryption.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        os.link(temporary, path)
        log.warning("generated a development seal encryption key at %s", path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


def encrypt_private_key(private_key: bytes, key_id: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(encryption_key()).encrypt(nonce, private_key, key_id.encode())
    return CIPHER_PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt_private_key(ciphertext: str, key_id: str) -> bytes:
    if not ciphertext.startswith(CIPHER_PREFIX):
        raise SealKeyError("印章私钥密文格式不正确")
    raw = base64.b64decode(ciphertext[len(CIPHER_PREFIX) :])
    try:
        return AESGCM(encryption_key()).decrypt(raw[:12], raw[12:], key_id.encode())
    except InvalidTag as exc:
        raise SealKeyError("印章私钥无法解密：加密密钥不符或密文被篡改") from exc


# --- key pairs, signing, verification -------------------------------------------


def generate(algorithm: str) -> tuple[bytes, bytes]:
    """A new (private, public) key pair of `algorithm`."""
    if algorithm == SealAlgorithm.ED25519:
        private = Ed25519PrivateKey.generate()
        raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return raw, private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    pair = crypto.Sm2KeyPair.generate()
    return pair.private_key, pair.public_key


def key_id_for(public_key: bytes) -> str:
    """The seal's key id: the first 32 hex characters of the SM3 digest of its public key."""
    return crypto.sm3_hex(public_key)[:32]


def sign(algorithm: str, private_key: bytes, message: bytes) -> bytes:
    if algorithm == SealAlgorithm.ED25519:
        return Ed25519PrivateKey.from_private_bytes(private_key).sign(message)
    public = _sm2.SM2.get_pk(private_key, _sm2.SM2_PCMODE_RAW)
    return crypto.Sm2KeyPair(private_key=private_key, public_key=public).sign(message)


def verify(algorithm: str, public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` over `message` is by `public_key`; never raises on garbage."""
    verifier = _verifier(algorithm, public_key)
    return verifier is not None and verifier(message, signature)


@lru_cache(maxsize=4096)
def _verifier(algorithm: str, public_key: bytes):
    if algorithm == SealAlgorithm.ED25519:
        try:
            key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError:
            return None

        def check_ed25519(message: bytes, signature: bytes) -> bool:
            try:
                key.verify(signature, message)
                return True
            except InvalidSignature:
                return False

        return check_ed25519
    try:
        sm2 = _sm2.SM2(pk=public_key, uid=crypto.DEFAULT_SIGNER_ID)
    except (ValueError, TypeError):
        return None

    def check_sm2(message: bytes, signature: bytes) -> bool:
        try:
            return bool(sm2.verify(message, signature))
        except (ValueError, TypeError):
            return False

    return check_sm2


def jwk(algorithm: str, public_key: bytes) -> dict:
    """The public key as a JWK: OKP/Ed25519 (RFC 8037), or EC with curve "SM2" as Chinese practice writes it."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    if algorithm == SealAlgorithm.ED25519:
        return {"kty": "OKP", "crv": "Ed25519", "x": b64(public_key)}
    return {"kty": "EC", "crv": "SM2", "x": b64(public_key[1:33]), "y": b64(public_key[33:65])}


def public_key_from_jwk(key: dict) -> tuple[str, bytes]:
    """(algorithm, raw public key) of a JWK written by `jwk`; ValueError when it is not one."""

    def unb64(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    if key.get("kty") == "OKP" and key.get("crv") == "Ed25519":
        return SealAlgorithm.ED25519, unb64(key["x"])
    if key.get("kty") == "EC" and key.get("crv") == "SM2":
        return SealAlgorithm.SM2, b"\x04" + unb64(key["x"]) + unb64(key["y"])
    raise ValueError("不支持的公钥类型")
