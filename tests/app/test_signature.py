"""Webhook signatures: GitHub's published test vector and every way a header can be wrong."""

import hashlib
import hmac

import pytest

from bot.app.signature import sign, verify

SECRET = b"It's a Secret to Everybody"
BODY = b"Hello, World!"
VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_sign_matches_githubs_test_vector():
    assert sign(SECRET, BODY) == VECTOR


def test_verify_accepts_the_test_vector():
    assert verify(SECRET, BODY, VECTOR) is True


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        pytest.param(SECRET, BODY + b" ", VECTOR, id="body-changed"),
        pytest.param(b"another secret", BODY, VECTOR, id="wrong-secret"),
        pytest.param(SECRET, BODY, None, id="missing-header"),
        pytest.param(SECRET, BODY, "", id="empty-header"),
        pytest.param(SECRET, BODY, "sha256=", id="empty-digest"),
        pytest.param(SECRET, BODY, VECTOR.upper(), id="upper-case"),
        pytest.param(SECRET, BODY, VECTOR[len("sha256=") :], id="no-prefix"),
        pytest.param(SECRET, BODY, VECTOR + "00", id="too-long"),
        pytest.param(SECRET, BODY, "sha256=é" + VECTOR[8:], id="non-ascii"),
        pytest.param(
            SECRET,
            BODY,
            "sha1=" + hmac.new(SECRET, BODY, hashlib.sha1).hexdigest(),
            id="sha1-only",
        ),
        pytest.param(
            b"", BODY, "sha256=" + hmac.new(b"", BODY, hashlib.sha256).hexdigest(), id="no-secret"
        ),
    ],
)
def test_verify_rejects(secret, body, header):
    assert verify(secret, body, header) is False
