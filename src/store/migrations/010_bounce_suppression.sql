-- Bounces and suppression (SPEC §1 client, §3; issue 12, items 4 and 5). A suppressed client
-- gets nothing more from its owner, like an unsubscribed one: suppressed_at is when, and
-- suppressed_reason why, in words ("userunknown", "soft bounces: mailboxfull ×3"). NULL while
-- the address is not suppressed. unsuppressed_at is when the owner last lifted a suppression
-- (`client edit --unsuppress`): soft bounces of attempts made before it no longer count
-- towards bounces.soft_limit, so that the old ones do not suppress the address again at the
-- next soft bounce.
ALTER TABLE client ADD COLUMN suppressed_at INTEGER;
ALTER TABLE client ADD COLUMN suppressed_reason TEXT;
ALTER TABLE client ADD COLUMN unsuppressed_at INTEGER;

-- A bounce or complaint event says which report it came from: 'smtp' for the server's 5xx to
-- RCPT during the send, else the identity the reader of the bounce mailbox gives the report.
-- One event per attempt and report, so that a report read twice (a second fetch, a fetch
-- killed half-way, a journal folded twice) is counted once. NULL for other events.
ALTER TABLE event ADD COLUMN report_key TEXT;
CREATE UNIQUE INDEX event_report ON event(attempt, report_key) WHERE report_key IS NOT NULL;

-- A client's attempts, newest first, for the soft bounces in a row; it also spares deleting a
-- client (attempt.client ON DELETE SET NULL) a scan of the whole attempt log.
CREATE INDEX attempt_client ON attempt(client);
