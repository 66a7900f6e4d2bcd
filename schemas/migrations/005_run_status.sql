-- Runs as people watch them: which flow, how it ended and why, what it replaced or staged.
-- A run writes its row when it starts (status 'running') and again when it ends, so a crashed
-- run stays visible as 'running' with no finished_at.

ALTER TABLE runs ADD COLUMN flow VARCHAR;              -- ingest, reprocess, maintenance
ALTER TABLE runs ADD COLUMN status VARCHAR;            -- running, completed, failed
ALTER TABLE runs ADD COLUMN message VARCHAR;           -- the state message shown in Prefect
ALTER TABLE runs ADD COLUMN updated_articles INTEGER;  -- stored articles replaced (new text or version)
ALTER TABLE runs ADD COLUMN staged_batches INTEGER;    -- batches staged because the file was locked

COMMENT ON COLUMN runs.flow IS 'Which flow ran: ingest, reprocess or maintenance.';
COMMENT ON COLUMN runs.status IS 'running (written at start; stays so if the run crashed), completed or failed.';
COMMENT ON COLUMN runs.message IS 'What the run reported: its Prefect state message (counts, failures, quality).';
COMMENT ON COLUMN runs.updated_articles IS 'Stored articles replaced because their text or extractor version changed.';
COMMENT ON COLUMN runs.staged_batches IS 'Batches staged on disk because another process held the warehouse (merged later).';
