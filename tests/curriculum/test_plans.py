"""Cohort plans: the two time-frame templates, trainer adaptations with their rules,
and the effective plan the learning pages read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from iil_lms.cohorts.models import Convening
from iil_lms.curriculum import plans, timeframes
from iil_lms.curriculum.models import Exercise, Milestone, Module, PlanItem
from iil_lms.curriculum.service import CurriculumError
from iil_lms.learning import service as learning
from iil_lms.learning.models import Submission
from tests.curriculum.helpers import copy_mini, load_mini, plan_cohort
from tests.query_count import count_queries, selects


@pytest.fixture
def mini(session):
    return load_mini(session)


def _order(session) -> list[tuple[int, int, int]]:
    """(module id, milestone position, module position) in curriculum order."""
    rows = session.exec(
        select(Module.id, Milestone.position, Module.position).join(
            Milestone, Milestone.id == Module.milestone_id
        )
    ).all()
    return sorted(rows, key=lambda r: (r[1], r[2]))


def test_academy_year_spreads_modules_weekly_in_milestone_order_skipping_breaks(
    session, factory, mini
):
    cohort = factory.cohort().cohort
    plan_cohort(session, cohort, mini, timeframes.ACADEMY_YEAR)
    items = session.exec(select(PlanItem).where(PlanItem.cohort_id == cohort.id)).all()
    by_module = {i.module_id: i for i in items}
    order = _order(session)
    assert len(items) == len(order) == 7  # every module once
    dates = [by_module[m_id] for m_id, _ms, _pos in order]
    assert [i.opens_on for i in dates] == sorted(i.opens_on for i in dates)
    for item in dates:
        assert cohort.starts_on <= item.opens_on <= item.due_on <= cohort.ends_on
        assert (item.due_on - item.opens_on).days <= 6  # one week
        for start, end in timeframes.DEFAULT_BREAKS:
            assert item.due_on < start or item.opens_on > end
    assert dates[0].opens_on == cohort.starts_on
    assert cohort.timeframe == timeframes.ACADEMY_YEAR


def test_academy_year_breaks_can_be_given_per_call():
    modules = [timeframes.ModuleRef(i, 0) for i in range(3)]
    start = date(2026, 1, 5)
    slots = timeframes.academy_year_slots(
        modules, start, start + timedelta(days=27), breaks=[(date(2026, 1, 12), date(2026, 1, 25))]
    )
    assert [s.opens_on for s in slots] == [date(2026, 1, 5), date(2026, 1, 5), date(2026, 1, 26)]
    with pytest.raises(CurriculumError):
        timeframes.academy_year_slots(
            modules, start, start + timedelta(days=6), breaks=[(start, start)]
        )


def test_quarterly_plan_opens_milestones_at_the_cohorts_four_convenings(session, factory, mini):
    cohort = factory.cohort(timeframe=timeframes.QUARTERLY).cohort
    convenings = [
        (date(2026, 9, 14), date(2026, 9, 16)),
        (date(2026, 12, 14), date(2026, 12, 16)),
        (date(2027, 3, 15), date(2027, 3, 17)),
        (date(2027, 6, 14), date(2027, 6, 16)),
    ]
    for n, (starts, ends) in enumerate(convenings, start=1):
        session.add(Convening(cohort_id=cohort.id, title=f"C{n}", starts_on=starts, ends_on=ends))
    session.commit()
    plan_cohort(session, cohort, mini, timeframes.QUARTERLY)
    plan = plans.effective_plan(session, cohort.id, None)
    assert len(plan) == 7
    by_milestone: dict[int, list[plans.PlannedModule]] = {}
    for p in plan:
        by_milestone.setdefault(p.milestone_position, []).append(p)
    expected_convening = {1: 0, 2: 0, 3: 1, 4: 2, 5: 2, 6: 3}
    for position, planned in by_milestone.items():
        c_index = expected_convening[position]
        for p in planned:
            assert p.opens_on == convenings[c_index][0]
            if c_index < 3:  # due before the next convening
                assert p.due_on < convenings[c_index + 1][0]
            else:  # the summit's own module: held at the summit
                assert p.due_on == convenings[3][1]
            assert p.opens_on <= p.due_on <= cohort.ends_on


def test_quarterly_template_prepares_for_the_summit_before_it_and_holds_it_on_its_dates():
    """Nepal's year: the summit milestone (preparing a pitch, the summit, sustaining
    change) no longer opens on the summit's first day and falls due in August."""
    summit = (date(2027, 6, 14), date(2027, 6, 16))
    convenings = [
        (date(2026, 9, 14), date(2026, 9, 16)),
        (date(2026, 12, 14), date(2026, 12, 16)),
        (date(2027, 3, 15), date(2027, 3, 17)),
        summit,
    ]
    slugs = [
        ["integrity-in-public-work", "speaking-up"],
        ["citizen-journeys", "root-cause-analysis"],
        ["generating-ideas", "testing-with-citizens"],
        ["working-with-a-mentor", "measuring-change"],
        ["storytelling-public-work", "outreach-materials"],
        ["preparing-a-pitch", "the-summit", "sustaining-change"],
    ]
    modules = [
        timeframes.ModuleRef(ms * 10 + i + 1, ms, slug)
        for ms, group in enumerate(slugs)
        for i, slug in enumerate(group)
    ]
    by_slug = {
        m.slug: slot
        for slot in timeframes.quarterly_slots(
            modules, date(2026, 9, 14), date(2027, 8, 27), convenings
        )
        for m in modules
        if m.id == slot.module_id
    }
    assert len(by_slug) == len(modules)
    pitch, the_summit = by_slug["preparing-a-pitch"], by_slug["the-summit"]
    assert pitch.opens_on == convenings[2][0] and pitch.due_on < summit[0]
    assert (the_summit.opens_on, the_summit.due_on) == summit
    for slug in ("storytelling-public-work", "outreach-materials"):
        assert by_slug[slug].due_on < summit[0]
    after = by_slug["sustaining-change"]
    assert after.opens_on >= summit[0] and after.due_on == date(2027, 8, 27)


