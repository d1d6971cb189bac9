"""The numeric engine on hand-made arrays: no database, no Django."""

import numpy as np
import pytest

from matching.engine.scoring import COMPONENTS, Weights, effective_strengths, score_block, top_areas

# Areas: 0 cv (top level), 1 cv.medical_imaging, 2 cv.video_analytics, 3 ml (top level).
PARENT = np.array([-1, 0, 0, -1])
# Types: 0 directed_training, 1 internship_base, 2 workforce_development.
AREA, CAPACITY, REGION, INTEREST = range(4)


def block(**overrides):
    """One project (cv only, internship base, 40 places over 2 partners, in province 32 of
    region 3) against one university (cv 0.8, 20 internship places and 1 slot, province 32)."""
    arrays = {
        "project_areas": np.array([[1.0, 0.0, 0.0, 0.0]]),
        "project_type": np.array([1]),
        "project_places": np.array([40]),
        "project_partners": np.array([2]),
        "project_province": np.array([32]),
        "project_region": np.array([3]),
        "effective": np.array([[0.8, 0.0, 0.0, 0.0]]),
        "university_places": np.array([[0, 20, 0]]),
        "university_slots": np.array([[0, 1, 0]]),
        "university_province": np.array([32]),
        "university_region": np.array([3]),
        "interest": np.array([[False]]),
    }
    arrays.update(overrides)
    return score_block(**arrays)


def test_components_are_named_in_the_order_of_the_weights():
    assert COMPONENTS == ("area", "capacity", "region", "interest")
    assert Weights().as_array().tolist() == pytest.approx([0.60, 0.15, 0.15, 0.10])


def test_top_level_strength_is_the_largest_of_its_own_and_its_sub_areas():
    strengths = np.array([[0.3, 0.9, 0.5, 0.2], [0.7, 0.1, 0.0, 0.0]], dtype=np.float32)
    effective = effective_strengths(strengths, PARENT)
    assert effective[0].tolist() == pytest.approx([0.9, 0.9, 0.5, 0.2])
    assert effective[1].tolist() == pytest.approx([0.7, 0.1, 0.0, 0.0])


def test_sub_area_strength_is_its_own_and_the_input_is_left_alone():
    strengths = np.array([[0.9, 0.0, 0.4, 0.0]], dtype=np.float32)
    effective = effective_strengths(strengths, PARENT)
    # A strong parent does not lend its strength to its sub-areas.
    assert effective[0, 1] == 0.0
    assert effective[0, 2] == pytest.approx(0.4)
    assert strengths[0].tolist() == pytest.approx([0.9, 0.0, 0.4, 0.0])


def test_area_fit_is_the_project_weights_times_the_effective_strengths():
    effective = np.array([[0.8, 0.0, 0.0, 0.5]])
    components, _totals, _eligible = block(
        project_areas=np.array([[0.75, 0.0, 0.0, 0.25]]), effective=effective
    )
    assert components[AREA, 0, 0] == pytest.approx(0.75 * 0.8 + 0.25 * 0.5)


def test_capacity_fit_is_places_against_the_projects_places_per_partner():
    # 40 places over 2 partners: 20 per partner.
    places = np.array([[0, 20, 0], [0, 10, 0], [0, 50, 0]])
    components, _totals, _eligible = block(
        effective=np.zeros((3, 4)),
        university_places=places,
        university_slots=np.array([[0, 1, 0]] * 3),
        university_province=np.array([32, 32, 32]),
        university_region=np.array([3, 3, 3]),
        interest=np.zeros((1, 3), dtype=bool),
    )
    assert components[CAPACITY, 0].tolist() == pytest.approx([1.0, 0.5, 1.0])


def test_capacity_fit_uses_the_places_of_the_projects_own_type():
    components, _totals, eligible = block(
        project_type=np.array([0]),
        university_places=np.array([[5, 20, 0]]),
        university_slots=np.array([[1, 1, 0]]),
    )
    assert components[CAPACITY, 0, 0] == pytest.approx(5 / 20)
    assert eligible[0, 0]


def test_region_is_one_in_the_same_province_a_half_in_the_same_region_else_zero():
    components, _totals, _eligible = block(
        effective=np.zeros((3, 4)),
        university_places=np.array([[0, 20, 0]] * 3),
        university_slots=np.array([[0, 1, 0]] * 3),
        university_province=np.array([32, 33, 11]),
        university_region=np.array([3, 3, 0]),
        interest=np.zeros((1, 3), dtype=bool),
    )
    assert components[REGION, 0].tolist() == [1.0, 0.5, 0.0]


