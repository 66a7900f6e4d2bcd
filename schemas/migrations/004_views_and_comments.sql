-- The data dictionary lives in the schema itself (COMMENT ON), so `duckdb_columns()` and
-- docs/warehouse.md (generated from it) say what every column means; and views for people.

COMMENT ON TABLE articles IS 'One row per article URL: its text and metadata. Duplicates stay, pointing at the first copy.';
COMMENT ON COLUMN articles.article_id IS 'Stable id: a hash of url.';
COMMENT ON COLUMN articles.url IS 'The URL the article was discovered under (feed link, file URL).';
COMMENT ON COLUMN articles.final_url IS 'The URL after redirects.';
COMMENT ON COLUMN articles.canonical_url IS 'The page''s own canonical URL (link rel=canonical, og:url), when it states one.';
COMMENT ON COLUMN articles.source IS 'Name of the sources.yaml entry it came from.';
COMMENT ON COLUMN articles.title IS 'Headline.';
COMMENT ON COLUMN articles.authors IS 'Bylines: people, not "Staff".';
COMMENT ON COLUMN articles.published_at IS 'Publication time in UTC (midnight when only a day is known).';
COMMENT ON COLUMN articles.published_text IS 'Publication time as stated, ISO 8601 with its offset when one was given.';
COMMENT ON COLUMN articles.language IS 'Language code (en, de, ...), when known.';
COMMENT ON COLUMN articles.text IS 'Body text; character offsets of claims, events and mentions point into it.';
COMMENT ON COLUMN articles.captions IS 'Image captions and credits, kept out of the body.';
COMMENT ON COLUMN articles.text_hash IS 'SHA-256 of text: equal hashes are exact duplicates.';
COMMENT ON COLUMN articles.fetched_at IS 'When the article was fetched (UTC).';
COMMENT ON COLUMN articles.warc_record IS 'Where the raw response is archived: file.warc.gz#offset=N (NULL for local files).';
COMMENT ON COLUMN articles.parser_version IS 'Version of the parse stage that made this row.';
COMMENT ON COLUMN articles.extractor_version IS 'Version of the extract stage that made its claims and events.';
COMMENT ON COLUMN articles.loaded_at IS 'When the row was written (UTC).';
COMMENT ON COLUMN articles.dup_of IS 'article_id of the first stored copy of the same story (same canonical URL, text or wire story); its claims and events belong to that copy.';

COMMENT ON TABLE claims IS 'Who asserted what: one row per attributed statement in an article.';
COMMENT ON COLUMN claims.claim_id IS 'Stable id: a hash of article_id and the content span.';
COMMENT ON COLUMN claims.article_id IS 'The article (articles.article_id).';
COMMENT ON COLUMN claims.content IS 'What was asserted, as written: text[content_start:content_end].';
COMMENT ON COLUMN claims.content_start IS 'Character offset of content in articles.text.';
COMMENT ON COLUMN claims.content_end IS 'End offset (exclusive) of content.';
COMMENT ON COLUMN claims.source IS 'The source as written ("the NHK", "It", "sources familiar with the talks").';
COMMENT ON COLUMN claims.source_start IS 'Character offset of source in articles.text.';
COMMENT ON COLUMN claims.source_end IS 'End offset (exclusive) of source.';
COMMENT ON COLUMN claims.cue IS 'The words that mark the attribution ("said", "according to", "stated").';
COMMENT ON COLUMN claims.is_direct_quote IS 'True when content is quoted verbatim.';
COMMENT ON COLUMN claims.speaker IS 'The source resolved to a canonical name ("Kyodo News" for "It").';
COMMENT ON COLUMN claims.speaker_kind IS 'person, organisation, media, government or anonymous.';
COMMENT ON COLUMN claims.cited_source IS 'Whom the source cites, when one source cites another (NHK citing the Foreign Ministry).';
COMMENT ON COLUMN claims.speaker_entity_id IS 'The speaker in entities (NULL for anonymous sources).';