def test_quarterly_plan_without_convenings_generates_them_three_months_apart():
    modules = [timeframes.ModuleRef(i, i) for i in range(6)]
    slots = timeframes.quarterly_slots(modules, date(2026, 9, 14), date(2027, 8, 27))
    opens = sorted({s.opens_on for s in slots})
    assert opens == [date(2026, 9, 14), date(2026, 12, 14), date(2027, 3, 14), date(2027, 6, 14)]


def test_a_second_plan_is_refused_unless_replaced_and_started_items_stay(session, factory, mini):
    made = factory.cohort(trainees=1)
    cohort = made.cohort
    plan_cohort(session, cohort, mini)
    with pytest.raises(CurriculumError, match="already has a plan"):
        plans.generate_plan(session, cohort, timeframes.ACADEMY_YEAR)
    order = _order(session)
    first, later = order[0][0], order[-1][0]
    # a trainee has work on the last module; a trainer moved the first one
    exercise = session.exec(select(Exercise).where(Exercise.module_id == later)).first()
    session.add(
        Submission(
            cohort_id=cohort.id, user_id=made.trainees[0].id, exercise_id=exercise.id, content={}
        )
    )
    plans.set_dates(session, cohort, later, date(2027, 7, 1), date(2027, 7, 20))
    plans.set_dates(session, cohort, order[1][0], date(2027, 6, 1), date(2027, 6, 20))
    session.commit()
    plans.generate_plan(
        session,
        cohort,
        timeframes.QUARTERLY,
        replace=True,
        worked_modules=learning.modules_with_work(session, cohort.id),
        today=date(2026, 9, 8),
    )  # the first module opened on 7 September: started
    session.commit()
    items = {
        i.module_id: i
        for i in session.exec(select(PlanItem).where(PlanItem.cohort_id == cohort.id))
    }
    assert (items[later].opens_on, items[later].due_on) == (date(2027, 7, 1), date(2027, 7, 20))
    assert items[first].opens_on == cohort.starts_on  # opened already: unchanged
    assert items[order[1][0]].opens_on != date(2027, 6, 1)  # not started: regenerated
    assert cohort.timeframe == timeframes.QUARTERLY


def test_trainer_adaptations_drop_restore_move_and_override_per_circle(session, factory, mini):
    made = factory.cohort(circles=2)
    cohort = made.cohort
    plan_cohort(session, cohort, mini)
    module_id = _order(session)[0][0]
    circle_a, circle_b = made.circles

    plans.set_removed(session, cohort, module_id, True)
    assert module_id not in [p.module_id for p in plans.effective_plan(session, cohort.id, None)]
    plans.set_removed(session, cohort, module_id, False)
    assert module_id in [p.module_id for p in plans.effective_plan(session, cohort.id, None)]

    plans.set_dates(session, cohort, module_id, date(2026, 10, 1), date(2026, 10, 9))
    plans.set_dates(
        session, cohort, module_id, date(2026, 11, 2), date(2026, 11, 6), circle_id=circle_a.id
    )
    session.commit()
    whole = plans.plan_for_cohort(session, cohort.id)
    a = next(p for p in whole.for_circle(circle_a.id) if p.module_id == module_id)
    b = next(p for p in whole.for_circle(circle_b.id) if p.module_id == module_id)
    assert (a.opens_on, a.due_on, a.overridden) == (date(2026, 11, 2), date(2026, 11, 6), True)
    assert (b.opens_on, b.due_on, b.overridden) == (date(2026, 10, 1), date(2026, 10, 9), False)
    assert plans.effective_plan(session, cohort.id, circle_a.id) == whole.for_circle(circle_a.id)

    plans.clear_circle_dates(session, cohort, module_id, circle_a.id)
    a = next(
        p for p in plans.effective_plan(session, cohort.id, circle_a.id) if p.module_id == module_id
    )
    assert a.opens_on == date(2026, 10, 1)
    # the curriculum itself is untouched by any of this
    assert session.get(Module, module_id).retired is False


