-- Schema v1: articles and what was extracted from them, entities, the fetch log and the run log.
-- Ids are stable hashes computed in schemas/ids.py, so reloading the same article is a no-op.

CREATE TABLE articles (
    article_id        VARCHAR PRIMARY KEY,   -- hash of the article URL
    url               VARCHAR NOT NULL,      -- as discovered (the feed's link, the file)
    final_url         VARCHAR,               -- after redirects
    canonical_url     VARCHAR,               -- the page's own <link rel=canonical>
    source            VARCHAR,               -- name of the sources.yaml entry it came from
    title             VARCHAR,
    authors           VARCHAR[],
    published_at      TIMESTAMP,             -- UTC
    published_text    VARCHAR,               -- as stated (ISO, with its offset when one was given)
    language          VARCHAR,
    text              VARCHAR NOT NULL,
    captions          VARCHAR[],
    text_hash         VARCHAR NOT NULL,      -- sha256 of text, for exact duplicates
    fetched_at        TIMESTAMP NOT NULL,
    warc_record       VARCHAR,               -- the archived response: file.warc.gz#offset=N
    parser_version    VARCHAR,
    extractor_version VARCHAR,
    loaded_at         TIMESTAMP NOT NULL
);

CREATE TABLE entities (
    entity_id    VARCHAR PRIMARY KEY,        -- hash of (type, canonical name)
    name         VARCHAR NOT NULL,
    type         VARCHAR NOT NULL,           -- PERSON, ORG, GPE, NORP, ...
    country_code VARCHAR                     -- ISO 3166-1 alpha-3 where known
);

CREATE TABLE entity_mentions (
    article_id   VARCHAR NOT NULL,
    entity_id    VARCHAR NOT NULL,
    start_char   INTEGER NOT NULL,
    end_char     INTEGER NOT NULL,
    mention      VARCHAR NOT NULL,
    PRIMARY KEY (article_id, start_char, end_char)
);

CREATE TABLE claims (
    claim_id        VARCHAR PRIMARY KEY,     -- hash of (article_id, content span)
    article_id      VARCHAR NOT NULL,
    content         VARCHAR NOT NULL,
    content_start   INTEGER NOT NULL,
    content_end     INTEGER NOT NULL,
    source          VARCHAR,                 -- as written: "the NHK", "It"
    source_start    INTEGER,
    source_end      INTEGER,
    cue             VARCHAR,                 -- "stated", "according to"
    is_direct_quote BOOLEAN NOT NULL,
    speaker         VARCHAR,                 -- resolved canonical name: "NHK", "Kyodo News"
    speaker_kind    VARCHAR,                 -- person, organisation, media, government, anonymous
    cited_source    VARCHAR,
    speaker_entity_id VARCHAR
);

CREATE TABLE events (
    event_id       VARCHAR PRIMARY KEY,      -- hash of (article_id, type, trigger span)
    article_id     VARCHAR NOT NULL,
    event_type     VARCHAR NOT NULL,         -- PLOVER
    trigger        VARCHAR NOT NULL,
    trigger_start  INTEGER NOT NULL,
    trigger_end    INTEGER NOT NULL,
    event_date     DATE,
    date_precision VARCHAR,                  -- day, week, month, year
    date_text      VARCHAR,
    location       VARCHAR,
    country_code   VARCHAR,
    confidence     DOUBLE NOT NULL,
    sentence       VARCHAR NOT NULL,
    sentence_start INTEGER NOT NULL
);

CREATE TABLE event_actors (
    event_id     VARCHAR NOT NULL,
    role         VARCHAR NOT NULL,           -- actor or recipient
    name         VARCHAR NOT NULL,
    country_code VARCHAR,
    sector       VARCHAR,
    entity_id    VARCHAR,
    PRIMARY KEY (event_id, role, name)
);

CREATE TABLE fetch_log (
    log_id      VARCHAR PRIMARY KEY,         -- hash of (run_id, url, attempt time)
    run_id      VARCHAR,
    source      VARCHAR,
    url         VARCHAR NOT NULL,
    status      INTEGER,                     -- HTTP status; NULL when no response came
    error       VARCHAR,                     -- message; NULL on success
    error_class VARCHAR,
    bytes       BIGINT,
    elapsed_ms  DOUBLE,
    fetched_at  TIMESTAMP NOT NULL,
    not_modified BOOLEAN,                    -- a 304: nothing to parse
    retried     INTEGER,                     -- how many attempts came before this one
    refused     BOOLEAN,                     -- we chose not to fetch (robots.txt, address, size)
    etag        VARCHAR,
    last_modified VARCHAR,
    warc_record VARCHAR
);

-- HTTP validators of the last good response per URL, for conditional GET.
CREATE TABLE http_cache (
    url           VARCHAR PRIMARY KEY,
    etag          VARCHAR,
    last_modified VARCHAR,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE runs (
    run_id       VARCHAR PRIMARY KEY,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    sources      INTEGER,
    new_articles INTEGER,
    claims       INTEGER,
    events       INTEGER,
    errors       INTEGER
);
