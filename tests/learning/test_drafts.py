"""An overwritten draft can be brought back: the text another tab or device had saved is
kept when a save that had not seen it replaces it (and text that stood a while before a
change), the newest ten per draft, and the trainee restores one from the conflict notice
or the list of earlier versions, with htmx or a plain form post."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from iil_lms.learning import drafts, service
from iil_lms.learning.models import Draft, DraftVersion
from tests.conftest import Factory, WebClient
from tests.learning.factories import course

HX = {"HX-Request": "true"}


@pytest.fixture
def seat(session: Session, factory: Factory) -> dict[str, Any]:
    made = factory.cohort(trainees=2)
    c = course(session, made.cohort)
    return {
        "made": made,
        "course": c,
        "args": {
            "cohort_id": made.cohort.id,
            "user_id": made.trainees[0].id,
            "exercise_id": c.exercises["reflection"].id,
        },
    }


def _versions(session: Session) -> list[DraftVersion]:
    session.expire_all()
    return list(session.exec(select(DraftVersion).order_by(DraftVersion.id.desc())))  # type: ignore[union-attr]


def _age_draft(session: Session, minutes: int) -> None:
    for draft in session.exec(select(Draft)):
        draft.updated_at = draft.updated_at - timedelta(minutes=minutes)
        session.add(draft)
    session.flush()


# --- the service ------------------------------------------------------------------------


def test_text_replaced_by_a_stale_save_is_kept_and_can_be_restored(
    session: Session, seat: dict[str, Any]
) -> None:
    args = seat["args"]
    service.save_draft(session, content={"answer": "typed on the laptop"}, base_revision=0, **args)
    stale = service.save_draft(
        session, content={"answer": "typed on the phone"}, base_revision=0, **args
    )
    assert stale.overwrote_newer and stale.overwritten is not None
    assert stale.overwritten.content == {"answer": "typed on the laptop"}
    service.restore_draft(session, version_id=stale.overwritten.id, **args)
    draft = service.get_draft(session, **args)
    assert draft is not None and draft.content == {"answer": "typed on the laptop"}
    assert draft.revision == 3  # a tab still holding revision 2 is told on its next save
    # The phone's text was kept in turn: the restore can be undone.
    [kept] = _versions(session)
    assert kept.content == {"answer": "typed on the phone"} and not kept.overwritten
    service.restore_draft(session, version_id=kept.id, **args)
    assert service.get_draft(session, **args).content == {"answer": "typed on the phone"}
    assert [v.content for v in _versions(session)] == [{"answer": "typed on the laptop"}]


def test_ordinary_autosaves_keep_no_versions_but_text_left_a_while_is_kept(
    session: Session, seat: dict[str, Any]
) -> None:
    args = seat["args"]
    for revision, text in enumerate(["F", "Fi", "Fir", "First draft"]):
        service.save_draft(session, content={"answer": text}, base_revision=revision, **args)
    assert _versions(session) == []
    _age_draft(session, 60 * 24)
    service.save_draft(session, content={"answer": "Rewritten"}, base_revision=4, **args)
    [kept] = _versions(session)
    assert kept.content == {"answer": "First draft"} and not kept.overwritten


def test_only_the_newest_ten_versions_are_kept(session: Session, seat: dict[str, Any]) -> None:
    args = seat["args"]
    for i in range(drafts.KEEP + 5):
        service.save_draft(session, content={"answer": f"text {i}"}, base_revision=0, **args)
    kept = _versions(session)
    assert len(kept) == drafts.KEEP
    assert kept[0].content == {"answer": f"text {drafts.KEEP + 3}"}


def test_an_empty_or_unchanged_draft_keeps_no_version(
    session: Session, seat: dict[str, Any]
) -> None:
    args = seat["args"]
    service.save_draft(session, content={"answer": ""}, base_revision=0, **args)
    service.save_draft(session, content={"answer": "x"}, base_revision=0, **args)
    service.save_draft(session, content={"answer": "x"}, base_revision=0, **args)
    assert _versions(session) == []


def test_a_version_of_another_trainees_draft_cannot_be_restored(
    session: Session, seat: dict[str, Any]
) -> None:
    args = seat["args"]
    service.save_draft(session, content={"answer": "mine"}, base_revision=0, **args)
    stale = service.save_draft(session, content={"answer": "mine 2"}, base_revision=0, **args)
    assert stale.overwritten is not None
    other = {**args, "user_id": seat["made"].trainees[1].id}
    service.save_draft(session, content={"answer": "theirs"}, base_revision=0, **other)
    with pytest.raises(service.DraftVersionMissing):
        service.restore_draft(session, version_id=stale.overwritten.id, **other)
    quiz = {**args, "exercise_id": seat["course"].exercises["action_plan"].id}
    with pytest.raises(service.DraftVersionMissing):
        service.restore_draft(session, version_id=stale.overwritten.id, **quiz)


# --- over HTTP --------------------------------------------------------------------------


def _token(client: WebClient, path: str) -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def _two_tabs_conflict(client: WebClient, path: str) -> Any:
    headers = {**HX, "X-CSRF-Token": _token(client, path)}
    client.post(
        f"{path}/draft", data={"answer": "Laptop text", "base_revision": "0"}, headers=headers
    )
    return client.post(
        f"{path}/draft", data={"answer": "Phone text", "base_revision": "0"}, headers=headers
    )


def test_conflict_notice_shows_the_other_text_and_restores_it_with_htmx(
    client: WebClient, seat: dict[str, Any]
) -> None:
    path = f"/journey/exercises/{seat['args']['exercise_id']}"
    client.login(seat["made"].trainees[0].email)
    stale = _two_tabs_conflict(client, path)
    assert 'id="conflict-notice"' in stale.text and "Laptop text" in stale.text
    version_id = re.search(r'name="version_id" value="(\d+)"', stale.text)
    assert version_id
    restored = client.post(
        f"{path}/draft/restore",
        data={"version_id": version_id.group(1), "csrf_token": _token(client, path)},
        headers=HX,
    )
    assert restored.status_code == 204 and restored.headers["HX-Redirect"] == path
    page = client.get(path).text
    assert "Laptop text" in page.split('id="draft-versions"')[0]  # back in the form
    assert "Phone text" in page.split('id="draft-versions"')[1]  # and the phone's kept


def test_earlier_versions_are_listed_and_restored_without_javascript(
    client: WebClient, seat: dict[str, Any]
) -> None:
    path = f"/journey/exercises/{seat['args']['exercise_id']}"
    client.login(seat["made"].trainees[0].email)
    _two_tabs_conflict(client, path)
    page = client.get(path).text
    assert "Earlier versions of your draft" in page
    version_id = re.search(r'name="version_id" value="(\d+)"', page)
    assert version_id
    response = client.post(
        f"{path}/draft/restore",
        data={"version_id": version_id.group(1), "csrf_token": _token(client, path)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == path
    answer = re.search(r"<textarea[^>]*>([^<]*)</textarea>", client.get(path).text)
    assert answer and answer.group(1).strip() == "Laptop text"


def test_restoring_someone_elses_or_a_made_up_version_is_404(
    make_client: Any, seat: dict[str, Any]
) -> None:
    path = f"/journey/exercises/{seat['args']['exercise_id']}"
    owner = make_client()
    owner.login(seat["made"].trainees[0].email)
    stale = _two_tabs_conflict(owner, path)
    version_id = re.search(r'name="version_id" value="(\d+)"', stale.text)
    assert version_id
    other = make_client()
    other.login(seat["made"].trainees[1].email)
    token = _token(other, path)
    for value in (version_id.group(1), "999999"):
        response = other.post(
            f"{path}/draft/restore", data={"version_id": value, "csrf_token": token}
        )
        assert response.status_code == 404
    too_big = other.post(
        f"{path}/draft/restore", data={"version_id": "99999999999999999999", "csrf_token": token}
    )
    assert too_big.status_code == 400
