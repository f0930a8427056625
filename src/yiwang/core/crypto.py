"""SM2 + SM3 signatures (GB/T 32918, GB/T 32905) over canonical JSON (RFC 8785).

gmalglib (C) does the arithmetic; signatures use the standard default signer id
``1234567812345678`` so that other implementations verify them.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rfc8785
from gmalglib import sm2 as _sm2
from gmalglib import sm3 as _sm3

DEFAULT_SIGNER_ID = b"1234567812345678"
log = logging.getLogger(__name__)


def canonical_json(data) -> bytes:
    """The RFC 8785 canonical form of `data`: what is hashed and signed."""
    return rfc8785.dumps(data)


def sm3_hex(data: bytes) -> str:
    return _sm3.SM3(data).digest().hex()


@dataclass(frozen=True)
class Sm2KeyPair:
    private_key: bytes
    public_key: bytes

    @classmethod
    def generate(cls) -> Sm2KeyPair:
        sk, pk = _sm2.SM2().generate_keypair()
        return cls(private_key=sk, public_key=pk)

    @classmethod
    def from_private_hex(cls, hex_key: str) -> Sm2KeyPair:
        sk = bytes.fromhex(hex_key.strip())
        if not _sm2.SM2.is_sk_valid(sk):
            raise ValueError("SM2 私钥无效")
        return cls(private_key=sk, public_key=_sm2.SM2.get_pk(sk, _sm2.SM2_PCMODE_RAW))

    def sign(self, message: bytes) -> bytes:
        return _sm2.SM2(sk=self.private_key, pk=self.public_key, uid=DEFAULT_SIGNER_ID).sign(
            message
        )


def sm2_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        return bool(_sm2.SM2(pk=public_key, uid=DEFAULT_SIGNER_ID).verify(message, signature))
    except (ValueError, TypeError):
        return False


@cache
def platform_key() -> Sm2KeyPair:
    """The platform's SM2 key: from YIWANG_PLATFORM_SM2_KEY, else a file under VAR_DIR (not production)."""
    from django.conf import settings

    configured = settings.YIWANG["PLATFORM_SM2_KEY"]
    if configured:
        return Sm2KeyPair.from_private_hex(configured)
    if getattr(settings, "PRODUCTION", False):
        raise RuntimeError("生产环境必须配置 YIWANG_PLATFORM_SM2_KEY")
    path = development_key_path()
    if not path.exists():
        _create_key_file(path)
    return Sm2KeyPair.from_private_hex(path.read_text())


def development_key_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "keys" / "platform_sm2.key"


def replace_development_key(pair: Sm2KeyPair) -> None:
    """Put `pair` in the development key file (rotation): the old private key is not kept, so
    that a retired key can sign nothing more."""
    path = development_key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".platform_sm2.")
    with os.fdopen(fd, "w") as handle:
        handle.write(pair.private_key.hex())
    os.replace(temporary, path)
    platform_key.cache_clear()


def _create_key_file(path: Path) -> None:
    """Write a new development key; of several processes racing here, the first link wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".platform_sm2.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(Sm2KeyPair.generate().private_key.hex())
        os.link(temporary, path)
        log.warning("generated a development platform SM2 key at %s", path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
