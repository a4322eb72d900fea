-- Bounce reports (SPEC §2 `bounces`, §3): every message `mailer bounces fetch` read from the
-- IMAP mailbox, kept with its raw bytes, whatever it turned out to be, so that nothing
-- unmatched is lost. `identity` is "imap:<UIDVALIDITY>:<UID>" of the mailbox: unique, so a run
-- killed after its commit and before it flagged the message on the server records it once.
CREATE TABLE bounce_report (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  identity TEXT NOT NULL UNIQUE,
  message_id TEXT NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('bounce', 'delayed', 'auto_reply', 'complaint', 'not_bounce')),
  raw BLOB NOT NULL
);
CREATE INDEX bounce_report_message_id ON bounce_report(message_id);

-- What the parser made of each recipient a report names, and the attempt it was matched to
-- (NULL: unmatched), and how: 'verp', 'message-id' or 'recipient'.
CREATE TABLE bounce_recipient (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  report INTEGER NOT NULL REFERENCES bounce_report(id) ON DELETE CASCADE,
  recipient TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  severity TEXT NOT NULL DEFAULT '',
  diagnostic TEXT NOT NULL DEFAULT '',
  attempt INTEGER REFERENCES attempt(id) ON DELETE SET NULL,
  matched_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX bounce_recipient_report ON bounce_recipient(report);
CREATE INDEX bounce_recipient_attempt ON bounce_recipient(attempt);

-- Matching a report to its attempt by the original Message-ID it quotes. (By recipient, the
-- match goes through client(owner, email_key) and attempt(client) of migration 010: a second
-- index on attempt, by email, cost the send some 15% more.)
CREATE INDEX attempt_message_id ON attempt(message_id);