COMMENT ON TABLE events IS 'Who did what to whom, where and when: one row per event mention in an article, PLOVER-coded.';
COMMENT ON COLUMN events.event_id IS 'Stable id: a hash of article_id, type and trigger span.';
COMMENT ON COLUMN events.article_id IS 'The article (articles.article_id).';
COMMENT ON COLUMN events.event_type IS 'PLOVER type: AGREE, CONSULT, SUPPORT, CONCEDE, COOPERATE, AID, RETREAT, REQUEST, ACCUSE, REJECT, THREATEN, PROTEST, SANCTION, MOBILIZE, COERCE, ASSAULT.';
COMMENT ON COLUMN events.trigger IS 'The words that express the event ("held talks").';
COMMENT ON COLUMN events.trigger_start IS 'Character offset of trigger in articles.text.';
COMMENT ON COLUMN events.trigger_end IS 'End offset (exclusive) of trigger.';
COMMENT ON COLUMN events.event_date IS 'When it happened, resolved against the publication date; the first day of the week/month/year for coarser precisions.';
COMMENT ON COLUMN events.date_precision IS 'day, week, month or year.';
COMMENT ON COLUMN events.date_text IS 'The words the date came from ("last week"); NULL when the publication date was taken.';
COMMENT ON COLUMN events.location IS 'Place as written ("London", "Hawaii").';
COMMENT ON COLUMN events.country_code IS 'ISO 3166-1 alpha-3 country of the location.';
COMMENT ON COLUMN events.confidence IS 'Between 0 and 1; the most confident event of a sentence is its main event.';
COMMENT ON COLUMN events.sentence IS 'The sentence the event was found in.';
COMMENT ON COLUMN events.sentence_start IS 'Character offset of sentence in articles.text.';

COMMENT ON TABLE event_actors IS 'The participants of each event: actors (who acted) and recipients (to whom).';
COMMENT ON COLUMN event_actors.event_id IS 'The event (events.event_id).';
COMMENT ON COLUMN event_actors.role IS 'actor or recipient; all parties of a reciprocal meeting are actors.';
COMMENT ON COLUMN event_actors.name IS 'Canonical name ("Toshimitsu Motegi", "Japan").';
COMMENT ON COLUMN event_actors.country_code IS 'ISO 3166-1 alpha-3 country the participant belongs to.';
COMMENT ON COLUMN event_actors.sector IS 'government, military, business, ... where known.';
COMMENT ON COLUMN event_actors.entity_id IS 'The participant in entities.';

COMMENT ON TABLE entities IS 'One row per canonical named entity, shared by claims (speakers), events (participants) and mentions.';
COMMENT ON COLUMN entities.entity_id IS 'Stable id: a hash of the case-folded name.';
COMMENT ON COLUMN entities.name IS 'Canonical name.';
COMMENT ON COLUMN entities.type IS 'person, organisation, media, government, place, group, event or actor (a participant of unknown type).';
COMMENT ON COLUMN entities.country_code IS 'ISO 3166-1 alpha-3 country, where known.';
COMMENT ON COLUMN entities.sector IS 'government, military, business, ... where known.';

COMMENT ON TABLE entity_mentions IS 'Where each entity is named in each article.';
COMMENT ON COLUMN entity_mentions.article_id IS 'The article (articles.article_id).';
COMMENT ON COLUMN entity_mentions.entity_id IS 'The entity (entities.entity_id).';
COMMENT ON COLUMN entity_mentions.start_char IS 'Character offset of the mention in articles.text.';
COMMENT ON COLUMN entity_mentions.end_char IS 'End offset (exclusive) of the mention.';
COMMENT ON COLUMN entity_mentions.mention IS 'The mention as written.';

