"""The balanced mentor assignment, as a pure function: properties that must hold for
every roster (hypothesis), against brute force on small rosters, and named cases."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from iil_lms.mentoring.matching import (
    MAX_PAIR_COST,
    MatchOptions,
    MentorFacts,
    TraineeFacts,
    forbidden_reason,
    match,
    pair_cost,
)

DEPARTMENTS = ["Revenue", "Police", "Health", "Education"]


@st.composite
def rosters(draw, max_trainees: int = 40, max_mentors: int = 6):
    mentor_count = draw(st.integers(1, max_mentors))
    mentors = [
        MentorFacts(
            user_id=100 + i,
            name=f"M{i}",
            department=draw(st.sampled_from(DEPARTMENTS)),
            province=draw(st.sampled_from(["Punjab", "Sindh"])),
            gender=draw(st.sampled_from(["female", "male"])),
            language=draw(st.sampled_from(["en", "ur"])),
        )
        for i in range(mentor_count)
    ]
    trainee_count = draw(st.integers(0, max_trainees))
    trainees = [
        TraineeFacts(
            user_id=i + 1,
            name=f"T{i + 1}",
            department=draw(st.sampled_from(DEPARTMENTS)),
            province=draw(st.sampled_from(["Punjab", "Sindh"])),
            gender=draw(st.sampled_from(["female", "male", ""])),
            language=draw(st.sampled_from(["en", "ur"])),
            circle_id=draw(st.sampled_from([None, 1, 2, 3])),
            circle_name="Circle",
            line_manager_id=draw(st.sampled_from([None, None, None, 100, 101])),
            wants_same_gender=draw(st.booleans()),
            current_mentor_id=draw(st.sampled_from([None, 100, 102])),
        )
        for i in range(trainee_count)
    ]
    options = MatchOptions(
        avoid_same_department=draw(st.booleans()),
        keep_circles_together=draw(st.booleans()),
        honour_gender_requests=draw(st.booleans()),
        keep_current_pairs=draw(st.booleans()),
        prefer_same_province=draw(st.booleans()),
        prefer_same_language=draw(st.booleans()),
    )
    return trainees, mentors, options


@settings(max_examples=300, deadline=None)
@given(rosters())
def test_every_trainee_gets_exactly_one_mentor_or_is_reported(roster):
    trainees, mentors, options = roster
    result = match(trainees, mentors, options)
    ids = {t.user_id for t in trainees}
    assert set(result.pairs) | set(result.unplaced) == ids
    assert not set(result.pairs) & set(result.unplaced)
    reported = {
        t for p in result.problems if p.kind in ("unplaced", "no_mentors") for t in p.trainee_ids
    }
    assert reported == set(result.unplaced)
    assert sum(result.loads.values()) == len(result.pairs)
    assert set(result.pairs.values()) <= {m.user_id for m in mentors}


@settings(max_examples=300, deadline=None)
@given(rosters())
def test_hard_constraints_are_never_broken(roster):
    trainees, mentors, options = roster
    result = match(trainees, mentors, options)
    by_id = {m.user_id: m for m in mentors}
    for trainee in trainees:
        if trainee.user_id in result.pairs:
            mentor = by_id[result.pairs[trainee.user_id]]
            assert forbidden_reason(trainee, mentor, options) is None
            assert trainee.line_manager_id != mentor.user_id
            if options.avoid_same_department:
                assert trainee.department != mentor.department
        else:
            # left out only when no mentor at all may take them
            assert all(forbidden_reason(trainee, m, options) for m in mentors)


@settings(max_examples=300, deadline=None)
@given(rosters())
def test_circles_kept_together_are_split_only_with_a_report(roster):
    trainees, mentors, options = roster
    result = match(
        trainees,
        mentors,
        MatchOptions(
            avoid_same_department=options.avoid_same_department, keep_circles_together=True
        ),
    )
    split = {t for p in result.problems if p.kind == "circle_split" for t in p.trainee_ids}
    circles: dict[int, set[int]] = {}
    for trainee in trainees:
        if trainee.circle_id is not None and trainee.user_id in result.pairs:
            circles.setdefault(trainee.circle_id, set()).add(result.pairs[trainee.user_id])
    for circle_id, mentor_ids in circles.items():
        if len(mentor_ids) > 1:
            members = {t.user_id for t in trainees if t.circle_id == circle_id}
            assert members & split
    if not result.balanced:
        assert any(p.kind == "unbalanced" for p in result.problems)


@settings(max_examples=200, deadline=None)
@given(rosters())
def test_same_input_gives_the_same_proposal_in_any_order(roster):
    trainees, mentors, options = roster
    first = match(trainees, mentors, options)
    again = match(list(reversed(trainees)), list(reversed(mentors)), options)
    assert first.pairs == again.pairs
    assert first.problems == again.problems


def _balanced_exists(trainees, mentors, options) -> bool:
    placeable = [
        t for t in trainees if any(forbidden_reason(t, m, options) is None for m in mentors)
    ]
    for choice in itertools.product(range(len(mentors)), repeat=len(placeable)):
        if any(
            forbidden_reason(t, mentors[b], options) for t, b in zip(placeable, choice, strict=True)
        ):
            continue
        loads = [choice.count(b) for b in range(len(mentors))]
        if max(loads) - min(loads) <= 1:
            return True
    return False


def _objective(trainees, mentors, options, pairs) -> tuple[int, int]:
    by_id = {m.user_id: m for m in mentors}
    loads = [sum(1 for v in pairs.values() if v == m.user_id) for m in mentors]
    square = sum(x * x for x in loads)
    cost = sum(
        pair_cost(t, by_id[pairs[t.user_id]], options) for t in trainees if t.user_id in pairs
    )
    return square, cost


@settings(max_examples=300, deadline=None)
@given(rosters(max_trainees=6, max_mentors=3))
def test_loads_are_balanced_whenever_the_rules_allow_it(roster):
    trainees, mentors, options = roster
    options = MatchOptions(**{**options.__dict__, "keep_circles_together": False})
    result = match(trainees, mentors, options)
    if _balanced_exists(trainees, mentors, options):
        assert result.balanced, result.loads
    else:
        assert any(p.kind == "unbalanced" for p in result.problems)


@settings(max_examples=300, deadline=None)
@given(rosters(max_trainees=6, max_mentors=3))
def test_flow_assignment_is_optimal_against_brute_force(roster):
    trainees, mentors, options = roster
    options = MatchOptions(**{**options.__dict__, "keep_circles_together": False})
    result = match(trainees, mentors, options)
    placeable = [t for t in trainees if t.user_id in result.pairs]
    weight = MAX_PAIR_COST * (len(mentors) + 1) + 1
    best = None
    for choice in itertools.product(range(len(mentors)), repeat=len(placeable)):
        if any(
            forbidden_reason(t, mentors[b], options) for t, b in zip(placeable, choice, strict=True)
        ):
            continue
        pairs = {t.user_id: mentors[b].user_id for t, b in zip(placeable, choice, strict=True)}
        square, cost = _objective(placeable, mentors, options, pairs)
        value = weight * square + cost
        best = value if best is None else min(best, value)
    square, cost = _objective(placeable, mentors, options, result.pairs)
    assert best is None or weight * square + cost == best


def _person(i: int, **fields) -> TraineeFacts:
    return TraineeFacts(user_id=i, name=f"T{i}", **fields)


def test_demo_size_is_balanced_and_avoids_own_department():
    mentors = [MentorFacts(user_id=1000 + i, name=f"M{i}", department=f"G{i}") for i in range(12)]
    trainees = [_person(i, department=f"G{i % 12}") for i in range(1, 276)]
    result = match(trainees, mentors, MatchOptions())
    assert sorted(set(result.loads.values())) == [22, 23]
    assert not result.problems
    by_id = {m.user_id: m for m in mentors}
    assert all(by_id[m].department != f"G{t % 12}" for t, m in result.pairs.items())


def test_line_manager_is_never_the_mentor_even_if_loads_suffer():
    mentors = [MentorFacts(user_id=100), MentorFacts(user_id=101)]
    trainees = [_person(i, line_manager_id=100) for i in range(1, 5)]
    result = match(trainees, mentors, MatchOptions())
    assert set(result.pairs.values()) == {101}
    assert result.loads == {100: 0, 101: 4}
    problem = next(p for p in result.problems if p.kind == "unbalanced")
    assert "0 to 4" in problem.message
    assert set(problem.trainee_ids) == {1, 2, 3, 4}


def test_trainee_nobody_may_mentor_is_reported_by_name():
    mentors = [MentorFacts(user_id=100, department="Police")]
    trainees = [_person(1, department="police "), _person(2, department="Health")]
    result = match(trainees, mentors, MatchOptions())
    assert result.pairs == {2: 100}
    assert result.unplaced == [1]
    assert "T1 cannot be placed" in result.problems[0].message


def test_no_mentors_is_reported():
    result = match([_person(1)], [], MatchOptions())
    assert result.unplaced == [1]
    assert result.problems[0].kind == "no_mentors"


def test_circles_stay_together_and_imbalance_is_explained():
    mentors = [MentorFacts(user_id=100), MentorFacts(user_id=101)]
    trainees = [
        _person(i, circle_id=1 + (i % 3), circle_name=f"C{1 + i % 3}") for i in range(1, 10)
    ]
    result = match(trainees, mentors, MatchOptions(keep_circles_together=True))
    for circle in (1, 2, 3):
        assert len({result.pairs[t.user_id] for t in trainees if t.circle_id == circle}) == 1
    assert sorted(result.loads.values()) == [3, 6]
    assert any(p.kind == "unbalanced" and "kept together" in p.message for p in result.problems)


def test_circle_with_its_mentors_line_manager_is_split_with_a_report():
    mentors = [MentorFacts(user_id=100), MentorFacts(user_id=101)]
    trainees = [
        _person(1, circle_id=7, circle_name="Circle 7", line_manager_id=100),
        _person(2, circle_id=7, circle_name="Circle 7", line_manager_id=101),
    ]
    result = match(trainees, mentors, MatchOptions(keep_circles_together=True))
    assert result.pairs == {1: 101, 2: 100}
    assert any(p.kind == "circle_split" and "Circle 7" in p.message for p in result.problems)


def test_same_gender_request_is_honoured_when_there_is_room():
    mentors = [MentorFacts(user_id=100, gender="male"), MentorFacts(user_id=101, gender="female")]
    trainees = [_person(1, gender="female", wants_same_gender=True), _person(2, gender="male")]
    result = match(trainees, mentors, MatchOptions())
    assert result.pairs == {1: 101, 2: 100}
    assert not result.problems


def test_unmet_gender_requests_are_reported():
    mentors = [MentorFacts(user_id=100, gender="male"), MentorFacts(user_id=101, gender="female")]
    trainees = [_person(i, gender="female", wants_same_gender=True) for i in (1, 2, 4)]
    trainees.append(_person(3, wants_same_gender=True))
    result = match(trainees, mentors, MatchOptions())
    assert result.loads == {100: 2, 101: 2}
    kinds = [p for p in result.problems if p.kind == "gender"]
    assert len(kinds) == 2
    assert len(kinds[0].trainee_ids) == 1
    assert "not declared a gender" in kinds[1].message and kinds[1].trainee_ids == (3,)


def test_current_pairs_are_kept_when_balance_allows():
    mentors = [MentorFacts(user_id=100), MentorFacts(user_id=101)]
    trainees = [
        _person(1, current_mentor_id=101),
        _person(2, current_mentor_id=100),
        _person(3),
        _person(4),
    ]
    result = match(trainees, mentors, MatchOptions())
    assert result.pairs[1] == 101 and result.pairs[2] == 100
    assert sorted(result.loads.values()) == [2, 2]


def test_preferences_never_outweigh_balance():
    mentors = [
        MentorFacts(user_id=100, province="Sindh"),
        MentorFacts(user_id=101, province="Punjab"),
    ]
    trainees = [_person(i, province="Sindh", current_mentor_id=100) for i in range(1, 7)]
    result = match(trainees, mentors, MatchOptions(prefer_same_province=True))
    assert result.loads == {100: 3, 101: 3}
