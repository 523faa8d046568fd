"""Roster import: the validation report (each bad case its own test), all-or-nothing,
files as Excel saves them, refused files, invitations, export round trip, edits."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from iil_lms.accounts.models import AuthToken, User
from iil_lms.cohorts import roster
from iil_lms.cohorts.models import LearningCircle, Membership, Role, RosterUpload
from iil_lms.notifications.models import OutboxMessage
from tests.cohorts.roster_files import HEADER, csv_bytes, people, person, xlsx_bytes
from tests.security.zipbomb import xlsx_zip_bomb


@pytest.fixture
def made(factory):
    return factory.cohort(trainees=0, mentors=0, trainers=1, organisers=0, circles=1)


def _preview(session, made, rows, **kwargs):
    data = csv_bytes(rows, **kwargs)
    _upload, preview = roster.store_upload(
        session, made.cohort, made.trainers[0].id, data, "roster.csv"
    )
    return preview


def _only_problem(preview):
    problems = preview.problems
    assert len(problems) == 1, problems
    return problems[0]


def _counts(session):
    return tuple(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (User, Membership, LearningCircle, AuthToken, OutboxMessage)
    )


# --- the validation table ---------------------------------------------------------------


def test_missing_email_is_reported_with_its_spreadsheet_row(session, made):
    preview = _preview(session, made, [person(1), person(2, email="")])
    problem = _only_problem(preview)
    assert (problem.row, problem.field, problem.reason) == (3, "email", "The email is missing.")
    assert not preview.valid


def test_invalid_email_is_reported(session, made):
    problem = _only_problem(_preview(session, made, [person(1, email="not-an-address")]))
    assert (problem.row, problem.field) == (2, "email")
    assert "not a valid email" in problem.text


def test_duplicate_email_within_the_file_ignores_case(session, made):
    rows = [person(1), person(2), person(3, email="TRAINEE1@Example.TEST")]
    problem = _only_problem(_preview(session, made, rows))
    assert (problem.row, problem.field) == (4, "email")
    assert problem.params == {"row": 2}


def test_someone_already_in_the_cohort_with_other_details_is_reported(session, made, factory):
    existing = factory.user(email="trainee1@example.test", name="Someone Else")
    session.add(Membership(cohort_id=made.cohort.id, user_id=existing.id, role=Role.TRAINEE.value))
    session.commit()
    problem = _only_problem(_preview(session, made, [person(1)]))
    assert (problem.row, problem.field) == (2, "email")
    assert "Already in this cohort" in problem.text


def test_unknown_language_is_reported(session, made):
    problem = _only_problem(_preview(session, made, [person(1, preferred_language="French")]))
    assert (problem.row, problem.field) == (2, "language")
    assert "French" in problem.text


def test_language_may_be_a_code_or_a_name_in_any_script(session, made):
    rows = [
        person(1, preferred_language="Urdu"),
        person(2, preferred_language="नेपाली"),
        person(3, preferred_language="EN"),
    ]
    assert _preview(session, made, rows).valid


def test_name_too_long_is_reported(session, made):
    problem = _only_problem(_preview(session, made, [person(1, name="ن" * 121)]))
    assert (problem.row, problem.field) == (2, "name")
    assert problem.params == {"length": 121, "limit": 120}


def test_missing_name_is_reported(session, made):
    problem = _only_problem(_preview(session, made, [person(1, name="  ")]))
    assert (problem.row, problem.field) == (2, "name")


def test_a_circle_that_does_not_exist_yet_will_be_created_and_is_not_a_problem(session, made):
    preview = _preview(session, made, [person(1, learning_circle="Lahore North")])
    assert preview.valid
    assert preview.new_circles == ["Lahore North"]
    assert "will be created" in preview.rows[0].notes[0].text


def test_an_existing_circle_matches_ignoring_case(session, made):
    preview = _preview(session, made, [person(1, learning_circle="circle 1")])
    assert preview.new_circles == []


def test_every_bad_row_is_listed_not_only_the_first(session, made):
    rows = [person(1, email=""), person(2), person(3, preferred_language="xx"), person(4, name="")]
    preview = _preview(session, made, rows)
    assert [(p.row, p.field) for p in preview.problems] == [
        (2, "email"),
        (4, "language"),
        (5, "name"),
    ]


def test_row_numbers_count_blank_lines_as_the_spreadsheet_does(session, made):
    data = (
        csv_bytes([person(1)])
        + b"\n"
        + csv_bytes([person(2, email="bad")])[len(",".join(HEADER)) + 1 :]
    )
    _upload, preview = roster.store_upload(session, made.cohort, made.trainers[0].id, data, "r.csv")
    assert [p.row for p in preview.problems] == [4]


# --- all or nothing ---------------------------------------------------------------------


def test_a_bad_row_200_of_275_leaves_the_database_unchanged(session, made, settings):
    rows = people(275)
    rows[198]["email"] = "broken"  # spreadsheet row 200
    before = _counts(session)
    upload, preview = roster.store_upload(
        session, made.cohort, made.trainers[0].id, xlsx_bytes(rows), "roster.xlsx"
    )
    assert [p.row for p in preview.problems] == [200]
    _checked, result = roster.confirm_upload(
        session, settings, made.cohort, upload, made.trainers[0].id
    )
    session.commit()
    assert result is None
    assert _counts(session) == before


def test_confirm_checks_the_rows_again_and_refuses_what_became_invalid(
    session, made, settings, factory
):
    upload, preview = roster.store_upload(
        session, made.cohort, made.trainers[0].id, csv_bytes(people(3)), "r.csv"
    )
    assert preview.valid
    # Someone enrols trainee2 by hand, with other details, between preview and confirm.
    other = factory.user(email="trainee2@example.test", name="Changed")
    session.add(Membership(cohort_id=made.cohort.id, user_id=other.id, role="trainee"))
    session.commit()
    before = _counts(session)
    checked, result = roster.confirm_upload(
        session, settings, made.cohort, upload, made.trainers[0].id
    )
    assert result is None
    assert [p.row for p in checked.problems] == [3]
    assert _counts(session) == before


def test_a_confirmed_import_invites_new_people_and_enrols_existing_accounts(
    session, made, settings, factory
):
    existing = factory.user(email="trainee2@example.test", name="Existing")
    upload, _preview = roster.store_upload(
        session, made.cohort, made.trainers[0].id, csv_bytes(people(3)), "r.csv"
    )
    _checked, result = roster.confirm_upload(
        session, settings, made.cohort, upload, made.trainers[0].id
    )
    session.commit()
    assert result == roster.ImportResult(invited=2, enrolled=1, unchanged=0, circles_created=2)
    members = session.exec(
        select(Membership).where(
            Membership.cohort_id == made.cohort.id, Membership.role == "trainee"
        )
    ).all()
    assert len(members) == 3
    new_users = session.exec(
        select(User).where(User.email.in_(["trainee1@example.test", "trainee3@example.test"]))
    ).all()  # type: ignore[attr-defined]
    assert all(u.password_hash is None for u in new_users)
    assert {u.language for u in new_users} == {"ne"}
    outbox = session.exec(select(OutboxMessage).order_by(OutboxMessage.to_address)).all()
    assert [m.to_address for m in outbox] == [
        "trainee1@example.test",
        "trainee2@example.test",
        "trainee3@example.test",
    ]
    assert outbox[0].link.startswith("/invite/") and outbox[1].link == "/"
    tokens = session.exec(select(AuthToken)).all()
    assert {t.user_id for t in tokens} == {u.id for u in new_users}
    assert existing.password_hash is not None
    assert session.get(RosterUpload, upload.id).imported_at is not None


def test_an_invitation_from_the_import_lets_the_trainee_set_a_password(
    session, made, settings, client
):
    upload, _preview = roster.store_upload(
        session, made.cohort, made.trainers[0].id, csv_bytes(people(1)), "r.csv"
    )
    roster.confirm_upload(session, settings, made.cohort, upload, made.trainers[0].id)
    session.commit()
    link = session.exec(select(OutboxMessage.link)).one()
    page = client.get(link)
    assert page.status_code == 200
    token = client.csrf(link)
    response = client.post(
        link,
        data={
            "password": "a-long-new-password",
            "confirm": "a-long-new-password",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_a_used_upload_cannot_be_confirmed_twice(session, made, settings):
    upload, _preview = roster.store_upload(
        session, made.cohort, made.trainers[0].id, csv_bytes(people(2)), "r.csv"
    )
    roster.confirm_upload(session, settings, made.cohort, upload, made.trainers[0].id)
    session.commit()
    assert roster.find_upload(session, made.cohort, upload.token) is None


def test_import_statements_grow_with_batches_not_rows(session, made, settings, engine):
    from sqlalchemy import event

    def statements_for(count, start):
        upload, preview = roster.store_upload(
            session, made.cohort, made.trainers[0].id, csv_bytes(people(count, start)), "r.csv"
        )
        assert preview.valid
        seen: list[str] = []

        def note(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", note)
        try:
            roster.confirm_upload(session, settings, made.cohort, upload, made.trainers[0].id)
            session.commit()
        finally:
            event.remove(engine, "before_cursor_execute", note)
        return len(seen)

    small = statements_for(20, 1)
    large = statements_for(400, 1000)
    assert large <= small + 8, (small, large)


# --- files as Excel saves them, and files that are not what they claim ------------------


@pytest.mark.parametrize(
    ("delimiter", "newline", "bom"),
    [(",", "\n", False), (";", "\r\n", True), (",", "\r\n", True), ("\t", "\n", False)],
    ids=["plain", "excel-semicolon-bom-crlf", "excel-utf8-crlf", "tab"],
)
def test_excel_dialects_read_the_same(session, made, delimiter, newline, bom):
    rows = people(4)
    data = csv_bytes(rows, delimiter=delimiter, newline=newline, bom=bom)
    parsed, _ignored = roster.parse_rows(data, "roster.csv")
    assert [r["name"] for r in parsed] == [r["name"] for r in rows]
    assert [r["email"] for r in parsed] == [r["email"] for r in rows]
    assert parsed[0]["circle"] == "Circle 2"


def test_headers_in_any_order_and_case(session, made):
    header = ["EMAIL", "Preferred Language", "Name", "Learning_Circle", "Cadre", "Notes"]
    rows = [
        {
            "email": "a@example.test",
            "preferred language": "ur",
            "name": "علی",
            "learning_circle": "X",
            "cadre": "PAS",
            "notes": "n",
        }
    ]
    parsed, ignored = roster.parse_rows(csv_bytes(rows, header=header), "r.CSV")
    assert parsed[0]["name"] == "علی" and parsed[0]["language"] == "ur"
    assert parsed[0]["service_group"] == "PAS"
    assert ignored == ["Notes"]


def test_a_file_without_name_or_email_columns_is_refused(session, made):
    with pytest.raises(roster.RosterFileRefused, match="email"):
        roster.parse_rows(b"name,district\nA,B\n", "r.csv")


def test_a_binary_file_renamed_csv_is_refused(session, made):
    with pytest.raises(roster.RosterFileRefused, match="not text"):
        roster.parse_rows(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "roster.csv")


def test_an_xlsx_renamed_csv_is_refused(session, made):
    with pytest.raises(roster.RosterFileRefused, match="Excel workbook"):
        roster.parse_rows(xlsx_bytes(people(1)), "roster.csv")


def test_a_text_file_renamed_xlsx_is_refused(session, made):
    with pytest.raises(roster.RosterFileRefused, match="not an Excel"):
        roster.parse_rows(csv_bytes(people(1)), "roster.xlsx")


def test_a_file_not_in_utf8_is_refused_with_how_to_save_it(session, made):
    with pytest.raises(roster.RosterFileRefused, match="UTF-8"):
        roster.parse_rows("name,email\nJosé,j@example.test\n".encode("cp1252"), "r.csv")


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(session, made):
    with pytest.raises(roster.RosterFileRefused, match="unpacks"):
        roster.parse_rows(xlsx_zip_bomb(200 * 1024 * 1024), "roster.xlsx")


def test_a_50_mb_file_is_refused(session, made):
    with pytest.raises(roster.RosterFileRefused, match="larger than"):
        roster.parse_rows(
            b"name,email\n" + b"a,b@example.test\n" * (50 * 1024 * 1024 // 17), "r.csv"
        )


def test_other_extensions_are_refused(session, made):
    with pytest.raises(roster.RosterFileRefused, match=r"\.csv or \.xlsx"):
        roster.parse_rows(b"name,email\n", "roster.pdf")


# --- round trip -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_reimporting_the_export_changes_nothing_and_names_round_trip(session, made, settings, kind):
    rows = people(6)
    rows[0]["name"] = "=cmd|' /C calc'!A0 محمد"  # formula-looking, guarded in the export
    rows[1]["name"] = "  padded  "
    rows[2]["name"] = "राम बहादुर\u200dथापा"  # a zero-width joiner kept as is
    rows[3]["gender"] = "woman"
    upload, preview = roster.store_upload(
        session, made.cohort, made.trainers[0].id, csv_bytes(rows), "r.csv"
    )
    roster.confirm_upload(session, settings, made.cohort, upload, made.trainers[0].id)
    session.commit()
    exported = roster.roster_rows(session, made.cohort.id)
    data = roster.to_csv(exported) if kind == "csv" else roster.to_xlsx(exported)
    assert data.startswith(b"\xef\xbb\xbf" if kind == "csv" else b"PK")
    before = _counts(session)
    again, preview = roster.store_upload(
        session, made.cohort, made.trainers[0].id, data, f"export.{kind}"
    )
    assert preview.valid and preview.count("unchanged") == 6
    _checked, result = roster.confirm_upload(
        session, settings, made.cohort, again, made.trainers[0].id
    )
    session.commit()
    assert result is not None and result.unchanged == 6 and result.invited == 0
    assert _counts(session) == before
    names = {r["name"] for r in roster.roster_rows(session, made.cohort.id)}
    expected = {r["name"].strip() for r in rows}
    assert names == expected
    assert {n.encode() for n in names} == {n.encode() for n in expected}


def test_the_csv_export_guards_formulas(session, made, settings):
    rows = [person(1, name='=HYPERLINK("http://x")')]
    upload, _p = roster.store_upload(
        session, made.cohort, made.trainers[0].id, csv_bytes(rows), "r.csv"
    )
    roster.confirm_upload(session, settings, made.cohort, upload, made.trainers[0].id)
    session.commit()
    text = roster.to_csv(roster.roster_rows(session, made.cohort.id)).decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_the_templates_have_the_documented_headers():
    csv_text = roster.to_csv([]).decode("utf-8-sig").strip()
    assert csv_text.split(",") == list(HEADER)
    parsed, ignored = roster.parse_rows(roster.to_xlsx([]), "t.xlsx")
    assert parsed == [] and ignored == []


# --- after the import -------------------------------------------------------------------


def test_editing_a_person_changes_circle_department_and_district(session, made, settings):
    upload, _p = roster.store_upload(
        session, made.cohort, made.trainers[0].id, csv_bytes(people(1)), "r.csv"
    )
    roster.confirm_upload(session, settings, made.cohort, upload, made.trainers[0].id)
    session.commit()
    membership = session.exec(select(Membership).where(Membership.role == "trainee")).one()
    roster.update_person(
        session,
        made.cohort,
        membership,
        {"circle": "New Circle", "department": "Health", "district": "Multan"},
        made.trainers[0].id,
    )
    session.commit()
    person_row = roster.people(session, made.cohort.id)[0]
    assert (person_row.circle, person_row.department, person_row.district) == (
        "New Circle",
        "Health",
        "Multan",
    )


def test_an_edit_with_a_value_too_long_is_refused_by_field(session, made, settings):
    upload, _p = roster.store_upload(
        session, made.cohort, made.trainers[0].id, csv_bytes(people(1)), "r.csv"
    )
    roster.confirm_upload(session, settings, made.cohort, upload, made.trainers[0].id)
    membership = session.exec(select(Membership).where(Membership.role == "trainee")).one()
    with pytest.raises(roster.RosterError) as refused:
        roster.update_person(session, made.cohort, membership, {"district": "x" * 121}, 1)
    assert set(refused.value.errors) == {"district"}


def test_withdrawing_and_enrolling_again(session, made, settings):
    upload, _p = roster.store_upload(
        session, made.cohort, made.trainers[0].id, csv_bytes(people(2)), "r.csv"
    )
    roster.confirm_upload(session, settings, made.cohort, upload, made.trainers[0].id)
    membership = session.exec(select(Membership).where(Membership.role == "trainee")).first()
    roster.set_withdrawn(session, membership, True, made.trainers[0].id)
    assert len(roster.people(session, made.cohort.id, show_withdrawn=False)) == 1
    assert len(roster.people(session, made.cohort.id)) == 2
    roster.set_withdrawn(session, membership, False, made.trainers[0].id)
    assert len(roster.people(session, made.cohort.id, show_withdrawn=False)) == 2
