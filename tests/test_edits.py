from textmill.edits import apply_edits, map_edits_back, map_span_back
from textmill.model import Edit, Span


def test_span_maps_back_through_two_cleaners():
    raw = "AAA  BBB\x00 CCC"
    step1 = [Edit(Span(8, 9), "", "control")]  # remove NUL
    t1 = apply_edits(raw, step1)
    assert t1 == "AAA  BBB CCC"
    step2 = [Edit(Span(3, 5), " ", "ws")]
    t2 = apply_edits(t1, step2)
    assert t2 == "AAA BBB CCC"
    # "CCC" in t2 maps back to "CCC" in raw
    start = t2.index("CCC")
    back = map_span_back(Span(start, start + 3), [step1, step2])
    assert raw[back.start : back.end] == "CCC"
    # a later cleaner's removal maps to the raw characters it covers
    step3 = [Edit(Span(4, 8), "", "cut")]  # remove "BBB " from t2
    mapped = map_edits_back(step3, [step1, step2])
    assert raw[mapped[0].span.start : mapped[0].span.end] == "BBB\x00 "
