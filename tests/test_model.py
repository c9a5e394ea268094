from textmill.model import (
    Alignment,
    Cluster,
    ClusterMember,
    CorpusResult,
    Finding,
    Result,
    Span,
    StageResult,
    from_json,
    to_json,
)


def test_json_round_trip_keeps_nested_types():
    r = StageResult(
        doc_id="a",
        plugin="p",
        stage="quality",
        status="ok",
        score=0.5,
        findings=(Finding("mt.x", "A message.", span=Span(1, 4), evidence="e"),),
        data={"k": [1, 2]},
    )
    payload = to_json(r)
    assert payload["schema"] == 1 and payload["type"] == "StageResult"
    back = from_json(payload)
    assert back == r
    assert isinstance(back.findings[0].span, Span)


def test_corpus_result_round_trip():
    c = CorpusResult(
        clusters=(Cluster("c1", "story", (ClusterMember("a", 1.0), ClusterMember("b", 0.7)), "a"),),
        alignments=(Alignment("c1", "a", Span(0, 5), "b", Span(3, 9), 0.8),),
        doc_results={"a": Result(score=1.0)},
    )
    back = from_json(to_json(c))
    assert back.clusters[0].members[1].similarity == 0.7
    assert back.alignments[0].span_b == Span(3, 9)
    assert back.doc_results["a"].score == 1.0


def test_invalid_span_rejected():
    import pytest

    with pytest.raises(ValueError):
        Span(5, 2)
