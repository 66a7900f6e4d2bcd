"""The parse stage: plain text kept exactly, HTML metadata rules, AEB pages, arbitrary bytes."""

from __future__ import annotations

import gzip
import json
import statistics
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.errors import ParseError
from schemas.records import Document, ParsedArticle
from tasks.metadata import normalise_date
from tasks.parse import MAX_PARSE_BYTES, PARSER_VERSION, parse_bytes, parse_document, parse_path

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
SEED = CORPUS / "seed-article.txt"
AEB = CORPUS / "aeb"

# Prose long enough for trafilatura to take it as an article body.
PARAGRAPHS = (
    "The city council voted on Tuesday to expand the harbour, ending a debate that had run "
    "for more than three years and divided residents of the old quarter.",
    "Supporters said the project would bring jobs and new ferry routes to the island, while "
    "fishermen warned that dredging would damage the breeding grounds offshore.",
    "The mayor said construction would begin next spring and that an independent panel would "
    "publish its findings on the environmental impact before the first contracts are signed.",
)
BODY = "".join(f"<p>{paragraph}</p>\n" for paragraph in PARAGRAPHS)


def page(head: str = "", body: str = BODY, *, lang: str = "en") -> bytes:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
        f"<body><article>{body}</article></body></html>"
    ).encode()


def jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_version_and_cap_are_published() -> None:
    assert PARSER_VERSION
    assert MAX_PARSE_BYTES >= 1_000_000


# Plain text ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> tuple[str, ParsedArticle]:
    if not SEED.exists():
        pytest.skip("shared corpus not present")
    return SEED.read_text(encoding="utf-8"), parse_path(SEED)


def test_seed_text_is_the_file_minus_its_date_header(seed: tuple[str, ParsedArticle]) -> None:
    raw, article = seed
    assert raw.endswith(article.text)
    assert raw[: len(raw) - len(article.text)].strip() == "date 2021-05-04"
    assert article.text.startswith("Japanese Foreign Minister")
    assert article.published == "2021-05-04"


def test_seed_has_no_title_and_lists_its_bracketed_captions(
    seed: tuple[str, ParsedArticle],
) -> None:
    _, article = seed
    assert article.title is None
    assert len(article.captions) == 2
    for caption in article.captions:
        assert caption.startswith("[") and caption.endswith("]")
        assert caption in article.text
    assert "Credit: AP]" in article.captions[0]


def test_plain_text_headline_is_the_title_and_stays_in_the_text() -> None:
    text = "Harbour expansion approved\n\n" + "\n\n".join(PARAGRAPHS) + "\n"
    article = parse_bytes(text.encode(), content_type="text/plain")
    assert article.title == "Harbour expansion approved"
    assert article.text == text


def test_plain_text_first_sentence_is_not_a_title() -> None:
    text = "The council voted.\n\n" + PARAGRAPHS[0]
    assert parse_bytes(text.encode(), filename="a.txt").title is None


def test_plain_text_uses_hints_only_when_the_file_has_none() -> None:
    body = PARAGRAPHS[0] + "\n\n" + PARAGRAPHS[1]
    hinted = parse_bytes(body.encode(), published="2020-01-02", title="Feed title")
    assert (hinted.published, hinted.title) == ("2020-01-02", "Feed title")
    own = parse_bytes(f"date 2021-05-04\n{body}".encode(), published="2020-01-02")
    assert own.published == "2021-05-04"
    assert own.text == body


def test_plain_text_with_an_impossible_header_date_keeps_the_header() -> None:
    text = "date 2021-13-45 " + PARAGRAPHS[0]
    article = parse_bytes(text.encode(), content_type="text/plain")
    assert article.text == text
    assert article.published is None


def test_only_wholly_bracketed_paragraphs_are_captions() -> None:
    text = "\n\n".join(
        [PARAGRAPHS[0], "[A ferry at dawn. Credit: Reuters]", "[Update] " + PARAGRAPHS[1]]
    )
    article = parse_bytes(text.encode())
    assert article.captions == ("[A ferry at dawn. Credit: Reuters]",)


