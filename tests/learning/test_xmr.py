import pytest

from learning.figures import xmr


def test_xmr_limits_match_the_worked_example():
    result = xmr([10, 12, 8, 14, 11])
    assert result.mean == pytest.approx(11)
    assert result.moving_ranges == pytest.approx([2, 4, 6, 3])
    assert result.average_moving_range == pytest.approx(3.75)
    assert result.unpl == pytest.approx(20.975)
    assert result.lnpl == pytest.approx(1.025)
    assert result.upper_range_limit == pytest.approx(12.255)
    assert [p.moving_range for p in result.points] == [None, 2, 4, 6, 3]
    assert not any(p.signal for p in result.points)


def test_the_lower_limit_never_goes_below_zero():
    result = xmr([1, 20, 2, 30])  # mean 13.25, mR̄ 21.67: mean − 2.66 × mR̄ is below 0
    assert result.mean - 2.66 * result.average_moving_range < 0
    assert result.lnpl == 0


def test_a_point_beyond_the_upper_limit_is_a_signal():
    result = xmr([10, 11, 10, 11, 10, 11, 10, 40])
    assert result.unpl == pytest.approx(14.125 + 2.66 * 36 / 7)
    assert [p.signal for p in result.points] == [""] * 7 + ["Outside the limits"]


def test_eight_in_a_row_on_one_side_of_the_average_is_a_signal():
    result = xmr([3, 3, 3, 3, 3, 3, 3, 3, 20])
    signals = [p.signal for p in result.points]
    assert signals[:8] == ["A run of 8 or more on one side of the average"] * 8
    assert signals[8] == "Outside the limits"


def test_seven_in_a_row_is_not_a_run():
    result = xmr([5, 7, 5, 7, 5, 7, 5, 12, 9, 11, 8])  # seven below the average of 7.4
    assert not any(p.signal for p in result.points)


def test_too_few_points_have_no_limits():
    assert xmr([]).unpl is None and xmr([]).points == []
    single = xmr([7])
    assert (single.mean, single.unpl, single.lnpl) == (7, None, None)
