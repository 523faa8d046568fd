"""A survey's results read together: figures, trend, comments, filters, the anonymity
rule (fewer than five: hidden, also through combined filters and the exports), the
exports matching the page, and "you said, we did" reaching the cohort."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlmodel import select

from iil_lms.notifications.models import Notification, OutboxMessage
from iil_lms.reports import surveys as service
from tests.query_count import count_queries, selects
from tests.reports.helpers import SHARED, answer, declare, surveys

HIDDEN = "hidden to protect anonymity"


def _cohort(factory, session, trainees=10, circles=2):
    c = factory.cohort(trainees=trainees, circles=circles)
    return c, surveys(session, c.cohort.id)


def _page(client, c, exercise, group=None):
    url = f"/cohorts/{c.cohort.id}/feedback/{exercise.id}"
    return client.get(url, params={"group": group} if group else None)


def _counts(html):
    """{statement index: ([counts], average)} from the page's results table."""
    found = {}
    for index, row in re.findall(r'data-statement="(\d+)">(.*?)</tr>', html, re.S):
        counts = [int(n) for n in re.findall(r'data-count="(\d+)"', row)]
        average = re.search(r'data-average="([0-9.]*)"', row).group(1)
        found[int(index)] = (counts, float(average) if average else None)
    return found


def test_results_show_distribution_average_trend_and_comments(factory, session, client):
    c, made = _cohort(factory, session, trainees=6)
    for i, trainee in enumerate(c.trainees):
        answer(session, c.cohort.id, trainee.id, made.first, [5, 1 + i % 5], f"Comment {i}")
        answer(session, c.cohort.id, trainee.id, made.second, [3, 4], "")
    client.login(c.trainers[0].email)
    page = _page(client, c, made.first)
    assert page.status_code == 200
    assert HIDDEN not in page.text
    figures = _counts(page.text)
    assert figures[0] == ([0, 0, 0, 0, 6], 5.0)
    assert figures[1] == ([2, 1, 1, 1, 1], 2.67)
    assert "<svg" in page.text and "<script" not in page.text.split("<main")[1]
    for i in range(6):
        assert f"Comment {i}" in page.text
    # The shared statement's trend: 2.67 here, 4 in the second survey.
    assert SHARED in page.text and "4" in page.text
    result = service.survey_results(session, c.cohort, made.first.id)
    [trend] = result.statement_trends
    assert [p.average for p in trend.points] == [2.67, 4.0]
    assert [p.average for p in result.overall_trend] == [3.83, 3.5]


def test_fewer_than_five_answers_show_no_figure_or_comment(factory, session, client):
    c, made = _cohort(factory, session, trainees=6)
    for trainee in c.trainees[:4]:
        answer(session, c.cohort.id, trainee.id, made.first, [1, 2], "Secret words")
    client.login(c.trainers[0].email)
    page = _page(client, c, made.first)
    assert "Fewer than 5 answers: hidden to protect anonymity." in page.text
    assert "Secret words" not in page.text
    assert 'data-count="' not in page.text
    listing = client.get(f"/cohorts/{c.cohort.id}/feedback")
    assert "fewer than 5" in listing.text
    export = client.get(f"/cohorts/{c.cohort.id}/feedback/{made.first.id}/results.csv")
    assert "Secret words" not in export.text
    assert HIDDEN in export.content.decode("utf-8-sig")


def test_differencing_all_minus_one_circle_cannot_reveal_a_small_circle(factory, session, client):
    # Circle 1: 5 answers, circle 2: 4. Showing "everyone" (9) and "circle 1" (5) would
    # give circle 2's four answers by subtraction, so no circle can be picked at all.
    c, made = _cohort(factory, session, trainees=9, circles=2)
    for trainee in c.trainees:
        answer(session, c.cohort.id, trainee.id, made.first, [4, 4], "ok")
    client.login(c.trainers[0].email)
    everyone = _page(client, c, made.first)
    assert _counts(everyone.text)  # nine answers: shown
    for circle in c.circles:
        filtered = _page(client, c, made.first, f"circle:{circle.id}")
        assert filtered.status_code == 200
        assert HIDDEN in filtered.text
        assert not _counts(filtered.text)
        export = client.get(
            f"/cohorts/{c.cohort.id}/feedback/{made.first.id}/results.csv",
            params={"group": f"circle:{circle.id}"},
        )
        assert HIDDEN in export.content.decode("utf-8-sig")
        assert "Statement" not in export.content.decode("utf-8-sig")