def test_plain_text_is_decoded_with_the_declared_charset() -> None:
    text = "Café owners in Zürich said the rule was “unfair”. " + PARAGRAPHS[0]
    article = parse_bytes(text.encode("cp1252"), content_type="text/plain; charset=windows-1252")
    assert article.text == text


def test_plain_text_without_charset_is_not_mojibake() -> None:
    text = "Café owners in Zürich said the rule was “unfair”. " + PARAGRAPHS[0]
    assert parse_bytes(text.encode("utf-8")).text == text
    assert parse_bytes(b"\xef\xbb\xbf" + text.encode("utf-8")).text == text


# HTML metadata rules ---------------------------------------------------------------------------


def test_jsonld_graph_gives_title_authors_date_and_publisher() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Harbour Gazette"},
            {
                "@type": "NewsArticle",
                "headline": "Council approves harbour expansion",
                "datePublished": "2021-05-04T09:30:00+02:00",
                "author": [{"@type": "Person", "name": "Jane Doe"}, {"name": "Staff"}],
                "publisher": {"@type": "Organization", "name": "Harbour Gazette"},
            },
        ],
    }
    head = jsonld(graph) + '<meta property="og:title" content="Other title">'
    article = parse_bytes(page(head), url="https://example.org/a")
    assert article.title == "Council approves harbour expansion"
    assert article.authors == ("Jane Doe",)
    assert article.published == "2021-05-04T09:30:00+02:00"
    assert article.site_name == "Harbour Gazette"
    assert article.language == "en"
    assert article.url == "https://example.org/a"
    assert "harbour" in article.text


def test_og_title_beats_twitter_and_title_tags() -> None:
    head = (
        '<meta property="og:title" content="OG headline">'
        '<meta name="twitter:title" content="Twitter headline"><title>Tag headline</title>'
    )
    assert parse_bytes(page(head)).title == "OG headline"
    assert parse_bytes(page(head.split(">", 1)[1])).title == "Twitter headline"


@pytest.mark.parametrize(
    ("title_tag", "expected"),
    [
        ("Harbour expansion approved | Harbour Gazette", "Harbour expansion approved"),
        ("Harbour expansion approved - Harbour Gazette", "Harbour expansion approved"),
        ("Harbour Gazette | Harbour expansion approved", "Harbour expansion approved"),
        ("Votes - and vetoes | Other Site", "Votes - and vetoes | Other Site"),
    ],
)
def test_title_tag_loses_a_suffix_only_when_it_is_the_site_name(
    title_tag: str, expected: str
) -> None:
    head = f'<meta property="og:site_name" content="Harbour Gazette"><title>{title_tag}</title>'
    assert parse_bytes(page(head)).title == expected


def test_h1_is_the_last_resort_for_a_title_and_hints_come_after_it() -> None:
    with_h1 = page(body="<h1>Harbour vote</h1>" + BODY)
    assert parse_bytes(with_h1, title="Feed title").title == "Harbour vote"
    assert parse_bytes(page(), title="Feed title").title == "Feed title"


def test_meta_authors_skip_staff_and_urls_then_rel_author_counts() -> None:
    head = (
        '<meta name="author" content="Staff">'
        '<meta property="article:author" content="https://example.org/people/jane">'
    )
    byline = '<p class="byline">By <a rel="author" href="/jane">Jane Doe</a></p>'
    article = parse_bytes(page(head, byline + BODY))
    assert article.authors == ("Jane Doe",)


def test_a_byline_with_two_names_and_a_role_gives_two_people() -> None:
    head = '<meta name="author" content="By Jane Doe and John Roe, Staff Writer">'
    assert parse_bytes(page(head)).authors == ("Jane Doe", "John Roe")


