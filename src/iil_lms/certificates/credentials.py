"""Open Badges 3.0 credentials (W3C Verifiable Credentials, JSON-LD) signed with the
academy's Ed25519 key as a Data Integrity proof (cryptosuite `eddsa-jcs-2022`: JSON
canonicalization, SHA-256, Ed25519), and each academy's keys.

The verification method is a `did:key` holding the public key itself, so a credential
is checked offline with nothing but the file. Private keys are files in the storage
folder (folder 0700, file 0600); the public halves stay in the database for ever, so
credentials signed before a key rotation keep verifying (see docs/certificate-keys.md)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlmodel import Session, col, select

from iil_lms.certificates.models import SigningKey
from iil_lms.db import utcnow
from iil_lms.settings import Settings

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CRYPTOSUITE = "eddsa-jcs-2022"
_ED25519_MULTICODEC = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class CredentialInvalid(ValueError):
    """Why a credential does not verify."""


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            raise CredentialInvalid(f"not base58: {char!r}")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def canonical(value: Any) -> bytes:
    """RFC 8785 JSON canonicalization for the values a credential holds (strings,
    integers, lists, objects with ASCII keys)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def did_key(public_key: bytes) -> str:
    return "did:key:z" + b58encode(_ED25519_MULTICODEC + public_key)


def public_key_of(verification_method: str) -> bytes:
    """The raw Ed25519 public key a `did:key:z6Mk...#...` names."""
    did = verification_method.split("#", 1)[0]
    if not did.startswith("did:key:z"):
        raise CredentialInvalid("the verification method is not an Ed25519 did:key")
    decoded = b58decode(did.removeprefix("did:key:z"))
    if not decoded.startswith(_ED25519_MULTICODEC) or len(decoded) != 34:
        raise CredentialInvalid("the verification method is not an Ed25519 did:key")
    return decoded[2:]


# --- keys ------------------------------------------------------------------------------


def _keys_folder(settings: Settings) -> Path:
    folder = settings.data_dir / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


@dataclass(frozen=True)
class AcademyKey:
    row: SigningKey
    private: Ed25519PrivateKey

    @property
    def public(self) -> bytes:
        return bytes.fromhex(self.row.public_key)

    @property
    def verification_method(self) -> str:
        did = did_key(self.public)
        return f"{did}#{did.removeprefix('did:key:')}"


def _load(settings: Settings, row: SigningKey) -> AcademyKey:
    data = (_keys_folder(settings) / row.file_name).read_bytes()
    private = serialization.load_pem_private_key(data, password=None)
    assert isinstance(private, Ed25519PrivateKey)
    return AcademyKey(row, private)


def _generate(session: Session, settings: Settings, academy_id: int) -> AcademyKey:
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    name = f"academy-{academy_id}-{secrets.token_hex(8)}.pem"
    descriptor = os.open(_keys_folder(settings) / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    row = SigningKey(academy_id=academy_id, public_key=public.hex(), file_name=name)
    session.add(row)
    session.flush()
    return AcademyKey(row, private)


def academy_key(session: Session, settings: Settings, academy_id: int) -> AcademyKey:
    """The academy's current signing key, generated the first time one is needed."""
    row = session.exec(
        select(SigningKey)
        .where(col(SigningKey.academy_id) == academy_id, col(SigningKey.retired_at).is_(None))
        .order_by(col(SigningKey.id).desc())
    ).first()
    if row is None:
        return _generate(session, settings, academy_id)
    return _load(settings, row)


def rotate_key(session: Session, settings: Settings, academy_id: int) -> AcademyKey:
    """Retire the academy's current key (its public half is kept, so what it signed
    still verifies) and make a new one for everything signed from now on."""
    for row in session.exec(
        select(SigningKey).where(
            col(SigningKey.academy_id) == academy_id, col(SigningKey.retired_at).is_(None)
        )
    ).all():
        row.retired_at = utcnow()
        session.add(row)
    return _generate(session, settings, academy_id)


# --- credentials -----------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialFacts:
    url: str  # the public verification page: the credential's id
    issuer_url: str
    issuer_name: str
    holder_name: str
    kind_url: str
    title: str
    achievement: str
    programme: str
    issued_at: datetime


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def unsigned_credential(facts: CredentialFacts) -> dict[str, Any]:
    return {
        "@context": CONTEXTS,
        "id": facts.url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.title,
        "issuer": {"id": facts.issuer_url, "type": ["Profile"], "name": facts.issuer_name},
        "validFrom": _iso(facts.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": facts.holder_name,
                }
            ],
            "achievement": {
                "id": facts.kind_url,
                "type": ["Achievement"],
                "name": facts.title,
                "description": facts.achievement or facts.title,
                "criteria": {"narrative": facts.achievement or facts.title},
                "tag": [facts.programme],
            },
        },
    }


def _hash_data(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    return (
        hashlib.sha256(canonical(proof_config)).digest()
        + hashlib.sha256(canonical(document)).digest()
    )


def sign(document: dict[str, Any], key: AcademyKey, created: datetime) -> dict[str, Any]:
    """The document with a Data Integrity proof (eddsa-jcs-2022) by the academy's key."""
    proof_config = {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": _iso(created),
        "verificationMethod": key.verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.private.sign(_hash_data(document, proof_config))
    proof = {k: v for k, v in proof_config.items() if k != "@context"}
    proof["proofValue"] = "z" + b58encode(signature)
    return {**document, "proof": proof}


@dataclass(frozen=True)
class Verified:
    public_key: bytes
    issuer_name: str
    holder_name: str
    title: str
    url: str


def verify(credential: dict[str, Any]) -> Verified:
    """Check a signed credential's proof; raises CredentialInvalid saying why not."""
    if not isinstance(credential, dict) or not isinstance(credential.get("proof"), dict):
        raise CredentialInvalid("the credential has no proof")
    proof = dict(credential["proof"])
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise CredentialInvalid(f"not a {CRYPTOSUITE} Data Integrity proof")
    value = proof.pop("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        raise CredentialInvalid("the proof value is not base58btc")
    document = {k: v for k, v in credential.items() if k != "proof"}
    proof_config = {"@context": document.get("@context"), **proof}
    public = public_key_of(str(proof.get("verificationMethod", "")))
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(
            b58decode(value[1:]), _hash_data(document, proof_config)
        )
    except (InvalidSignature, ValueError) as error:
        raise CredentialInvalid("the signature does not match the credential") from error
    subject = document.get("credentialSubject") or {}
    identifiers = subject.get("identifier") or [{}]
    return Verified(
        public_key=public,
        issuer_name=str((document.get("issuer") or {}).get("name", "")),
        holder_name=str(identifiers[0].get("identityHash", "")),
        title=str(document.get("name", "")),
        url=str(document.get("id", "")),
    )