def test_differencing_through_an_undeclared_remainder_is_refused(factory, session, client):
    # 6 women, 6 men, 3 who declared nothing: "everyone" minus women minus men would be
    # the three, so the gender filter is closed; disability (all declared) stays open.
    c, made = _cohort(factory, session, trainees=15, circles=1)
    for i, trainee in enumerate(c.trainees):
        membership = c.memberships[(trainee.id, "trainee")]
        gender = "woman" if i < 6 else "man" if i < 12 else ""
        declare(session, membership, gender=gender, disability="yes" if i % 3 == 0 else "no")
        answer(session, c.cohort.id, trainee.id, made.first, [1 + i % 5, 3], "")
    client.login(c.trainers[0].email)
    for group in ("gender:woman", "gender:man"):
        assert HIDDEN in _page(client, c, made.first, group).text
    yes = _page(client, c, made.first, "disability:yes")
    assert HIDDEN not in yes.text
    counts, _average = _counts(yes.text)[0]
    assert sum(counts) == 5
    # Comments are never listed per group (two lists side by side would intersect).
    result = service.survey_results(session, c.cohort, made.first.id, "disability:yes")
    assert all(comments is None for _q, comments in result.comments)


def test_every_group_combination_shows_five_or_more_or_nothing(factory, session):
    """Whatever the split, a figure is drawn from at least five answers and any
    difference of shown groups of one kind holds at least five."""
    c, made = _cohort(factory, session, trainees=17, circles=3)
    for i, trainee in enumerate(c.trainees):
        membership = c.memberships[(trainee.id, "trainee")]
        declare(session, membership, gender=("a", "b", "c")[i % 3], disability="")
        answer(session, c.cohort.id, trainee.id, made.first, [3, 3], "")
    total = service.survey_results(session, c.cohort, made.first.id).respondents
    for dimension, groups in service.survey_results(
        session, c.cohort, made.first.id
    ).groups.items():
        shown = []
        for g in groups:
            r = service.survey_results(session, c.cohort, made.first.id, g.key)
            if not r.hidden:
                assert r.respondents >= 5
                shown.append(r.respondents)
        assert not shown or total - sum(shown) == 0 or total - sum(shown) >= 5, dimension