def test_email_the_author_and_the_site_name_are_not_authors() -> None:
    head = (
        '<meta property="og:site_name" content="Harbour Gazette">'
        + jsonld({"@type": "Article", "author": [{"name": "Harbour Gazette"}]})
        + '<meta name="author" content="Email the author">'
    )
    assert parse_bytes(page(head)).authors == ()


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        (
            '<meta property="article:published_time" content="2020-03-01T10:00:00Z">',
            '<time datetime="2019-01-01">then</time>' + BODY,
            "2020-03-01T10:00:00+00:00",
        ),
        ('<meta name="date" content="2020-03-01">', BODY, "2020-03-01"),
        (
            "",
            '<time datetime="2020-03-01T10:00:00-05:00">1 March</time>' + BODY,
            "2020-03-01T10:00:00-05:00",
        ),
        ("", '<time datetime="2020-03-01T10:00:00">1 March</time>' + BODY, "2020-03-01"),
    ],
)
def test_published_rules_in_order(head: str, body: str, expected: str) -> None:
    assert parse_bytes(page(head, body)).published == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-05-04T10:00:00.000Z", "2021-05-04T10:00:00+00:00"),
        ("Tue, 04 May 2021 10:00:00 GMT", "2021-05-04T10:00:00+00:00"),
        ("4 May 2021 10:00 +0200", "2021-05-04T10:00:00+02:00"),
        ("May 4, 2021", "2021-05-04"),
        ("0001-01-01T00:00:00", None),
        ("yesterday", None),
        ("2021", None),
        ("Staff", None),
    ],
)
def test_dates_are_normalised_or_dropped(value: str, expected: str | None) -> None:
    assert normalise_date(value) == expected


def test_published_hint_is_used_when_the_page_has_no_date() -> None:
    article = parse_bytes(page(), url="https://example.org/news/harbour", published="2021-02-03")
    assert article.published == "2021-02-03"


def test_figcaptions_are_captions_and_not_body() -> None:
    caption = "Fishing boats moored in the old harbour on Monday, before the vote."
    figure = f'<figure><img src="boats.jpg"><figcaption>{caption}</figcaption></figure>'
    # On a short page trafilatura falls back to taking all text, captions included.
    first, second = "The council voted to expand the harbour.", "Work starts in spring."
    article = parse_bytes(page(body=f"<p>{first}</p>{figure}<p>{second}</p>"))
    assert article.captions == (caption,)
    assert "moored" not in article.text
    assert first in article.text and second in article.text


def test_library_failures_become_parse_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_extract(*args: object, **kwargs: object) -> str:
        raise ValueError("lxml said no")

    monkeypatch.setattr("tasks.parse.trafilatura.extract", broken_extract)
    with pytest.raises(ParseError, match="lxml said no") as raised:
        parse_bytes(page(), url="https://example.org/b")
    assert raised.value.url == "https://example.org/b"


def test_language_from_lang_attribute_then_og_locale() -> None:
    assert parse_bytes(page(lang="en-GB")).language == "en"
    localised = page('<meta property="og:locale" content="fr_FR">', lang="")
    assert parse_bytes(localised).language == "fr"


def test_canonical_url_is_resolved_and_url_stays_the_fetched_one() -> None:
    head = '<link rel="canonical" href="/news/harbour">'
    article = parse_bytes(page(head), url="https://example.org/news/harbour?utm_source=feed")
    assert article.url == "https://example.org/news/harbour?utm_source=feed"
    assert article.canonical_url == "https://example.org/news/harbour"


def test_utf8_page_without_declared_charset_is_not_mojibake() -> None:
    html = page(body="<p>Officials said it was “unfair” to Zürich’s cafés.</p>" + BODY)
    html = html.replace(b'<meta charset="utf-8">', b"")
    assert "“unfair” to Zürich’s cafés" in parse_bytes(html, content_type="text/html").text


def test_utf8_page_wrongly_declared_latin1_by_the_server_is_not_mojibake() -> None:
    html = page(body="<p>Officials said it was “unfair” to Zürich’s cafés.</p>" + BODY)
    article = parse_bytes(html, content_type="text/html; charset=ISO-8859-1")
    assert "“unfair” to Zürich’s cafés" in article.text


def test_declared_latin1_page_is_decoded() -> None:
    html = page(body="<p>Les cafés de Zürich ont fermé à midi, a dit le maire.</p>" + BODY)
    html = html.replace(b"utf-8", b"iso-8859-1").decode().encode("iso-8859-1")
    assert "Les cafés de Zürich ont fermé" in parse_bytes(html).text


def test_utf16_page_with_bom_is_read_as_html() -> None:
    article = parse_bytes(
        b"\xff\xfe" + page("<title>Harbour vote</title>").decode().encode("utf-16-le")
    )
    assert article.title == "Harbour vote"
    assert PARAGRAPHS[0] in article.text


