"""Certificate pages: the organiser previews and issues, revokes and re-issues; the
holder finds their certificates; anyone checks a code (valid, revoked, unknown), also
as JSON, typing it with mistakes."""

from __future__ import annotations

from sqlmodel import Session, select

from iil_lms.certificates import codes
from iil_lms.certificates.models import Certificate, CertificateJob
from iil_lms.settings import Settings
from tests.certificates.helpers import finished_cohort, issue_completion
from tests.conftest import Factory, WebClient


def test_verify_page_says_valid_with_holder_achievement_issuer_and_date(
    client: WebClient, session: Session, factory: Factory, settings: Settings
) -> None:
    w = finished_cohort(session, factory, trainees=1, done=1)
    (cert,) = issue_completion(session, settings, w.made, w.finished)
    page = client.get(f"/verify/{codes.grouped(cert.code)}")
    assert page.status_code == 200
    assert "Valid" in page.text
    assert cert.holder_name in page.text and w.made.academy.name in page.text
    assert "Certificate of completion" in page.text
    data = client.get(f"/api/v1/certificates/{cert.code}").json()
    assert data["status"] == "valid" and data["holder"] == cert.holder_name
    assert data["issuer"] == w.made.academy.name


def test_verify_page_says_revoked_with_the_date(
    client: WebClient, session: Session, factory: Factory, settings: Settings
) -> None:
    w = finished_cohort(session, factory, trainees=1, done=1)
    (cert,) = issue_completion(session, settings, w.made, w.finished)
    client.login(w.made.organisers[0].email)
    response = client.post_form(
        f"/cohorts/{w.made.cohort.id}/certificates/{cert.id}/revoke", {"reason": "Plagiarism"}
    )
    assert response.status_code == 303
    page = client.get(f"/verify/{cert.code}")
    assert "Revoked on" in page.text
    data = client.get(f"/api/v1/certificates/{cert.code}").json()
    assert data["status"] == "revoked" and data["revoked_on"]


def test_unknown_code_answers_404_saying_unknown(client: WebClient) -> None:
    page = client.get(f"/verify/{codes.grouped(codes.new_code())}")
    assert page.status_code == 404 and "Unknown code" in page.text
    assert client.get("/verify/not-a-code").status_code == 404
    assert client.get("/api/v1/certificates/nothing").json()["status"] == "unknown"


def test_code_typed_with_mistakes_finds_the_certificate(
    client: WebClient, session: Session, factory: Factory, settings: Settings
) -> None:
    w = finished_cohort(session, factory, trainees=1, done=1)
    (cert,) = issue_completion(session, settings, w.made, w.finished)
    typed = codes.grouped(cert.code).lower().replace("-", " ").replace("1", "l")
    response = client.get("/verify", params={"code": typed}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/verify/{codes.grouped(cert.code)}"
    wrong = client.get("/verify", params={"code": "ABCD-1234"})
    assert wrong.status_code == 400 and "not a certificate code" in wrong.text


def test_organiser_previews_who_qualifies_then_issues_the_cohort(
    client: WebClient, session: Session, factory: Factory
) -> None:
    w = finished_cohort(session, factory, trainees=4, done=2)
    client.login(w.made.organisers[0].email)
    base = f"/cohorts/{w.made.cohort.id}/certificates"
    preview = client.get(f"{base}/preview?kind=completion")
    for user in w.finished:
        assert user.display_name in preview.text
    for user in w.unfinished:
        assert user.display_name not in preview.text
    response = client.post_form(f"{base}/bulk", {"kind": "completion"}, token_from=base)
    assert response.status_code == 303 and "/jobs/" in response.headers["location"]
    job = session.exec(select(CertificateJob)).one()
    assert job.total == 2
    page = client.get(response.headers["location"])
    assert "0 of 2" in page.text and 'hx-trigger="every 1s"' in page.text


def test_organiser_issues_by_hand_and_holder_sees_and_downloads_it(
    make_client, session: Session, factory: Factory
) -> None:
    w = finished_cohort(session, factory, trainees=2, done=0)
    organiser, trainee = make_client(), make_client()
    organiser.login(w.made.organisers[0].email)
    base = f"/cohorts/{w.made.cohort.id}/certificates"
    response = organiser.post_form(
        f"{base}/issue", {"kind": "completion", "user_id": w.made.trainees[1].id}, token_from=base
    )
    assert response.status_code == 303
    cert = session.exec(select(Certificate)).one()
    assert cert.user_id == w.made.trainees[1].id
    again = organiser.post_form(
        f"{base}/issue", {"kind": "completion", "user_id": w.made.trainees[1].id}, token_from=base
    )
    assert again.status_code == 303
    assert len(session.exec(select(Certificate)).all()) == 1
    trainee.login(w.made.trainees[1].email)
    mine = trainee.get("/certificates")
    assert "Certificate of completion" in mine.text and codes.grouped(cert.code) in mine.text
    download = trainee.get(f"/certificates/{cert.code}/pdf")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")


def test_reissue_gives_a_new_code_and_the_old_page_points_to_it(
    client: WebClient, session: Session, factory: Factory, settings: Settings
) -> None:
    w = finished_cohort(session, factory, trainees=1, done=1)
    (old,) = issue_completion(session, settings, w.made, w.finished)
    client.login(w.made.organisers[0].email)
    base = f"/cohorts/{w.made.cohort.id}/certificates"
    assert client.post_form(f"{base}/{old.id}/reissue", token_from=base).status_code == 303
    new = session.exec(select(Certificate).where(Certificate.supersedes_id == old.id)).one()
    page = client.get(f"/verify/{old.code}")
    assert "Replaced" in page.text and codes.grouped(new.code) in page.text


def test_custom_kind_needs_a_title(client: WebClient, session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=1, circles=0)
    client.login(made.organisers[0].email)
    base = f"/cohorts/{made.cohort.id}/certificates"
    refused = client.post_form(f"{base}/kinds", {"title": " "}, token_from=base)
    assert refused.status_code == 400 and "Give the certificate a title" in refused.text
    made_kind = client.post_form(
        f"{base}/kinds", {"title": "Best pitch", "title_local": "بہترین"}, token_from=base
    )
    assert made_kind.status_code == 303
    assert "Best pitch" in client.get(base).text
