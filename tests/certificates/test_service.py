"""Certificates: who qualifies, issuing once per person and kind, codes, revoking,
re-issuing, and the signed Open Badges credential."""

from __future__ import annotations

import copy
import json
import math
import os
import stat
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from iil_lms.certificates import codes, credentials, rules, service
from iil_lms.certificates.models import Certificate, SigningKey
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.settings import Settings
from tests.certificates.helpers import finished_cohort, issue_completion
from tests.conftest import Factory


def test_completion_rule_picks_exactly_those_who_finished_all_six_milestones(
    session: Session, factory: Factory
) -> None:
    w = finished_cohort(session, factory, trainees=5, done=2)
    picked = rules.qualifying(session, w.made.cohort.id or 0, "completion")
    assert picked == {u.id for u in w.finished}


def test_mentor_rule_picks_mentors_with_a_mentee_and_summit_picks_nobody_without_a_summit(
    session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=1, mentors=2, circles=0)
    session.add(
        MentorAssignment(
            cohort_id=made.cohort.id or 0,
            mentor_id=made.mentors[0].id or 0,
            trainee_id=made.trainees[0].id or 0,
        )
    )
    session.commit()
    assert rules.qualifying(session, made.cohort.id or 0, "mentor") == {made.mentors[0].id}
    assert rules.pitched_at_summit(session, made.cohort.id or 0) == set()


def test_preview_separates_those_who_already_hold_the_certificate(
    session: Session, factory: Factory, settings: Settings
) -> None:
    w = finished_cohort(session, factory, trainees=4, done=3)
    issue_completion(session, settings, w.made, w.finished[:1])
    choice = service.find_choice(session, w.made.cohort.id or 0, "completion")
    seen = service.preview(session, w.made.cohort.id or 0, choice)
    assert {p.user_id for p in seen.already} == {w.finished[0].id}
    assert {p.user_id for p in seen.to_issue} == {u.id for u in w.finished[1:]}


def test_issuing_twice_issues_once_per_person_and_kind(
    session: Session, factory: Factory, settings: Settings
) -> None:
    w = finished_cohort(session, factory, trainees=3, done=2)
    first = issue_completion(session, settings, w.made, w.finished)
    again = issue_completion(session, settings, w.made, w.finished)
    assert len(first) == 2 and again == []
    assert len(session.exec(select(Certificate)).all()) == 2


def test_issuing_refuses_people_outside_the_cohort(
    session: Session, factory: Factory, settings: Settings
) -> None:
    w = finished_cohort(session, factory, trainees=2, done=1)
    stranger = factory.user(name="Stranger")
    choice = service.find_choice(session, w.made.cohort.id or 0, "completion")
    kind = service.ensure_kind(session, w.made.cohort, choice)
    made = service.issue(
        session,
        settings,
        cohort=w.made.cohort,
        kind=kind,
        user_ids=[stranger.id or 0],
        issued_by_id=None,
    )
    assert made.certificates == [] and made.refused[0][0] == stranger.id


def test_codes_are_unique_and_carry_at_least_128_random_bits() -> None:
    made = {codes.new_code() for _ in range(5000)}
    assert len(made) == 5000
    assert all(codes.well_formed(c) and len(c) == codes.LENGTH for c in made)
    # 26 free symbols of 32, minus the redraw of 5 check values in 37
    assert codes.BODY_LENGTH * 5 + math.log2(32 / 37) >= 128
    # every symbol position takes many values: nothing fixed or sequential
    for position in range(codes.BODY_LENGTH):
        assert len({c[position] for c in made}) > 20


def test_typed_codes_forgive_case_dashes_and_look_alike_letters() -> None:
    code = codes.new_code()
    typed = codes.grouped(code).lower().replace("0", "o").replace("1", "l")
    assert codes.normalize(" " + typed.replace("-", " ") + " ") == code
    wrong = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]
    assert not codes.well_formed(wrong)
    swapped = code[:3] + code[4] + code[3] + code[5:]
    assert code[3] == code[4] or not codes.well_formed(swapped)


def test_revoking_needs_a_reason_and_shows_the_date(
    session: Session, factory: Factory, settings: Settings
) -> None:
    w = finished_cohort(session, factory, trainees=1, done=1)
    (cert,) = issue_completion(session, settings, w.made, w.finished)
    with pytest.raises(service.CertificateError):
        service.revoke(session, cert, by_id=w.made.organisers[0].id or 0, reason="  ")
    service.revoke(session, cert, by_id=w.made.organisers[0].id or 0, reason="Plagiarism")
    session.commit()
    assert service.status_of(cert) == service.REVOKED and cert.revoked_at is not None


def test_reissue_makes_a_new_certificate_and_leaves_the_old_unchanged(
    session: Session, factory: Factory, settings: Settings
) -> None:
    w = finished_cohort(session, factory, trainees=1, done=1)
    (old,) = issue_completion(session, settings, w.made, w.finished)
    before = (old.code, old.holder_name, old.credential, old.issued_on)
    new = service.reissue(session, settings, old, by_id=w.made.organisers[0].id or 0)
    session.commit()
    assert new.code != old.code and new.supersedes_id == old.id
    assert (old.code, old.holder_name, old.credential, old.issued_on) == before
    assert service.status_of(old) == service.SUPERSEDED
    assert service.status_of(new) == service.VALID
    assert service.successor(session, old) == new


def test_signed_credential_verifies_and_fails_after_one_byte_changes(
    session: Session, factory: Factory, settings: Settings
) -> None:
    w = finished_cohort(session, factory, trainees=1, done=1)
    (cert,) = issue_completion(session, settings, w.made, w.finished)
    document = json.loads(cert.credential)
    assert "OpenBadgeCredential" in document["type"]
    assert document["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    verified = credentials.verify(document)
    assert verified.holder_name == cert.holder_name
    raw = cert.credential.encode()
    index = raw.index(cert.holder_name.encode())
    tampered = raw[:index] + bytes([raw[index] ^ 1]) + raw[index + 1 :]
    with pytest.raises(credentials.CredentialInvalid):
        credentials.verify(json.loads(tampered))
    other = copy.deepcopy(document)
    other["proof"]["proofValue"] = "z" + credentials.b58encode(b"\x01" * 64)
    with pytest.raises(credentials.CredentialInvalid):
        credentials.verify(other)


def test_academy_keys_are_private_files_and_old_credentials_verify_after_rotation(
    session: Session, factory: Factory, settings: Settings
) -> None:
    w = finished_cohort(session, factory, trainees=2, done=2)
    (first,) = issue_completion(session, settings, w.made, w.finished[:1])
    key = session.exec(select(SigningKey)).one()
    path = settings.data_dir / "keys" / key.file_name
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    credentials.rotate_key(session, settings, w.made.academy.id or 0)
    (second,) = issue_completion(session, settings, w.made, w.finished[1:])
    one, two = (credentials.verify(json.loads(c.credential)) for c in (first, second))
    assert one.public_key != two.public_key


def test_unsigned_document_shape_is_open_badges_3() -> None:
    facts = credentials.CredentialFacts(
        url="http://x/verify/A",
        issuer_url="http://x/academies/a",
        issuer_name="Academy",
        holder_name="Name",
        kind_url="http://x/k/1",
        title="T",
        achievement="A",
        programme="P",
        issued_at=datetime(2027, 7, 30, tzinfo=UTC),
    )
    document = credentials.unsigned_credential(facts)
    assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert document["credentialSubject"]["achievement"]["type"] == ["Achievement"]
    assert document["validFrom"] == "2027-07-30T00:00:00Z"
