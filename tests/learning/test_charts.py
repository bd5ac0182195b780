from learning import charts
from learning.figures import xmr


def test_scales_end_on_a_round_number():
    assert charts.nice_scale(0) == [0, 1]
    assert charts.nice_scale(7) == [0, 2, 4, 6, 8]
    assert charts.nice_scale(340) == [0, 100, 200, 300, 400]
    assert charts.nice_scale(0.6, whole=False) == [0, 0.2, 0.4, 0.6000000000000001]


def test_stacked_bars_are_as_tall_as_their_share_of_the_scale():
    chart = charts.bar_chart("c", "T", "D", ["Jan", "Feb"], {"One": [1, 2], "Two": [3, 0]},
                             stacked=True)
    bars = [r for r in chart.rects if r.stroke == charts.WHITE]
    # The scale runs 0 to 4 over the plot's height: 1 is a quarter of it, 3 three-quarters.
    assert [r.h for r in bars] == [55, 165, 110]
    assert bars[0].y + bars[0].h == bars[2].y + bars[2].h  # both months start at zero
    assert bars[1].y + bars[1].h == bars[0].y  # "Two" sits on top of "One"


def test_each_series_has_a_pattern_as_well_as_a_colour():
    chart = charts.bar_chart("c", "T", "D", ["Jan"], {"One": [1], "Two": [2], "Three": [3]})
    fills = {r.fill for r in chart.rects}
    assert charts.PALETTE[0] in fills
    assert {"url(#c-pattern-1)", "url(#c-pattern-2)"} <= fills
    assert [p.id for p in chart.patterns] == ["c-pattern-1", "c-pattern-2"]
    assert len({p.d for p in chart.patterns}) == 2  # hatched and dotted, not just recoloured


def test_lines_differ_by_dash_and_a_gap_breaks_the_line():
    chart = charts.line_chart("c", "T", "D", ["a", "b", "c", "d"],
                              {"Solid": [1, None, 2, 3], "Dashed": [1, 1, 1, 1]})
    lines = [p for p in chart.paths if p.stroke != "none"]
    assert [(p.dash, p.d.count("L")) for p in lines] == [("", 1), ("8 4", 3)]


def test_the_xmr_chart_labels_its_limits_and_draws_no_target():
    result = xmr([10, 12, 8, 14, 11])
    chart = charts.xmr_chart("x", "T", "D", ["", "", "", "", ""], result)
    texts = [t.text for t in chart.texts]
    assert {"Average 11.0", "UNPL 21.0", "LNPL 1.0", "mR̄ 3.8", "URL 12.3"} <= set(texts)
    assert not any("target" in t.lower() for t in texts)


def test_long_labels_wrap_onto_two_lines():
    assert charts.wrap("Debt written off or debt relief order", 140) == [
        "Debt written off or", "debt relief order"]
    assert charts.wrap("Debt written off or debt relief order", 120) == [
        "Debt written off", "or debt relief or…"]
    assert charts.wrap("Jun\n2026", 20) == ["Jun", "2026"]
