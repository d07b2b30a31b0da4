"""JOSE, the server's own reading of RFC 7515/7518: parse and check a JWS, sign one PS256."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from etail.sandbox.netsuite.oauth2.common import (
    _B64URL,
    _CURVE_OF,
    _HASH,
    MAX_JWS_LENGTH,
)

# -- JOSE, the server's own reading of RFC 7515/7518 ---------------------------------------------


def _b64decode(part: str) -> bytes:
    if not _B64URL.match(part):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class Jws:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def parse_jws(token: str) -> Jws:
    """Split and decode a compact JWS; ``ValueError`` when it is not one."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise ValueError("a compact JWS has three parts")
    if len(token) > MAX_JWS_LENGTH:
        raise ValueError("the JWS is too long")
    try:
        header, claims = (json.loads(_b64decode(p), parse_constant=_no_constant) for p in parts[:2])
    except RecursionError:  # absurdly nested JSON must not become a 500
        raise ValueError("the JWS nests too deeply") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("JWS header and claims must be JSON objects")
    return Jws(header, claims, f"{parts[0]}.{parts[1]}".encode(), _b64decode(parts[2]))


def _no_constant(name: str) -> None:
    # NaN and Infinity are not JSON (RFC 8259 §6); an iat of NaN would slip past every bound.
    raise ValueError(f"{name} is not a JSON number")


def _alg_fits(alg: object, key: object) -> bool:
    """PS* needs an RSA key, ES* the curve its name fixes (NS:section_0312092212)."""
    if not isinstance(alg, str):
        return False
    if alg in ("PS256", "PS384", "PS512"):
        return isinstance(key, rsa.RSAPublicKey)
    if alg in _CURVE_OF:
        return isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == _CURVE_OF[alg][0]
    return False  # RS256 and every other algorithm are refused (UnsupportedAlgo)


def signature_valid(jws: Jws, key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey) -> bool:
    """RFC 7518 §3.5 (PSS, MGF1, salt = hash length) and §3.4 (ECDSA as raw R‖S)."""
    alg: str = jws.header["alg"]
    hash_alg = _HASH[alg[2:]]()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            pss = padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=hash_alg.digest_size)
            key.verify(jws.signature, jws.signing_input, pss, hash_alg)
            return True
        size = _CURVE_OF[alg][1]
        if len(jws.signature) != 2 * size:
            return False
        r = int.from_bytes(jws.signature[:size], "big")
        s = int.from_bytes(jws.signature[size:], "big")
        key.verify(encode_dss_signature(r, s), jws.signing_input, ec.ECDSA(hash_alg))
        return True
    except InvalidSignature:
        return False


def sign_token(header: dict[str, Any], claims: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    """A compact JWS signed PS256 (RFC 7518 §3.5), like NetSuite's own access tokens."""
    signing_input = f"{_b64json(header)}.{_b64json(claims)}"
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    return f"{signing_input}.{_b64encode(key.sign(signing_input.encode(), pss, hashes.SHA256()))}"


def _b64json(value: dict[str, Any]) -> str:
    return _b64encode(json.dumps(value, separators=(",", ":")).encode())