def test_html_beyond_the_byte_cap_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tasks.parse.MAX_PARSE_BYTES", 2000)
    padding = "<p>" + "Earlier news about the harbour and its ferries. " * 60 + "</p>"
    article = parse_bytes(page(body=padding + "<p>Hidden after the cap.</p>"))
    assert "Earlier news" in article.text
    assert "Hidden" not in article.text


def test_a_40_mb_page_is_read_up_to_the_cap_only() -> None:
    paragraph = "<p>" + "Earlier news about the harbour and its ferries. " * 40 + "</p>"
    padding = paragraph * (40_000_000 // len(paragraph))
    article = parse_bytes(
        page(body=padding + "<p>Hidden after the cap.</p>"), url="https://e.org/a"
    )
    assert "Earlier news" in article.text
    assert "Hidden" not in article.text


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_html_gives_an_article_or_a_parse_error(depth: int) -> None:
    nested = "<div>" * depth + BODY + "</div>" * depth
    try:
        article = parse_bytes(page(body=nested), url="https://e.org/n")
    except ParseError as error:
        assert error.url == "https://e.org/n"
    else:
        assert article.text.strip()


def test_html_fragment_with_html_content_type_is_read() -> None:
    assert "harbour" in parse_bytes(BODY.encode(), content_type="text/html").text


# JSON documents ------------------------------------------------------------------------------


def test_json_article_with_text_keeps_the_text_exactly() -> None:
    body = PARAGRAPHS[0] + "\n\n[Boats in the harbour. Credit: AP]\n\n" + PARAGRAPHS[1]
    data = {
        "text": body,
        "title": "Harbour vote",
        "url": "https://example.org/news/harbour",
        "published": "2021-05-04T09:30:00+02:00",
        "authors": ["Jane Doe", "Staff"],
    }
    article = parse_bytes(json.dumps(data).encode(), content_type="application/json")
    assert article.text == body
    assert article.title == "Harbour vote"
    assert article.published == "2021-05-04T09:30:00+02:00"
    assert article.authors == ("Jane Doe",)
    assert article.url == article.canonical_url == "https://example.org/news/harbour"
    assert article.captions == ("[Boats in the harbour. Credit: AP]",)


def test_json_article_with_schema_org_names_and_a_file_url() -> None:
    data = {
        "articleBody": PARAGRAPHS[2],
        "headline": "Spring start",
        "datePublished": "2021-05-04",
        "author": [{"@type": "Person", "name": "John Roe"}],
        "url": "https://example.org/spring",
    }
    article = parse_bytes(
        json.dumps(data).encode(), url="file:///data/spring.json", filename="spring.json"
    )
    assert (article.text, article.title, article.published) == (
        PARAGRAPHS[2],
        "Spring start",
        "2021-05-04",
    )
    assert article.authors == ("John Roe",)
    assert article.url == "file:///data/spring.json"
    assert article.canonical_url == "https://example.org/spring"


def test_json_article_with_html_is_parsed_as_a_page_and_its_own_fields_win() -> None:
    head = '<meta property="og:title" content="Page title">'
    data = {"html": page(head).decode(), "title": "Given title", "author": "Jane Doe"}
    article = parse_bytes(json.dumps(data).encode(), content_type="application/json")
    assert article.title == "Given title"
    assert article.authors == ("Jane Doe",)
    assert PARAGRAPHS[0] in article.text
    assert article.language == "en"
    only_html = parse_bytes(json.dumps({"html": page(head).decode()}).encode(), filename="a.json")
    assert only_html.title == "Page title"


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'[{"text": "a list of articles is not one article"}]',
        b'"just a string"',
        b'{"title": "no text"}',
        b'{"text": "   "}',
        b'{"text": 42}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_json_that_is_not_one_article_is_a_parse_error(content: bytes) -> None:
    with pytest.raises(ParseError) as raised:
        parse_bytes(content, url="https://example.org/j", content_type="application/json")
    assert raised.value.url == "https://example.org/j"


# Entry points and errors ----------------------------------------------------------------------


def test_parse_document_uses_final_url_and_entry_hints() -> None:
    doc = Document(
        source="gazette",
        url="https://example.org/r/1",
        final_url="https://example.org/news/harbour",
        content=page(),
        content_type="text/html; charset=utf-8",
        status=200,
        fetched_at=datetime(2021, 5, 4, tzinfo=UTC),
        entry_title="Feed title",
        entry_published="2021-05-04T08:00:00Z",
    )
    article = parse_document(doc)
    assert article.url == "https://example.org/news/harbour"
    assert article.source == "gazette"
    assert article.title == "Feed title"
    assert article.published == "2021-05-04T08:00:00+00:00"


def test_parse_path_reads_gzipped_html_and_plain_text(tmp_path: Path) -> None:
    gz = tmp_path / "harbour.html.gz"
    gz.write_bytes(gzip.compress(page("<title>Harbour vote</title>")))
    article = parse_path(gz, url="https://example.org/h")
    assert (article.title, article.url) == ("Harbour vote", "https://example.org/h")
    txt = tmp_path / "harbour.txt"
    txt.write_text("<b>not markup here</b> " + PARAGRAPHS[0], encoding="utf-8")
    plain = parse_path(txt)
    assert plain.text.startswith("<b>not markup")
    assert plain.url == txt.resolve().as_uri()


def test_parse_path_of_a_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError):
        parse_path(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"", None),
        (b"  \n\t ", "text/plain"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20, None),
        (b"GIF89a" + bytes(range(256)), "image/gif"),
        (b"<html><head><title>x</title></head><body><script>var a=1;</script></body></html>", None),
        (b"<html><body>\x00\x01\x02\x03</body></html>", "text/html"),
    ],
)
def test_unreadable_documents_raise_parse_error_with_url(
    content: bytes, content_type: str | None
) -> None:
    with pytest.raises(ParseError) as raised:
        parse_bytes(content, url="https://example.org/x", content_type=content_type)
    assert raised.value.url == "https://example.org/x"


