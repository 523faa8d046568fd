"""Learning circles: privacy, posts and replies, mentions, hiding, paging, and the
trainer's circle management."""

from __future__ import annotations

import re

from sqlmodel import select

from iil_lms.mentoring.models import CirclePost
from iil_lms.notifications.models import Notification
from tests.mentoring.helpers import fresh


def _two_circles(factory):
    # trainees alternate between circle 1 and circle 2
    return factory.cohort(trainees=4, mentors=1, circles=2)


def test_members_of_other_circles_cannot_read_a_circle(client, make_client, factory, session):
    c = _two_circles(factory)
    circle_one, circle_two = c.circles
    member, outsider = c.trainees[0], c.trainees[1]
    client.login(member.email)
    assert client.get(f"/circles/{circle_one.id}").status_code == 200
    assert client.get(f"/circles/{circle_two.id}").status_code == 404
    assert client.post_form(f"/circles/{circle_two.id}/posts", {"body": "hi"}).status_code == 404
    other = make_client()
    other.login(outsider.email)
    assert other.get(f"/circles/{circle_one.id}").status_code == 404
    mentor = make_client()
    mentor.login(c.mentors[0].email)
    assert mentor.get(f"/circles/{circle_one.id}").status_code == 404
    stranger_cohort = factory.cohort(trainees=1)
    stranger = make_client()
    stranger.login(stranger_cohort.trainers[0].email)
    assert stranger.get(f"/circles/{circle_one.id}").status_code == 404
    trainer = make_client()
    trainer.login(c.trainers[0].email)
    assert trainer.get(f"/circles/{circle_one.id}").status_code == 200
    assert trainer.get(f"/circles/{circle_two.id}").status_code == 200


