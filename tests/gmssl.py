"""gmssl, the second SM2 implementation the tests check ours against."""

from gmssl import sm2 as gmssl_sm2


def gmssl_for(public_hex: str, private_key: bytes | None = None) -> gmssl_sm2.CryptSM2:
    """A gmssl signer/verifier for an uncompressed SM2 public key in hex (04 || x || y).

    gmssl 3.2.2 strips a leading "04" from the key with ``str.lstrip``, which
    also eats the x coordinate's own leading 0s and 4s (about one key in 256),
    so the key is set again after construction.
    """
    point = public_hex[2:]
    crypt = gmssl_sm2.CryptSM2(
        private_key=private_key.hex() if private_key else "", public_key=point
    )
    crypt.public_key = point
    return crypt
