-- Kept on the rows for speed: an event's participants and an article's counts, so that
-- events_timeline and latest_articles need no aggregation over the big tables (measured with
-- bench/query_speed.py on 1M claims and 200k events). The loader fills them; this backfills.

ALTER TABLE events ADD COLUMN actors VARCHAR;
ALTER TABLE events ADD COLUMN recipients VARCHAR;
ALTER TABLE events ADD COLUMN countries VARCHAR[];
ALTER TABLE articles ADD COLUMN claim_count INTEGER;
ALTER TABLE articles ADD COLUMN event_count INTEGER;

UPDATE events SET actors = p.actors, recipients = p.recipients, countries = p.countries
FROM event_participants p WHERE p.event_id = events.event_id;
UPDATE articles SET
    claim_count = (SELECT count(*) FROM claims c WHERE c.article_id = articles.article_id),
    event_count = (SELECT count(*) FROM events e WHERE e.article_id = articles.article_id);

COMMENT ON COLUMN events.actors IS 'Names of its actors, sorted and joined with "; " (as in event_actors).';
COMMENT ON COLUMN events.recipients IS 'Names of its recipients, sorted and joined with "; ".';
COMMENT ON COLUMN events.countries IS 'Sorted distinct ISO 3166-1 alpha-3 countries of all its participants.';
COMMENT ON COLUMN articles.claim_count IS 'How many claims were extracted from it.';
COMMENT ON COLUMN articles.event_count IS 'How many events were extracted from it.';

CREATE OR REPLACE VIEW event_participants AS
SELECT event_id, actors, recipients, countries FROM events;
COMMENT ON VIEW event_participants IS 'Each event with its actors, recipients and their countries on one row.';

CREATE OR REPLACE VIEW events_timeline AS
SELECT e.event_date, e.date_precision, e.event_type, e.actors, e.recipients, e.countries,
       e.location, e.country_code, e.trigger, e.sentence, a.title, a.url, e.event_id, e.article_id,
       e.cluster_id
FROM events e JOIN articles a USING (article_id)
ORDER BY e.event_date DESC NULLS LAST, e.event_type;
COMMENT ON VIEW events_timeline IS 'Events in date order with their participants, place and the sentence that reports them.';

CREATE OR REPLACE VIEW latest_articles AS
SELECT a.article_id, a.published_at, a.source, a.title, a.url,
       coalesce(a.claim_count, 0) AS claims, coalesce(a.event_count, 0) AS events, a.dup_of
FROM articles a
ORDER BY coalesce(a.published_at, a.fetched_at) DESC;
COMMENT ON VIEW latest_articles IS 'Articles, newest first, with how many claims and events each gave.';
