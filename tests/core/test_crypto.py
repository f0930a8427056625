"""SM2 signatures cross-checked against a second, independent implementation (gmssl)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gmssl import gmssl_for
from yiwang.core.crypto import Sm2KeyPair, canonical_json, sm2_verify, sm3_hex


def gmssl_of(pair: Sm2KeyPair):
    return gmssl_for(pair.public_key.hex(), pair.private_key)


@pytest.fixture(scope="module")
def pair():
    return Sm2KeyPair.generate()


@settings(max_examples=20, deadline=None)
@given(message=st.binary(min_size=0, max_size=300))
def test_gmssl_verifies_our_signatures(pair, message):
    assert gmssl_of(pair).verify_with_sm3(pair.sign(message).hex(), message)


@settings(max_examples=20, deadline=None)
@given(message=st.binary(min_size=1, max_size=300))
def test_we_verify_gmssl_signatures(pair, message):
    signature = bytes.fromhex(gmssl_of(pair).sign_with_sm3(message))
    assert sm2_verify(pair.public_key, message, signature)


def test_cross_checks_hold_for_a_key_whose_x_begins_with_04():
    # gmssl's key parsing mangles such keys; the helper must not (one key in 256).
    pair = Sm2KeyPair.from_private_hex(
        "ca58cdded418e016e082e2756980b3c51d7cf634c372e4fc7721a0adbb85114a"
    )
    assert pair.public_key.hex().startswith("0404")
    assert gmssl_of(pair).verify_with_sm3(pair.sign(b"licence").hex(), b"licence")
    assert sm2_verify(
        pair.public_key, b"licence", bytes.fromhex(gmssl_of(pair).sign_with_sm3(b"licence"))
    )


def test_a_changed_message_or_another_key_fails_verification(pair):
    signature = pair.sign(b"licence")
    assert not sm2_verify(pair.public_key, b"licencf", signature)
    assert not sm2_verify(Sm2KeyPair.generate().public_key, b"licence", signature)


def test_garbage_signatures_and_keys_are_rejected_not_raised(pair):
    assert not sm2_verify(pair.public_key, b"x", b"\x00" * 10)
    assert not sm2_verify(b"\x04" + b"\x01" * 64, b"x", pair.sign(b"x"))


def test_an_invalid_private_key_is_refused():
    with pytest.raises(ValueError):
        Sm2KeyPair.from_private_hex("00" * 32)


def test_sm3_of_abc_matches_the_standard_example():
    # GB/T 32905 appendix A.1
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_canonical_json_sorts_keys_and_keeps_chinese():
    assert canonical_json({"b": 1, "a": "江澜"}) == '{"a":"江澜","b":1}'.encode()
