"""The pure scoring functions behind bench/eval_claims.py and bench/eval_events.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench import _runner
from bench._scoring import (
    PRF,
    TokenIndex,
    add_prf,
    annotation_stem,
    cameo_to_iso,
    confusion_summary,
    count_exact,
    fold_reciprocal,
    gold_role_countries,
    hull,
    is_quoted,
    is_reciprocal,
    main_event,
    match_by_overlap,
    normalise_event_type,
    normalise_span,
    parse_attributions,
    parse_fragments,
    parse_text_bound,
    set_prf,
    source_correct,
    token_overlap,
)
from bench.eval_claims import GoldArticle, score_article
from bench.eval_events import score_sentence
from schemas.errors import ExtractError
from schemas.records import (
    PLOVER_TYPES,
    ArticleRecord,
    ClaimRecord,
    EventActor,
    EventRecord,
    ParsedArticle,
)

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / ".." / "shared" / "corpus"

ANN = (
    "T1\tSource 0 5\tAlice\n"
    "T2\tCue 6 10\tsaid\n"
    "T3\tContent 11 25\tthe sky; is up\n"
    "T4\tAttribution 6 10\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "T5\tContent 30 40;50 60\tpart one part two\n"
    "T6\tCue 41 49\tinsisted\n"
    "T7\tAttribution-no-source 41 49\tinsisted\n"
    "T8\tContent 70 80\tmore words\n"
    "E2\tAttribution-no-source:T7 Content:T5 Cue:T6 Content2:T8\n"
    "T9\tDiscuss 0 5\tAlice\n"
    "E3\tAttribution-no-source:T7\n"
    "#1\tAnnotatorNotes T1\tignored\n"
)


# --- PRF arithmetic -------------------------------------------------------------------------


def test_prf_counts_give_precision_recall_f1() -> None:
    score = PRF(tp=3, n_pred=4, n_gold=6)
    assert score.precision == 0.75
    assert score.recall == 0.5
    assert score.f1 == pytest.approx(0.6)  # 2 * 0.75 * 0.5 / 1.25


def test_prf_with_nothing_predicted_or_gold_is_zero() -> None:
    assert PRF(tp=0, n_pred=0, n_gold=5).precision == 0.0
    assert PRF(tp=0, n_pred=2, n_gold=0).recall == 0.0
    assert PRF(tp=0, n_pred=0, n_gold=0).f1 == 0.0


def test_micro_average_sums_counts_not_ratios() -> None:
    total = add_prf([set_prf({"A"}, {"A"}), set_prf({"B", "C", "D"}, {"E"})])
    assert (total.tp, total.n_pred, total.n_gold) == (1, 4, 2)
    assert total.f1 == pytest.approx(2 / 6)


def test_as_dict_names_every_figure_with_prefix() -> None:
    figures = PRF(tp=1, n_pred=2, n_gold=4).as_dict("content")
    assert figures["content_precision"] == 0.5
    assert figures["content_recall"] == 0.25
    assert figures["content_gold"] == 4


# --- BRAT -----------------------------------------------------------------------------------


def test_parse_fragments_single_and_discontinuous() -> None:
    assert parse_fragments("89 106") == ((89, 106),)
    assert parse_fragments("315 448;463 553") == ((315, 448), (463, 553))


def test_text_bound_text_may_contain_semicolons() -> None:
    bound = parse_text_bound("T3\tContent 11 25\tthe sky; is up")
    assert (bound.type, bound.fragments, bound.text) == ("Content", ((11, 25),), "the sky; is up")


def test_parse_attributions_resolves_roles_and_fragments() -> None:
    first, second = parse_attributions(ANN)
    assert (first.id, first.kind) == ("E1", "Attribution")
    assert first.content == ((11, 25),)
    assert first.source == ((0, 5),)
    assert first.cue == ((6, 10),)
    # Discontinuous content plus a Content2 argument: all fragments belong to the content.
    assert second.kind == "Attribution-no-source"
    assert second.content == ((30, 40), (50, 60), (70, 80))
    assert second.source == ()


def test_attribution_without_content_is_dropped() -> None:
    assert [a.id for a in parse_attributions(ANN)] == ["E1", "E2"]


def test_annotation_stem_drops_annotator_suffix() -> None:
    assert (
        annotation_stem("politico_2016-09-08_flynn-says_4b22.ann")
        == "politico_2016-09-08_flynn-says"
    )


# --- tokens, overlap matching ---------------------------------------------------------------


TEXT = "Alice said the sky is up today, and Bob said nothing."


def _span(word_start: str, word_end: str) -> tuple[int, int]:
    start = TEXT.index(word_start)
    return (start, TEXT.index(word_end, start) + len(word_end))


def test_token_index_counts_partly_covered_tokens() -> None:
    index = TokenIndex(TEXT)
    assert len(index) == 11
    assert index.tokens([_span("the", "up")]) == frozenset({2, 3, 4, 5})
    # A span cutting a word in the middle still touches that word.
    assert index.tokens([(TEXT.index("sky") + 1, TEXT.index("sky") + 2)]) == frozenset({3})
    assert index.tokens([(5, 5)]) == frozenset()


def test_token_overlap_is_relative_to_shorter_span() -> None:
    assert token_overlap(frozenset({1, 2}), frozenset({1, 2, 3, 4, 5})) == 1.0
    assert token_overlap(frozenset({1, 2, 3, 4}), frozenset({4, 5, 6, 7})) == 0.25
    assert token_overlap(frozenset(), frozenset({1})) == 0.0


def test_match_needs_half_of_the_shorter_span() -> None:
    gold = [frozenset({1, 2, 3, 4})]
    assert match_by_overlap([frozenset({3, 4, 5, 6})], gold) == [(0, 0)]  # 2 of 4
    assert match_by_overlap([frozenset({4, 5, 6, 7})], gold) == []  # 1 of 4


def test_match_is_one_to_one_and_prefers_better_overlap() -> None:
    gold = [frozenset({0, 1, 2, 3}), frozenset({10, 11})]
    predicted = [
        frozenset({2, 3, 4, 5}),  # half of gold 0
        frozenset({0, 1, 2, 3}),  # all of gold 0: wins it
        frozenset({0, 1, 2, 3, 10, 11}),  # covers both; gets gold 1, which is still free
    ]
    assert match_by_overlap(predicted, gold) == [(1, 0), (2, 1)]


def test_match_with_no_predictions() -> None:
    assert match_by_overlap([], [frozenset({1})]) == []


# --- exact spans, sources -------------------------------------------------------------------


def test_normalise_strips_quotes_punctuation_and_space() -> None:
    text = "He said: “We will win.” Then left."
    start, end = text.index("“") - 1, text.index("”") + 2
    trimmed = normalise_span(text, start, end)
    assert text[slice(*trimmed)] == "We will win"


def test_normalise_keeps_inner_punctuation_and_words() -> None:
    text = "that it's fine, really"
    assert normalise_span(text, 0, len(text)) == (0, len(text))


def test_normalise_all_punctuation_gives_empty_span() -> None:
    start, end = normalise_span("“...”", 0, 5)
    assert start == end


def test_hull_covers_out_of_order_fragments() -> None:
    assert hull([(209, 236), (91, 186)]) == (91, 236)


def test_count_exact_is_one_to_one() -> None:
    assert count_exact([(1, 5), (1, 5), (7, 9)], [(1, 5), (7, 8)]) == 1


def test_source_overlap_rules() -> None:
    assert source_correct((0, 5), [(3, 8)])
    assert not source_correct((0, 3), [(3, 8)])  # touching is not overlapping
    assert not source_correct(None, [(3, 8)])
    assert source_correct(None, [])
    assert not source_correct((0, 5), [])
    # A source named without offsets is "a source" that overlaps nothing.
    assert not source_correct((0, 0), [(0, 5)])
    assert not source_correct((0, 0), [])


# --- PLOVER ---------------------------------------------------------------------------------


def test_old_plover_names_map_to_current_types() -> None:
    assert normalise_event_type("DEMAND") == "REQUEST"
    assert normalise_event_type("DISAPPROVE") == "ACCUSE"
    assert normalise_event_type("FIGHT") == "ASSAULT"
    assert normalise_event_type("INVESTIGATE") == "ACCUSE"
    assert normalise_event_type(" agree ") == "AGREE"
    assert normalise_event_type("") is None


@pytest.mark.parametrize(
    ("cameo", "iso"),
    [
        ("USA", "USA"),
        ("PSE", "PSE"),
        ("JAP", "JPN"),
        ("ITL", "ITA"),
        ("VTN", "VNM"),
        ("USAGOV", "USA"),
        ("ZAR", "COD"),  # withdrawn ISO code: successor through ISO 3166-3
        ("BUR", "MMR"),
        ("IGO", None),
        ("NGO", None),
        ("IMG", None),
        ("REB", None),
        ("YUG", None),  # successor code itself withdrawn
        ("", None),
        (None, None),
    ],
)
def test_cameo_to_iso(cameo: str | None, iso: str | None) -> None:
    assert cameo_to_iso(cameo) == iso


def test_gold_roles_from_source_and_target() -> None:
    record = {
        "source": [{"actorText": "Japan", "code": "JAP"}, {"actorText": "UN", "code": "IGO"}],
        "target": [{"actorText": "Serbia", "code": "SRB"}],
        "textInfo": {"markup": "(SRC: Japan) ... (TAR: Serbia)"},
    }
    assert gold_role_countries(record) == {("actor", "JPN"), ("recipient", "SRB")}


def test_reciprocal_records_count_only_actors() -> None:
    markup = {"markup": "(SRC/TAR: United States) and (SRC/TAR: Jordan) have (EVT: agreed)"}
    record = {
        "source": [{"code": "USA"}, {"code": "JOR"}],
        "target": "",
        "textInfo": markup,
    }
    assert is_reciprocal(record)
    assert gold_role_countries(record) == {("actor", "USA"), ("actor", "JOR")}
    same = {"source": [{"code": "USA"}], "target": [{"code": "USA"}]}
    assert is_reciprocal(same)
    assert gold_role_countries(same) == {("actor", "USA")}


def test_missing_or_empty_target_means_no_recipient() -> None:
    assert gold_role_countries({"source": [{"code": "KGZ"}]}) == {("actor", "KGZ")}
    assert not is_reciprocal({"source": [{"code": "KGZ"}], "target": ""})


def test_fold_reciprocal_turns_recipients_into_actors() -> None:
    pairs = {("actor", "USA"), ("recipient", "JOR")}
    assert fold_reciprocal(pairs, reciprocal=True) == {("actor", "USA"), ("actor", "JOR")}
    assert fold_reciprocal(pairs, reciprocal=False) == pairs


@dataclass(frozen=True)
class _Event:
    name: str
    confidence: float


def test_main_event_is_most_confident_first_on_tie() -> None:
    events = [_Event("a", 0.4), _Event("b", 0.9), _Event("c", 0.9)]
    assert main_event(events) == _Event("b", 0.9)
    assert main_event([]) is None


def test_confusion_summary_lists_accuracy_and_confusions() -> None:
    lines = confusion_summary(
        [("AGREE", "AGREE"), ("AGREE", "CONSULT"), ("AGREE", "NONE"), ("ACCUSE", "ACCUSE")]
    )
    assert lines[0].startswith("ACCUSE") and "acc=1.00" in lines[0]
    assert lines[1].startswith("AGREE") and "acc=0.33" in lines[1]
    assert "CONSULT 1" in lines[1] and "NONE 1" in lines[1]


# --- the real corpus ------------------------------------------------------------------------


def test_real_polnear_annotation_matches_its_text() -> None:
    folder = CORPUS / "polnear-dev"
    anns = sorted((folder / "attributions").glob("*.ann")) if folder.is_dir() else []
    if not anns:
        pytest.skip("shared corpus polnear-dev is absent")
    ann_path = anns[0]
    text_path = folder / "text" / f"{annotation_stem(ann_path.name)}.txt"
    text = text_path.read_text(encoding="utf-8")
    ann = ann_path.read_text(encoding="utf-8")
    attributions = parse_attributions(ann)
    assert attributions
    bounds = [parse_text_bound(line) for line in ann.splitlines() if line.startswith("T")]
    # BRAT joins the fragments of a discontinuous span with one space.
    for bound in bounds:
        assert " ".join(text[s:e] for s, e in bound.fragments) == bound.text
    index = TokenIndex(text)
    for attribution in attributions:
        assert index.tokens(attribution.content)
        assert all(0 <= s < e <= len(text) for s, e in attribution.content)


def test_real_plover_codes_map_or_are_groups() -> None:
    path = CORPUS / "plover-dev" / "plover-gsr-dev.jsonl"
    if not path.is_file():
        pytest.skip("shared corpus plover-dev is absent")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    codes = {
        actor["code"]
        for record in records
        for side in ("source", "target")
        if isinstance(record.get(side), list)
        for actor in record[side]
    }
    unmapped = {code for code in codes if cameo_to_iso(code) is None}
    assert "JAP" in codes and cameo_to_iso("JAP") == "JPN"
    assert unmapped <= {"IGO", "NGO", "IMG", "ISM"}
    assert {normalise_event_type(r["event"]) for r in records} <= set(PLOVER_TYPES)


def test_is_quoted_recognises_typographic_and_ascii_quotes() -> None:
    text = ' “We won,” he said. "Yes." \'90s were fine'
    assert is_quoted(text, [(0, 10)])
    assert is_quoted(text, [(text.index('"'), text.index('"') + 6)])
    assert not is_quoted(text, [(text.index("he"), text.index("said") + 4)])
    assert not is_quoted(text, [(text.index("'"), len(text))])
    assert not is_quoted(text, [(0, 1)])


# --- the scripts' per-item scoring on hand-made predictions ----------------------------------


def _claim(text: str, content: str, source: str | None, quote: bool = False) -> ClaimRecord:
    start = text.index(content)
    source_start = text.index(source) if source else None
    return ClaimRecord(
        content=content,
        content_start=start,
        content_end=start + len(content),
        source=source,
        source_start=source_start,
        source_end=source_start + len(source) if source else None,
        cue=None,
        is_direct_quote=quote,
    )


def test_score_article_counts_matches_exact_spans_and_sources() -> None:
    text = 'Alice said "the sky is up today." Bob thinks rain is near. It was said that tax rises.'

    def bound(tb_id: str, kind: str, piece: str) -> str:
        start = text.index(piece)
        return f"{tb_id}\t{kind} {start} {start + len(piece)}\t{piece}\n"

    ann = (
        bound("T1", "Source", "Alice")
        + bound("T2", "Content", '"the sky is up today."')
        + bound("T9", "Attribution", "said")
        + "E1\tAttribution:T9 Content:T2 Source:T1\n"
        + bound("T3", "Source", "Bob")
        + bound("T4", "Content", "rain is near.")
        + "E2\tAttribution:T9 Content:T4 Source:T3\n"
        + bound("T5", "Content", "that tax rises.")
        + "E3\tAttribution-no-source:T9 Content:T5\n"
    )
    article = GoldArticle(
        name="a", annotation_file="a_x.ann", text=text, attributions=tuple(parse_attributions(ann))
    )
    claims = [
        _claim(text, "the sky is up today.", "Alice", quote=True),  # exact after trimming
        _claim(text, "rain is near. It was", "Bob"),  # 3 of 3 gold tokens: match, not exact
        _claim(text, "Alice said", None),  # spurious
    ]
    score = score_article(article, claims)
    assert (score.content.tp, score.content.n_pred, score.content.n_gold) == (2, 3, 3)
    assert score.exact.tp == 1
    assert score.source_correct == 2
    assert (score.gold_quoted, score.gold_quoted_matched, score.quote_flag_correct) == (1, 1, 2)
    assert len(score.missed) == 1 and "tax rises" in score.missed[0]
    assert len(score.spurious) == 1 and "Alice said" in score.spurious[0]


def test_score_sentence_uses_most_confident_event() -> None:
    record = {
        "id": "X-1",
        "event": "DEMAND",
        "source": [{"code": "JAP"}],
        "target": [{"code": "SRB"}, {"code": "IGO"}],
        "text": "Japan asked Serbia and the UN to stop.",
    }

    def event(kind: str, confidence: float, *actors: EventActor) -> EventRecord:
        return EventRecord(
            event_type=kind,
            trigger="asked",
            trigger_start=6,
            trigger_end=11,
            date=None,
            date_precision=None,
            confidence=confidence,
            actors=actors,
        )

    japan = EventActor(name="Japan", role="actor", country_code="JPN")
    serbia_as_actor = EventActor(name="Serbia", role="actor", country_code="SRB")
    score = score_sentence(
        record, (event("ACCUSE", 0.3), event("REQUEST", 0.7, japan, serbia_as_actor))
    )
    assert (score.gold_type, score.predicted_type) == ("REQUEST", "REQUEST")
    assert (score.countries.tp, score.countries.n_pred, score.countries.n_gold) == (2, 2, 2)
    assert (score.roles.tp, score.roles.n_pred, score.roles.n_gold) == (1, 2, 2)
    empty = score_sentence(record, ())
    assert empty.predicted_type == "NONE"
    assert (empty.countries.tp, empty.countries.n_pred, empty.countries.n_gold) == (0, 0, 2)


def test_run_extractor_scores_a_failing_article_as_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    def extract(articles: Sequence[ParsedArticle]) -> list[ArticleRecord]:
        if any("boom" in a.text for a in articles):
            raise ExtractError("rule tripped")
        claim = _claim("Bo said hi.", "hi", "Bo")
        return [ArticleRecord(**a.model_dump(), claims=(claim,)) for a in articles]

    monkeypatch.setattr(_runner, "load_extractor", lambda: (extract, "test-1"))
    articles = [
        ParsedArticle(url=None, text=text) for text in ("Bo said hi.", "boom", "Bo said hi.")
    ]
    run = _runner.run_extractor(articles, ["a", "b", "c"])
    assert [len(r.claims) for r in run.records] == [1, 0, 1]
    assert run.retried_one_by_one
    assert len(run.failures) == 1 and run.failures[0].startswith("b:")
    clean = _runner.run_extractor(articles[:1], ["a"])
    assert (clean.failures, clean.retried_one_by_one, clean.version) == ((), False, "test-1")