def test_exports_match_the_page_and_neutralise_formulas(factory, session, client):
    c, made = _cohort(factory, session, trainees=6)
    comments = [
        '=HYPERLINK("http://x")',
        "+1",
        "ہمارا سروے اچھا تھا",
        "हाम्रो प्रतिक्रिया",
        "@SUM(1)",
        "-2",
    ]
    for i, trainee in enumerate(c.trainees):
        answer(session, c.cohort.id, trainee.id, made.first, [1 + i % 5, 2], comments[i])
    client.login(c.trainers[0].email)
    figures = _counts(_page(client, c, made.first).text)
    base = f"/cohorts/{c.cohort.id}/feedback/{made.first.id}/results"
    text = client.get(base + ".csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    heading = next(i for i, r in enumerate(rows) if r and r[0] == "Statement")
    for index in range(2):
        row = rows[heading + 1 + index]
        assert [int(n) for n in row[2:7]] == figures[index][0]
        assert float(row[7]) == figures[index][1]
    assert "ہمارا سروے اچھا تھا" in text and "हाम्रो प्रतिक्रिया" in text
    cells = [r[1] for r in rows if len(r) > 1]
    for dangerous in ("=HYPERLINK", "+1", "@SUM(1)", "-2"):
        assert not any(cell.startswith(dangerous) for cell in cells)
        assert any(cell == "'" + dangerous or cell.startswith("'" + dangerous) for cell in cells)
    book = load_workbook(io.BytesIO(client.get(base + ".xlsx").content))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    start = next(i for i, r in enumerate(values) if r[0] == "Statement")
    for index in range(2):
        row = values[start + 1 + index]
        assert list(row[2:7]) == figures[index][0]
        assert row[7] == figures[index][1]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert any(v == "ہمارا سروے اچھا تھا" for r in values for v in r)


def test_you_said_we_did_reaches_the_cohort(factory, session, client, make_client):
    c, made = _cohort(factory, session, trainees=3)
    client.login(c.trainers[0].email)
    url = f"/cohorts/{c.cohort.id}/feedback/{made.first.id}"
    response = client.post_form(
        url + "/replies", {"body": "You said the readings were long: we cut two."}, token_from=url
    )
    assert response.status_code == 303
    session.expire_all()
    told = session.exec(select(Notification).where(Notification.kind == "you_said")).all()
    assert sorted(n.user_id for n in told) == sorted(t.id for t in c.trainees)
    assert session.exec(select(OutboxMessage)).all()
    trainee = make_client()
    trainee.login(c.trainees[0].email)
    page = trainee.get(told[0].link.split("#")[0])
    assert "You said, we did" in page.text
    assert "we cut two." in page.text


def test_empty_or_long_reply_is_refused_with_a_reason(factory, session, client):
    c, made = _cohort(factory, session, trainees=1)
    client.login(c.trainers[0].email)
    url = f"/cohorts/{c.cohort.id}/feedback/{made.first.id}"
    empty = client.post_form(url + "/replies", {"body": "   "}, token_from=url)
    assert empty.status_code == 400 and "Write what the programme will do" in empty.text
    long = client.post_form(url + "/replies", {"body": "x" * 2001}, token_from=url)
    assert long.status_code == 400 and "Keep it under 2000 characters" in long.text
    assert not session.exec(select(Notification)).all()


def test_reflection_is_not_a_survey_page(factory, session, client):
    c, made = _cohort(factory, session, trainees=1)
    client.login(c.trainers[0].email)
    assert _page(client, c, made.reflection).status_code == 404


def test_results_page_statement_count_does_not_grow_with_respondents(
    factory, session, client, engine
):
    c, made = _cohort(factory, session, trainees=25, circles=2)
    client.login(c.trainers[0].email)
    counts = []
    for batch in (c.trainees[:6], c.trainees[6:]):
        for trainee in batch:
            answer(session, c.cohort.id, trainee.id, made.first, [4, 2], "x")
            answer(session, c.cohort.id, trainee.id, made.second, [3, 2], "y")
        with count_queries(engine) as statements:
            assert _page(client, c, made.first).status_code == 200
        counts.append(len(selects(statements)))
    assert counts[0] == counts[1]


def test_identical_comments_are_counted_and_sorted_by_text_not_time(factory, session):
    c, made = _cohort(factory, session, trainees=6)
    texts = ["Zebra crossing.", "More time.", "", "More time.", "apple first", "More time."]
    for trainee, text in zip(c.trainees, texts, strict=True):
        answer(session, c.cohort.id, trainee.id, made.first, [3, 3], text)
    [(_question, comments)] = service.survey_results(session, c.cohort, made.first.id).comments
    assert comments == [("apple first", 1), ("More time.", 3), ("Zebra crossing.", 1)]


def test_gesi_groups_fall_back_to_what_the_account_declares(factory, session):
    c, made = _cohort(factory, session, trainees=10, circles=1)
    for i, trainee in enumerate(c.trainees):
        if i < 5:
            declare(session, c.memberships[(trainee.id, "trainee")], gender="woman")
        else:
            trainee.gender = "man"  # declared in the account, not on the roster
            session.add(trainee)
            session.commit()
        answer(session, c.cohort.id, trainee.id, made.first, [5 if i < 5 else 1, 3], "")
    result = service.survey_results(session, c.cohort, made.first.id, "gender:man")
    assert not result.hidden and result.respondents == 5
    assert result.statements[0].average == 1.0