COMMENT ON TABLE fetch_log IS 'One row per attempt to fetch something, good or bad: the record of every failure.';
COMMENT ON COLUMN fetch_log.log_id IS 'Stable id of the attempt.';
COMMENT ON COLUMN fetch_log.run_id IS 'The ingest run (runs.run_id).';
COMMENT ON COLUMN fetch_log.source IS 'Name of the sources.yaml entry.';
COMMENT ON COLUMN fetch_log.url IS 'What was fetched.';
COMMENT ON COLUMN fetch_log.status IS 'HTTP status; NULL when no response came (timeout, refused, local file).';
COMMENT ON COLUMN fetch_log.error IS 'What went wrong, in words; NULL on success.';
COMMENT ON COLUMN fetch_log.error_class IS 'Kind of failure: FetchError, RefusedError, ParseError, ExtractError.';
COMMENT ON COLUMN fetch_log.bytes IS 'Bytes received.';
COMMENT ON COLUMN fetch_log.elapsed_ms IS 'Time the attempt took, in milliseconds.';
COMMENT ON COLUMN fetch_log.fetched_at IS 'When the attempt was made (UTC).';
COMMENT ON COLUMN fetch_log.not_modified IS 'True for a 304: nothing new, nothing parsed.';
COMMENT ON COLUMN fetch_log.retried IS 'How many attempts at this URL came before this one.';
COMMENT ON COLUMN fetch_log.refused IS 'True when newsflow chose not to fetch (robots.txt, private address, size limit).';
COMMENT ON COLUMN fetch_log.etag IS 'ETag the server sent.';
COMMENT ON COLUMN fetch_log.last_modified IS 'Last-Modified the server sent.';
COMMENT ON COLUMN fetch_log.warc_record IS 'Where the response is archived: file.warc.gz#offset=N.';

COMMENT ON TABLE http_cache IS 'Validators of the last good response per URL, for conditional GET.';
COMMENT ON COLUMN http_cache.url IS 'The URL.';
COMMENT ON COLUMN http_cache.etag IS 'ETag of its last 200 response.';
COMMENT ON COLUMN http_cache.last_modified IS 'Last-Modified of its last 200 response.';
COMMENT ON COLUMN http_cache.updated_at IS 'When those were received (UTC).';

COMMENT ON TABLE runs IS 'One row per ingest run and what it added.';
COMMENT ON COLUMN runs.run_id IS 'The Prefect flow run id.';
COMMENT ON COLUMN runs.started_at IS 'Start (UTC).';
COMMENT ON COLUMN runs.finished_at IS 'End (UTC).';
COMMENT ON COLUMN runs.sources IS 'Sources processed.';
COMMENT ON COLUMN runs.new_articles IS 'Articles added.';
COMMENT ON COLUMN runs.claims IS 'Claims added.';
COMMENT ON COLUMN runs.events IS 'Events added.';
COMMENT ON COLUMN runs.errors IS 'Failed attempts recorded in fetch_log.';

COMMENT ON TABLE schema_migrations IS 'The numbered migrations applied to this warehouse.';
COMMENT ON COLUMN schema_migrations.version IS 'Migration number (schemas/migrations/NNN_*.sql).';
COMMENT ON COLUMN schema_migrations.name IS 'Migration name.';
COMMENT ON COLUMN schema_migrations.applied_at IS 'When it was applied (UTC).';

CREATE VIEW latest_articles AS
SELECT a.article_id, a.published_at, a.source, a.title, a.url,
       (SELECT count(*) FROM claims c WHERE c.article_id = a.article_id) AS claims,
       (SELECT count(*) FROM events e WHERE e.article_id = a.article_id) AS events,
       a.dup_of
FROM articles a
ORDER BY coalesce(a.published_at, a.fetched_at) DESC;
COMMENT ON VIEW latest_articles IS 'Articles, newest first, with how many claims and events each gave.';

CREATE VIEW claims_by_speaker AS
SELECT c.speaker, any_value(c.speaker_kind) AS speaker_kind,
       count(*) AS claims,
       count(*) FILTER (WHERE c.is_direct_quote) AS direct_quotes,
       count(DISTINCT c.article_id) AS articles,
       min(a.published_at) AS first_seen, max(a.published_at) AS last_seen
FROM claims c JOIN articles a USING (article_id)
WHERE c.speaker IS NOT NULL
GROUP BY c.speaker
ORDER BY claims DESC, c.speaker;
COMMENT ON VIEW claims_by_speaker IS 'Who is quoted or reported most: claims per resolved speaker.';