def test_a_project_without_a_province_has_no_region_fit():
    components, _totals, _eligible = block(
        project_province=np.array([-1]),
        project_region=np.array([-2]),
        university_province=np.array([-1]),
        university_region=np.array([-2]),
    )
    assert components[REGION, 0, 0] == 0.0


def test_interest_is_one_for_a_live_interest():
    without, _t, _e = block()
    with_interest, _t, _e = block(interest=np.array([[True]]))
    assert without[INTEREST, 0, 0] == 0.0
    assert with_interest[INTEREST, 0, 0] == 1.0


def test_total_is_the_weighted_sum_of_the_components():
    components, totals, eligible = block(
        effective=np.array([[0.8, 0.0, 0.0, 0.0]]),
        university_places=np.array([[0, 10, 0]]),
        university_province=np.array([33]),
        interest=np.array([[True]]),
    )
    assert eligible[0, 0]
    assert components[:, 0, 0].tolist() == pytest.approx([0.8, 0.5, 0.5, 1.0])
    assert totals[0, 0] == pytest.approx(0.60 * 0.8 + 0.15 * 0.5 + 0.15 * 0.5 + 0.10 * 1.0)


def test_weights_given_are_the_weights_used():
    weights = Weights(area=1.0, capacity=0.0, region=0.0, interest=0.0)
    _components, totals, _eligible = block(weights=weights)
    assert totals[0, 0] == pytest.approx(0.8)


@pytest.mark.parametrize(("places", "slots"), [(0, 1), (20, 0), (0, 0)])
def test_a_university_without_places_or_slots_for_the_type_scores_zero(places, slots):
    university_places = np.array([[50, places, 50]])
    university_slots = np.array([[3, slots, 3]])
    components, totals, eligible = block(
        university_places=university_places, university_slots=university_slots, interest=np.array([[True]])
    )
    assert not eligible[0, 0]
    assert totals[0, 0] == 0.0
    # The components are still reported, so a person can see why.
    assert components[AREA, 0, 0] == pytest.approx(0.8)


def test_a_block_scores_every_project_against_every_university():
    rng = np.random.default_rng(7)
    n_projects, n_universities = 5, 4
    project_areas = rng.random((n_projects, 4))
    project_areas /= project_areas.sum(axis=1, keepdims=True)
    effective = effective_strengths(rng.random((n_universities, 4)).astype(np.float32), PARENT)
    components, totals, eligible = score_block(
        project_areas=project_areas,
        project_type=np.array([0, 1, 2, 1, 0]),
        project_places=np.array([10, 40, 6, 20, 8]),
        project_partners=np.array([1, 2, 3, 4, 1]),
        project_province=np.array([32, 11, -1, 33, 32]),
        project_region=np.array([3, 0, -2, 3, 3]),
        effective=effective,
        university_places=rng.integers(0, 30, (n_universities, 3)),
        university_slots=rng.integers(0, 3, (n_universities, 3)),
        university_province=np.array([32, 11, 44, 33]),
        university_region=np.array([3, 0, 5, 3]),
        interest=rng.random((n_projects, n_universities)) > 0.7,
    )
    assert components.shape == (4, n_projects, n_universities)
    assert totals.shape == eligible.shape == (n_projects, n_universities)
    assert ((components >= 0) & (components <= 1 + 1e-6)).all()
    expected = np.tensordot(Weights().as_array(), components, axes=1) * eligible
    assert totals == pytest.approx(expected)


def test_top_areas_are_the_largest_contributions_best_first():
    project_row = np.array([0.5, 0.3, 0.2, 0.0])
    effective_row = np.array([0.2, 0.9, 0.9, 1.0])
    # Contributions: 0.10, 0.27, 0.18, 0.
    assert top_areas(project_row, effective_row) == [1, 2]
    assert top_areas(project_row, effective_row, k=3) == [1, 2, 0]


def test_top_areas_leave_out_areas_that_contribute_nothing():
    assert top_areas(np.array([1.0, 0.0, 0.0, 0.0]), np.array([0.5, 1.0, 1.0, 1.0])) == [0]
    assert top_areas(np.array([1.0, 0.0, 0.0, 0.0]), np.zeros(4)) == []
