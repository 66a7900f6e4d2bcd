"""Full-text search on a lake: BM25 in plain SQL, computed when the query is asked.

DuckDB's `fts` index is a set of tables rebuilt whole after each load; on a lake written by several
processes at once that rebuild would be a heavy write that conflicts with every other writer. So a
lake ranks at query time, over the same fields as the file's index, with the same pieces the fts
extension uses: its tokenizer (lower case, accents stripped, digits and punctuation as spaces), its
English stemmer (`stem(word, 'english')`), its English stop words and its BM25 (k1 = 1.2, b = 0.75).

To keep a query from stemming every word of the lake, only candidate rows are tokenized: those
containing, as a substring, the common prefix of a query word and its stem ("talk" for "talks",
"happ" for "happy"). Porter's stemmer only rewrites a word's ending, so a row holding a word with
the query word's stem holds that prefix; the candidates thus contain every match. Two figures
differ from the index's: the average document length is taken over the candidates, and a row
whose only matches are stop words is not a match at all (as with the index).
"""

from __future__ import annotations

import re
from functools import cache

import duckdb

__all__ = ["ranked_keys", "stopwords"]

K1 = 1.2
B = 0.75
# The fts extension's tokenizer, as its `tokenize` macro spells it.
_SEPARATORS = r"[0-9!@#$%^&*()_+={}\[\]:;<>,.?~\\/\|''\"`-]+"


def _tokens(expression: str) -> str:
    """SQL: the list of tokens of `expression`, as fts tokenizes."""
    return (
        f"string_split_regex(regexp_replace(lower(strip_accents(CAST({expression} AS VARCHAR))),"
        f" '{_SEPARATORS}', ' ', 'g'), '\\s+')"
    )


@cache
def stopwords() -> tuple[str, ...]:
    """The fts extension's English stop words, read from an index built on an empty table."""
    from warehouse.search import load_fts

    con = duckdb.connect()
    try:
        load_fts(con)
        con.execute("CREATE TABLE probe (id INTEGER, body VARCHAR)")
        con.execute("PRAGMA create_fts_index('probe', 'id', 'body', stopwords = 'english')")
        rows = con.execute("SELECT sw FROM fts_main_probe.stopwords ORDER BY sw").fetchall()
        return tuple(row[0] for row in rows)
    finally:
        con.close()


def _query_terms(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple[str, str]]:
    """(word, stem) of each distinct non-stop word of `query`."""
    return con.execute(
        f"SELECT DISTINCT word, stem(word, 'english') FROM (SELECT unnest({_tokens('?')}) AS word)"
        " WHERE word <> '' AND NOT list_contains(?, word)",
        [query, list(stopwords())],
    ).fetchall()


def _prefix(word: str, stem: str) -> str:
    shared = 0
    while shared < min(len(word), len(stem)) and word[shared] == stem[shared]:
        shared += 1
    return word[:shared] or word


def ranked_keys(
    con: duckdb.DuckDBPyConnection, table: str, key: str, fields: tuple[str, ...], query: str
) -> str | None:
    """SQL (without parameters) for (key, score) of the rows of `table` matching `query`; None
    when the query has no word to look for."""
    terms = _query_terms(con, query)
    if not terms:
        return None
    pattern = "|".join(re.escape(_prefix(word, stem)) for word, stem in terms)
    body = " || ' ' || ".join(f"coalesce(CAST({field} AS VARCHAR), '')" for field in fields)
    stems = ", ".join(_literal(stem) for _, stem in terms)
    words = ", ".join(_literal(word) for word in stopwords())
    return f"""
        WITH candidates AS (
            SELECT {key} AS key, {body} AS body FROM {table}
            WHERE regexp_matches(lower(strip_accents({body})), {_literal(pattern)})
        ), tokens AS (
            SELECT key, stem(word, 'english') AS term
            FROM (SELECT key, unnest({_tokens("body")}) AS word FROM candidates)
            WHERE word <> '' AND NOT list_contains([{words}], word)
        ), lengths AS (
            SELECT key, count(*) AS len FROM tokens GROUP BY key
        ), term_tf AS (
            SELECT key, term, count(*) AS tf FROM tokens
            WHERE list_contains([{stems}], term) GROUP BY key, term
        ), term_df AS (
            SELECT term, count(*) AS df FROM term_tf GROUP BY term
        ), stats AS (
            SELECT (SELECT count(*) FROM {table}) AS num_docs, avg(len) AS avgdl FROM lengths
        )
        SELECT key, sum(
            log((num_docs - df + 0.5) / (df + 0.5) + 1)
            * tf * ({K1} + 1) / (tf + {K1} * (1 - {B} + {B} * len / avgdl))
        ) AS score
        FROM term_tf JOIN term_df USING (term) JOIN lengths USING (key), stats
        GROUP BY key"""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