CREATE VIEW event_participants AS
SELECT e.event_id,
       string_agg(x.name, '; ' ORDER BY x.name) FILTER (WHERE x.role = 'actor') AS actors,
       string_agg(x.name, '; ' ORDER BY x.name) FILTER (WHERE x.role = 'recipient') AS recipients,
       list_sort(list_distinct(list(x.country_code) FILTER (WHERE x.country_code IS NOT NULL))) AS countries
FROM events e LEFT JOIN event_actors x USING (event_id)
GROUP BY e.event_id;
COMMENT ON VIEW event_participants IS 'Each event with its actors, recipients and their countries on one row.';

CREATE VIEW events_timeline AS
SELECT e.event_date, e.date_precision, e.event_type, p.actors, p.recipients, p.countries,
       e.location, e.country_code, e.trigger, e.sentence, a.title, a.url, e.event_id, e.article_id,
       e.cluster_id
FROM events e JOIN event_participants p USING (event_id) JOIN articles a USING (article_id)
ORDER BY e.event_date DESC NULLS LAST, e.event_type;
COMMENT ON VIEW events_timeline IS 'Events in date order with their participants, place and the sentence that reports them.';

CREATE VIEW actor_pairs AS
WITH parties AS (
    -- a real-world event reported by several articles counts once: its cluster (migration 003)
    SELECT e.event_id, coalesce(e.cluster_id, e.event_id) AS real_event, e.event_type,
           e.event_date, x.role, x.name, x.country_code
    FROM events e JOIN event_actors x USING (event_id)
), pairs AS (
    -- who acted on whom; in a reciprocal event (no recipient) every two actors are a pair
    SELECT a.real_event, a.event_type, a.event_date, a.name AS actor, a.country_code AS actor_country,
           r.name AS counterpart, r.country_code AS counterpart_country
    FROM parties a JOIN parties r ON a.event_id = r.event_id
    WHERE a.role = 'actor'
      AND ((r.role = 'recipient')
           OR (r.role = 'actor' AND a.name < r.name
               AND NOT EXISTS (SELECT 1 FROM parties q WHERE q.event_id = a.event_id AND q.role = 'recipient')))
)
SELECT actor, actor_country, counterpart, counterpart_country, event_type,
       count(DISTINCT real_event) AS events, min(event_date) AS first_date, max(event_date) AS last_date
FROM pairs
GROUP BY ALL
ORDER BY events DESC, actor, counterpart;
COMMENT ON VIEW actor_pairs IS 'Who meets, accuses or agrees with whom: distinct real-world events (clusters, not articles) per pair of participants and event type.';

CREATE VIEW source_health AS
WITH attempts AS (
    SELECT source, count(*) AS attempts,
           count(*) FILTER (WHERE error IS NOT NULL) AS errors,
           max(fetched_at) FILTER (WHERE error IS NULL) AS last_success,
           max(fetched_at) FILTER (WHERE error IS NOT NULL) AS last_error,
           arg_max(error, fetched_at) FILTER (WHERE error IS NOT NULL) AS latest_error
    FROM fetch_log GROUP BY source
), stored AS (
    SELECT source, count(*) AS articles,
           count(*) FILTER (WHERE fetched_at >= now()::TIMESTAMP - INTERVAL 7 DAY) / 7.0 AS articles_per_day
    FROM articles GROUP BY source
)
SELECT coalesce(a.source, s.source) AS source, a.last_success, a.attempts, a.errors,
       round(a.errors / nullif(a.attempts, 0), 3) AS error_rate,
       coalesce(s.articles, 0) AS articles, round(coalesce(s.articles_per_day, 0), 2) AS articles_per_day,
       a.last_error, a.latest_error
FROM attempts a FULL JOIN stored s ON a.source = s.source
ORDER BY error_rate DESC NULLS LAST, source;
COMMENT ON VIEW source_health IS 'Per source: last success, error rate, articles stored and articles per day over the last week.';