CONTENT_TYPES = st.sampled_from(
    [
        None,
        "text/html",
        "text/plain",
        "text/html; charset=utf-16",
        "text/plain; charset=bogus",
        "application/json",
    ]
)
MARKUP_PIECES = st.sampled_from(
    [b"<html>", b"<p>", b"</p>", b"<script type='application/ld+json'>{", b"<meta charset=x>",
     b"<figcaption>", b"<time datetime='2020-99-99'>", b"\xff\xfe", b"\x00", b"date 2021-05-04 "]
)  # fmt: skip


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["text", "body", "html", "title", "url", "published", "author", "x"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=st.one_of(
        st.binary(max_size=2000),
        st.lists(st.one_of(MARKUP_PIECES, st.binary(max_size=40)), max_size=30).map(b"".join),
        st.text(max_size=500).map(str.encode),
        JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    ),
    content_type=CONTENT_TYPES,
)
def test_any_bytes_give_an_article_or_a_parse_error(
    content: bytes, content_type: str | None
) -> None:
    try:
        article = parse_bytes(content, url="https://example.org/f", content_type=content_type)
    except ParseError as error:
        assert error.url == "https://example.org/f"
    else:
        assert isinstance(article, ParsedArticle)
        assert article.text.strip()


# Real pages ----------------------------------------------------------------------------------


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def test_aeb_pages_body_is_found() -> None:
    truth_file = AEB / "ground-truth.json"
    if not truth_file.exists():
        pytest.skip("AEB corpus not present")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    # Every 20th page in id order: a fixed spread over sites, not pages picked to pass.
    sample = sorted(truth)[::20]
    recalls, precisions = [], []
    for page_id in sample:
        raw = gzip.decompress((AEB / "html" / f"{page_id}.html.gz").read_bytes())
        article = parse_bytes(raw, url=truth[page_id]["url"], content_type="text/html")
        predicted, expected = _shingles(article.text), _shingles(truth[page_id]["articleBody"])
        common = len(predicted & expected)
        recalls.append(common / len(expected))
        precisions.append(common / len(predicted))
        assert article.title, page_id
    assert min(recalls) > 0.5
    assert statistics.fmean(recalls) > 0.9
    assert statistics.fmean(precisions) > 0.8