def test_circle_menu_item_leads_to_own_circle(client, factory):
    c = _two_circles(factory)
    client.login(c.trainees[1].email)
    response = client.get("/circle", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/circles/{c.circles[1].id}"


def test_posts_replies_and_mentions_notify_people(client, make_client, factory, session):
    c = factory.cohort(trainees=6, circles=2)
    alice, bob, carol = c.trainees[0], c.trainees[2], c.trainees[4]  # all in circle 1
    outsider = c.trainees[1]  # circle 2
    circle = c.circles[0]
    client.login(alice.email)
    body = (
        f"Who has tried a citizen charter? @{bob.display_name} you did, I think. "
        f"@{outsider.display_name}"
    )
    response = client.post_form(f"/circles/{circle.id}/posts", {"body": body})
    assert response.status_code == 303
    session.commit()
    post = session.exec(select(CirclePost)).one()
    told = session.exec(select(Notification.user_id, Notification.kind)).all()
    assert told == [(bob.id, "mention")]  # only circle members can be mentioned

    as_carol = make_client()
    as_carol.login(carol.email)
    response = as_carol.post_form(
        f"/circles/{circle.id}/posts",
        {"body": "We printed one at the tehsil office.", "parent_id": post.id},
    )
    assert response.status_code == 303
    session.commit()
    reply = session.exec(select(CirclePost).where(CirclePost.parent_id == post.id)).one()
    assert reply.author_id == carol.id
    assert (alice.id, "reply") in session.exec(
        select(Notification.user_id, Notification.kind)
    ).all()
    page = client.get(f"/circles/{circle.id}").text
    assert "citizen charter" in page and "tehsil office" in page


def test_a_script_in_a_post_is_never_rendered_as_a_tag(client, factory, session):
    c = factory.cohort(trainees=2, circles=1)
    client.login(c.trainees[0].email)
    client.post_form(
        f"/circles/{c.circles[0].id}/posts",
        {"body": "<script>alert(document.cookie)</script>[x](javascript:alert(1))"},
    )
    html = client.get(f"/circles/{c.circles[0].id}").text
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in html


def test_a_trainer_hides_a_post_which_is_kept(client, make_client, factory, session):
    c = factory.cohort(trainees=2, circles=1)
    author, reader = c.trainees
    circle = c.circles[0]
    client.login(author.email)
    client.post_form(f"/circles/{circle.id}/posts", {"body": "Rude remark about a colleague"})
    session.commit()
    post = session.exec(select(CirclePost)).one()
    as_reader = make_client()
    as_reader.login(reader.email)
    refused = as_reader.post_form(f"/circles/{circle.id}/posts/{post.id}/hide", {"reason": "x"})
    assert refused.status_code == 403
    trainer = make_client()
    trainer.login(c.trainers[0].email)
    response = trainer.post_form(
        f"/circles/{circle.id}/posts/{post.id}/hide", {"reason": "Personal remarks are not allowed"}
    )
    assert response.status_code == 303
    session.commit()
    session.refresh(post)
    assert post.hidden_at is not None and post.hidden_by_id == c.trainers[0].id
    seen = as_reader.get(f"/circles/{circle.id}").text
    assert "Rude remark" not in seen
    assert "A trainer hid this post." in seen
    own = client.get(f"/circles/{circle.id}").text
    assert "Personal remarks are not allowed" in own and "Rude remark" not in own
    assert "Rude remark" in trainer.get(f"/circles/{circle.id}").text
    trainer.post_form(f"/circles/{circle.id}/posts/{post.id}/show")
    assert "Rude remark" in as_reader.get(f"/circles/{circle.id}").text


def test_posts_page_in_twenties_with_htmx_loading_older_ones(client, factory, session):
    c = factory.cohort(trainees=1, circles=1)
    circle = c.circles[0]
    for i in range(25):
        session.add(
            CirclePost(circle_id=circle.id, author_id=c.trainees[0].id, body=f"Post {i:02d}")
        )
    session.commit()
    client.login(c.trainees[0].email)
    page = client.get(f"/circles/{circle.id}").text
    assert "Post 24" in page and "Post 05" in page and "Post 04" not in page
    older = re.search(r'hx-get="(/circles/\d+\?before=\d+)"', page)
    assert older
    fragment = client.get(older.group(1), headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert "Post 04" in fragment.text and "Post 00" in fragment.text
    assert "Older posts" not in fragment.text


def test_trainer_creates_circles_and_moves_people(client, factory, session):
    c = factory.cohort(trainees=3, circles=1)
    client.login(c.trainers[0].email)
    assert client.get(f"/cohorts/{c.cohort.id}/circles").status_code == 200
    response = client.post_form(f"/cohorts/{c.cohort.id}/circles", {"name": "Sindh districts"})
    assert response.status_code == 303
    duplicate = client.post_form(
        f"/cohorts/{c.cohort.id}/circles", {"name": "sindh  districts"}, follow_redirects=True
    )
    assert "already has a circle called" in duplicate.text
    page = client.get(f"/cohorts/{c.cohort.id}/circles").text
    new_id = int(re.search(r'<option value="(\d+)">Sindh districts</option>', page).group(1))
    moving = c.memberships[(c.trainees[1].id, "trainee")]
    response = client.post_form(
        f"/cohorts/{c.cohort.id}/circles/move", {"membership_ids": [moving.id], "circle_id": new_id}
    )
    assert response.status_code == 303
    session.commit()
    assert fresh(session, moving).circle_id == new_id
    foreign = factory.cohort(trainees=1)
    bad = client.post_form(
        f"/cohorts/{c.cohort.id}/circles/move",
        {"membership_ids": [moving.id], "circle_id": foreign.circles[0].id},
        follow_redirects=True,
    )
    assert "Choose a circle of this cohort." in bad.text


def test_empty_circle_invites_the_first_post(client, factory):
    c = factory.cohort(trainees=1, circles=1)
    client.login(c.trainees[0].email)
    assert "No posts yet" in client.get(f"/circles/{c.circles[0].id}").text