@pytest.mark.parametrize(
    ("opens", "due", "message"),
    [
        (date(2026, 10, 9), date(2026, 10, 1), "cannot be before the opening date"),
        (date(2026, 8, 1), date(2026, 10, 1), "within the cohort"),
        (date(2027, 7, 1), date(2027, 8, 30), "within the cohort"),
        (None, date(2027, 8, 30), "Give both"),
    ],
)
def test_date_changes_are_checked(session, factory, mini, opens, due, message):
    cohort = factory.cohort().cohort
    plan_cohort(session, cohort, mini)
    module_id = _order(session)[0][0]
    with pytest.raises(CurriculumError, match=message):
        plans.set_dates(session, cohort, module_id, opens, due)


def test_override_for_a_circle_of_another_cohort_is_refused(session, factory, mini):
    cohort = factory.cohort().cohort
    other = factory.cohort()
    plan_cohort(session, cohort, mini)
    module_id = _order(session)[0][0]
    with pytest.raises(CurriculumError, match="learning circle of this cohort"):
        plans.set_dates(
            session, cohort, module_id, date(2026, 10, 1), date(2026, 10, 2), other.circles[0].id
        )


def test_effective_plan_is_one_query_whatever_the_size(session, factory, mini, engine):
    made = factory.cohort(circles=3)
    plan_cohort(session, made.cohort, mini)
    plans.effective_plan(session, made.cohort.id, None)  # caches the curriculum structure
    with count_queries(engine) as statements:
        plans.effective_plan(session, made.cohort.id, made.circles[0].id)
    assert len(selects(statements)) == 1
    with count_queries(engine) as statements:
        plans.plan_for_cohort(session, made.cohort.id)
    assert len(selects(statements)) == 2


@settings(max_examples=60, deadline=None)
@given(
    days=st.integers(min_value=7, max_value=500),
    milestone_sizes=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=8),
    start_offset=st.integers(min_value=0, max_value=1500),
    template=st.sampled_from(timeframes.TIMEFRAMES),
    convening_offsets=st.one_of(
        st.just([]), st.lists(st.integers(min_value=-30, max_value=530), min_size=4, max_size=6)
    ),
)
def test_generated_plans_schedule_every_module_once_inside_the_cohort_in_order(
    days, milestone_sizes, start_offset, template, convening_offsets
):
    start = date(2024, 1, 1) + timedelta(days=start_offset)
    end = start + timedelta(days=days)
    milestone_indexes = [ms for ms, size in enumerate(milestone_sizes) for _ in range(size)]
    modules = [timeframes.ModuleRef(n, ms) for n, ms in enumerate(milestone_indexes, start=1)]
    if template == timeframes.ACADEMY_YEAR:
        try:
            slots = timeframes.academy_year_slots(modules, start, end)
        except CurriculumError:
            assert not timeframes.teaching_weeks(start, end, timeframes.DEFAULT_BREAKS)
            return
    else:
        convenings = [
            (start + timedelta(days=o), start + timedelta(days=o + 2)) for o in convening_offsets
        ]
        slots = timeframes.quarterly_slots(modules, start, end, convenings)
    assert sorted(s.module_id for s in slots) == sorted(m.id for m in modules)
    milestone_of = {m.id: m.milestone_index for m in modules}
    for slot in slots:
        assert start <= slot.opens_on <= slot.due_on <= end
    ordered = sorted(slots, key=lambda s: milestone_of[s.module_id])
    opens = [s.opens_on for s in ordered]
    assert opens == sorted(opens)


def test_a_module_added_to_the_curriculum_later_can_be_added_to_the_plan(
    session, factory, tmp_path
):
    folder = copy_mini(tmp_path)
    cohort = factory.cohort().cohort
    plan_cohort(session, cohort, load_mini(session, folder))
    (folder / "modules" / "follow-up").mkdir()
    (folder / "modules" / "follow-up" / "module.yaml").write_text(
        "slug: follow-up\ntitle: Follow-up\nminutes: 30\noutcomes: [Follow up.]\n",
        encoding="utf-8",
    )
    (folder / "modules" / "follow-up" / "reading.md").write_text("Read.", encoding="utf-8")
    yaml_path = folder / "curriculum.yaml"
    yaml_path.write_text(
        yaml_path.read_text(encoding="utf-8").replace(
            "      - pitch\n", "      - pitch\n      - follow-up\n"
        ),
        encoding="utf-8",
    )
    load_mini(session, folder)
    editor = plans.editor_view(session, cohort)
    assert [m.slug for m in editor.unplanned] == ["follow-up"]
    new_id = editor.unplanned[0].id
    with pytest.raises(CurriculumError, match="within the cohort"):
        plans.add_module(session, cohort, new_id, date(2027, 7, 1), date(2027, 8, 30))
    plans.add_module(session, cohort, new_id, date(2027, 7, 1), date(2027, 7, 20))
    assert plans.editor_view(session, cohort).unplanned == []
    assert new_id in [p.module_id for p in plans.effective_plan(session, cohort.id, None)]
