-- Duplicates: an article that repeats a stored one points at it; entities gain a sector.

ALTER TABLE articles ADD COLUMN dup_of VARCHAR;    -- article_id of the first stored copy
ALTER TABLE entities ADD COLUMN sector VARCHAR;    -- government, military, business, ... (events)
