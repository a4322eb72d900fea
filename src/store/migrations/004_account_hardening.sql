-- Account hardening (issue 8 §3, §10).
--
-- Codes are now stored as an HMAC keyed with the installation secret `code_key` (table
-- setting, made on first use), so the rows alone do not give them away to a search of the
-- million six-digit codes. A code issued before this version was hashed without the key and
-- can no longer be checked: it is void, and its owner asks for a new one.
DELETE FROM user_code;

-- Requests for codes and wrong tries, per address and purpose, to limit both over time:
-- a new code does not give new tries, and codes cannot be asked for without end. `subject`
-- is an HMAC of the purpose and the address (the address is not kept), the same whether or
-- not an account has it, so the limits say nothing about which accounts exist.
CREATE TABLE code_event (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subject TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('request', 'wrong')),
  at INTEGER NOT NULL
);
CREATE INDEX code_event_subject ON code_event(subject, kind, at);

-- Old sessions are deleted at login; this finds them without a scan of the table.
CREATE INDEX session_created ON session(created_at);

-- Marks the file as mailer's, so that another program's SQLite file is refused, not migrated.
PRAGMA application_id = 1835823665;
