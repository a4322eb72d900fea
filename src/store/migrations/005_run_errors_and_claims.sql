-- What a sender keeps about a run (SPEC §3): where its delivery journal is (any path to the
-- database finds it), why the run stopped when it failed, and whether it waits for the user
-- (paused: our message itself was refused, or cannot be composed). A mailing remembers when
-- its owner stopped it, so that a later `send --retry-failed` run is not taken for stopped.
ALTER TABLE run ADD COLUMN journal TEXT;
ALTER TABLE run ADD COLUMN error TEXT;
ALTER TABLE run ADD COLUMN error_at INTEGER;
ALTER TABLE run ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailing ADD COLUMN stopped_at INTEGER;
