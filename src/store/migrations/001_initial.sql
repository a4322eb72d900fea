-- The whole data model of SPEC §1. Times are integer seconds since the epoch, UTC.
CREATE TABLE user (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  verified INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  roles TEXT NOT NULL DEFAULT 'user',
  created_at INTEGER NOT NULL
);

-- Sessions and one-time codes are stored only as hashes (SPEC §4).
CREATE TABLE session (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE user_code (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
  code_hash TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  tries_left INTEGER NOT NULL DEFAULT 5,
  UNIQUE (user_id, purpose)
);

CREATE TABLE client (
  id INTEGER PRIMARY KEY,
  owner INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  email TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  unsubscribed_at INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (owner, email)
);

CREATE TABLE "group" (
  id INTEGER PRIMARY KEY,
  owner INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  name TEXT NOT NULL COLLATE NOCASE,
  created_at INTEGER NOT NULL,
  UNIQUE (owner, name)
);

CREATE TABLE group_member (
  group_id INTEGER NOT NULL REFERENCES "group"(id) ON DELETE CASCADE,
  client_id INTEGER NOT NULL REFERENCES client(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, client_id)
) WITHOUT ROWID;
CREATE INDEX group_member_client ON group_member(client_id);

CREATE TABLE message (
  id INTEGER PRIMARY KEY,
  owner INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  body_html TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE mailing (
  id INTEGER PRIMARY KEY,
  owner INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  name TEXT NOT NULL DEFAULT '',
  message INTEGER NOT NULL REFERENCES message(id) ON DELETE RESTRICT,
  start_at INTEGER NOT NULL,
  end_at INTEGER,
  every TEXT NOT NULL DEFAULT 'once' CHECK (every IN ('once', 'daily', 'weekly', 'monthly')),
  status TEXT NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'running', 'finished')),
  enabled INTEGER NOT NULL DEFAULT 1,
  next_run_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX mailing_due ON mailing(status, next_run_at);

CREATE TABLE mailing_client (
  mailing_id INTEGER NOT NULL REFERENCES mailing(id) ON DELETE CASCADE,
  client_id INTEGER NOT NULL REFERENCES client(id) ON DELETE CASCADE,
  PRIMARY KEY (mailing_id, client_id)
) WITHOUT ROWID;

CREATE TABLE mailing_group (
  mailing_id INTEGER NOT NULL REFERENCES mailing(id) ON DELETE CASCADE,
  group_id INTEGER NOT NULL REFERENCES "group"(id) ON DELETE CASCADE,
  PRIMARY KEY (mailing_id, group_id)
) WITHOUT ROWID;

-- One dispatch of a mailing. claimed_by/claim_pid mark the process sending it.
CREATE TABLE run (
  id INTEGER PRIMARY KEY,
  mailing INTEGER NOT NULL REFERENCES mailing(id) ON DELETE CASCADE,
  trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  scheduled_for INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  claimed_by TEXT
);
CREATE INDEX run_open ON run(finished_at, mailing);

-- The recipients of a run, resolved once when it starts (deduplicated).
CREATE TABLE run_recipient (
  run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  client INTEGER NOT NULL REFERENCES client(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'deferred', 'done')),
  tries INTEGER NOT NULL DEFAULT 0,
  retry_at INTEGER,
  PRIMARY KEY (run, client)
) WITHOUT ROWID;

CREATE TABLE attempt (
  id INTEGER PRIMARY KEY,
  run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  mailing INTEGER NOT NULL REFERENCES mailing(id) ON DELETE CASCADE,
  client INTEGER REFERENCES client(id) ON DELETE SET NULL,
  email TEXT NOT NULL,
  at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'deferred', 'bounced')),
  smtp_code INTEGER,
  server_response TEXT NOT NULL DEFAULT '',
  message_id TEXT
);
CREATE INDEX attempt_mailing ON attempt(mailing, status);

CREATE TABLE event (
  id INTEGER PRIMARY KEY,
  attempt INTEGER NOT NULL REFERENCES attempt(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('open', 'click', 'unsubscribe', 'bounce')),
  at INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_attempt ON event(attempt);

CREATE TABLE post (
  id INTEGER PRIMARY KEY,
  author INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  image BLOB,
  image_type TEXT,
  views INTEGER NOT NULL DEFAULT 0,
  published INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Installation secrets (the HMAC key of tracking tokens); never printed.
CREATE TABLE setting (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
