-- Events: PLOVER mode, status, contexts, geocoded places; one canonical event per real-world event.
-- warehouse/event_clusters.py fills event_clusters and events.cluster_id at load time.

ALTER TABLE events ADD COLUMN mode VARCHAR;                -- PLOVER mode: visit, multilateral, ...
ALTER TABLE events ADD COLUMN status VARCHAR;              -- happened, planned, hypothetical, negated
ALTER TABLE events ADD COLUMN contexts VARCHAR[];          -- military, diplomatic, South China Sea...
ALTER TABLE events ADD COLUMN latitude DOUBLE;
ALTER TABLE events ADD COLUMN longitude DOUBLE;
ALTER TABLE events ADD COLUMN location_precision VARCHAR;  -- city, state, country, region
ALTER TABLE events ADD COLUMN cluster_id VARCHAR;          -- the real-world event it reports

-- One row per real-world event however many articles and sentences report it.
CREATE TABLE event_clusters (
    cluster_id         VARCHAR PRIMARY KEY,    -- hash of the first event's id
    event_type         VARCHAR NOT NULL,
    event_date         DATE,                   -- first day of the period the date is known to
    date_precision     VARCHAR,                -- day, week, month, year
    location           VARCHAR,
    country_code       VARCHAR,                -- where it happened, ISO 3166-1 alpha-3
    location_precision VARCHAR,
    latitude           DOUBLE,
    longitude          DOUBLE,
    participants       VARCHAR[],              -- canonical names of the actors of its mentions
    countries          VARCHAR[],              -- "role:ISO3" of its participants
    first_event_id     VARCHAR NOT NULL,
    mentions           INTEGER NOT NULL,       -- sentences that report it
    articles           INTEGER NOT NULL        -- articles that report it
);

-- Where each clustered event was reported: count rows of event_clusters, not of this.
CREATE VIEW event_mentions AS
SELECT e.cluster_id, e.event_id, e.article_id, e.sentence, e.trigger, e.event_date, e.date_text
FROM events e
WHERE e.cluster_id IS NOT NULL;

COMMENT ON COLUMN events.mode IS 'PLOVER mode where the type has one (CONSULT: visit, phone, third-party, multilateral; ASSAULT: explosives, firearms, ...); for an announced threat or promise, the type of act announced.';
COMMENT ON COLUMN events.status IS 'happened, planned ("will meet"), hypothetical ("could meet", "would meet if") or negated ("did not meet", "refused to meet").';
COMMENT ON COLUMN events.contexts IS 'PLOVER contexts (military, diplomatic, economic, legal, ...) and named topics (South China Sea, Taiwan Strait, ...) of the sentence.';
COMMENT ON COLUMN events.latitude IS 'Latitude of the place when it is a city; NULL for a state, country or region (never a country centre).';
COMMENT ON COLUMN events.longitude IS 'Longitude of the place when it is a city; NULL otherwise.';
COMMENT ON COLUMN events.location_precision IS 'How precisely the place is known: city, state, country or region.';
COMMENT ON COLUMN events.cluster_id IS 'The real-world event this mention reports (event_clusters.cluster_id); NULL for negated or hypothetical events.';

COMMENT ON TABLE event_clusters IS 'One row per real-world event however many sentences and articles report it: count these, not events.';
COMMENT ON COLUMN event_clusters.cluster_id IS 'Stable id: a hash of the first event_id that reported it.';
COMMENT ON COLUMN event_clusters.event_type IS 'PLOVER type shared by all its mentions.';
COMMENT ON COLUMN event_clusters.event_date IS 'First day of the most precise period its mentions give.';
COMMENT ON COLUMN event_clusters.date_precision IS 'day, week, month or year.';
COMMENT ON COLUMN event_clusters.location IS 'The most precise place its mentions name.';
COMMENT ON COLUMN event_clusters.country_code IS 'ISO 3166-1 alpha-3 of where it happened.';
COMMENT ON COLUMN event_clusters.location_precision IS 'city, state, country or region.';
COMMENT ON COLUMN event_clusters.latitude IS 'Latitude of the city where it happened, NULL when no city is known.';
COMMENT ON COLUMN event_clusters.longitude IS 'Longitude of the city where it happened, NULL when no city is known.';
COMMENT ON COLUMN event_clusters.participants IS 'Canonical names of the actors and recipients of all its mentions.';
COMMENT ON COLUMN event_clusters.countries IS 'role:ISO3 pairs of its participants (all actor: for meetings, agreements and cooperation).';
COMMENT ON COLUMN event_clusters.first_event_id IS 'The first event (events.event_id) that reported it.';
COMMENT ON COLUMN event_clusters.mentions IS 'How many event rows (sentences) report it.';
COMMENT ON COLUMN event_clusters.articles IS 'How many distinct articles report it.';
COMMENT ON VIEW event_mentions IS 'Where each real-world event was reported: one row per clustered event mention with its article and sentence.';
