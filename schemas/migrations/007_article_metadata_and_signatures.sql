-- More of what the parse stage reads (site, modified date, section, tags, lead image, summary),
-- and each first copy's duplicate-detection keys, so a run seeds its index without rehashing.

ALTER TABLE articles ADD COLUMN site_name VARCHAR;
ALTER TABLE articles ADD COLUMN modified_at TIMESTAMP;
ALTER TABLE articles ADD COLUMN section VARCHAR;
ALTER TABLE articles ADD COLUMN tags VARCHAR[];
ALTER TABLE articles ADD COLUMN image_url VARCHAR;
ALTER TABLE articles ADD COLUMN description VARCHAR;
ALTER TABLE articles ADD COLUMN text_fingerprint VARCHAR;
ALTER TABLE articles ADD COLUMN minhash BLOB;

COMMENT ON COLUMN articles.site_name IS 'The publication''s name (og:site_name, JSON-LD publisher).';
COMMENT ON COLUMN articles.modified_at IS 'Last modification time in UTC, when the page states one.';
COMMENT ON COLUMN articles.section IS 'The site''s section (World, Politics, ...).';
COMMENT ON COLUMN articles.tags IS 'Keywords and tags the page gives.';
COMMENT ON COLUMN articles.image_url IS 'The lead image (og:image, JSON-LD image).';
COMMENT ON COLUMN articles.description IS 'The page''s own summary (og:description, meta description).';
COMMENT ON COLUMN articles.text_fingerprint IS 'Hash of the text''s words, case and punctuation ignored: equal for exact copies.';
COMMENT ON COLUMN articles.minhash IS 'MinHash signature of the text (128 x uint32) for near-duplicate detection; NULL for short texts and duplicates.';
