-- Tracking (SPEC §3): every hit of `mailer serve` is an event row. The token names a run and a
-- client; the event hangs on that recipient's delivered attempt, and keeps the run and client
-- so that reports need no join through attempt to count unique openers and clickers.
-- `counted` is FALSE for an open a link scanner made, or one within seconds of delivery: kept,
-- never counted as an open.
ALTER TABLE event ADD COLUMN run INTEGER REFERENCES run(id) ON DELETE CASCADE;
ALTER TABLE event ADD COLUMN client INTEGER REFERENCES client(id) ON DELETE SET NULL;
ALTER TABLE event ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE event ADD COLUMN counted BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE event SET run = (SELECT a.run FROM attempt a WHERE a.id = event.attempt),
                 client = (SELECT a.client FROM attempt a WHERE a.id = event.attempt);
CREATE INDEX event_run_client ON event(run, client, kind);

-- How a client left: 'link' (the page of the unsubscribe link), 'one-click' (RFC 8058 POST),
-- 'cli'. NULL while subscribed, and for unsubscribes recorded before this column.
ALTER TABLE client ADD COLUMN unsubscribed_via TEXT;
