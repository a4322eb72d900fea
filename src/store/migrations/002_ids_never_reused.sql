-- Ids are never reused after a delete (a script's id must not come to mean another record):
-- every table with an id is rebuilt with AUTOINCREMENT, which remembers the largest id ever
-- handed out. Rows, ids, indexes and references are kept as they are. Runs with foreign
-- keys off and checked afterwards (store::Db::migrate). The rebuild also widens two CHECKs
-- that SQLite cannot alter in place: runs of `send --retry-failed` and `send --to`, and
-- complaint events (SPEC §1).
CREATE TABLE new_user (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  verified INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  roles TEXT NOT NULL DEFAULT 'user',
  created_at INTEGER NOT NULL
);
INSERT INTO new_user SELECT id, email, name, password_hash, verified, active, roles, created_at FROM user;
DROP TABLE user;
ALTER TABLE new_user RENAME TO user;

CREATE TABLE new_session (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
INSERT INTO new_session SELECT id, user_id, token_hash, created_at FROM session;
DROP TABLE session;
ALTER TABLE new_session RENAME TO session;

CREATE TABLE new_user_code (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
  code_hash TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  tries_left INTEGER NOT NULL DEFAULT 5,
  UNIQUE (user_id, purpose)
);
INSERT INTO new_user_code SELECT id, user_id, purpose, code_hash, expires_at, tries_left FROM user_code;
DROP TABLE user_code;
ALTER TABLE new_user_code RENAME TO user_code;

CREATE TABLE new_client (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  email TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  unsubscribed_at INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (owner, email)
);
INSERT INTO new_client SELECT id, owner, email, name, comment, unsubscribed_at, created_at FROM client;
DROP TABLE client;
ALTER TABLE new_client RENAME TO client;

CREATE TABLE "new_group" (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  name TEXT NOT NULL COLLATE NOCASE,
  created_at INTEGER NOT NULL,
  UNIQUE (owner, name)
);
INSERT INTO "new_group" SELECT id, owner, name, created_at FROM "group";
DROP TABLE "group";
ALTER TABLE "new_group" RENAME TO "group";

CREATE TABLE new_message (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  body_html TEXT,
  created_at INTEGER NOT NULL
);
INSERT INTO new_message SELECT id, owner, subject, body_text, body_html, created_at FROM message;
DROP TABLE message;
ALTER TABLE new_message RENAME TO message;

CREATE TABLE new_mailing (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO new_mailing SELECT id, owner, name, message, start_at, end_at, every, status, enabled, next_run_at,
  created_at FROM mailing;
DROP TABLE mailing;
ALTER TABLE new_mailing RENAME TO mailing;
CREATE INDEX mailing_due ON mailing(status, next_run_at);

CREATE TABLE new_run (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  mailing INTEGER NOT NULL REFERENCES mailing(id) ON DELETE CASCADE,
  trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'retry', 'test')),
  scheduled_for INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  claimed_by TEXT
);
INSERT INTO new_run SELECT id, mailing, trigger, scheduled_for, started_at, finished_at, claimed_by FROM run;
DROP TABLE run;
ALTER TABLE new_run RENAME TO run;
CREATE INDEX run_open ON run(finished_at, mailing);

CREATE TABLE new_attempt (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO new_attempt SELECT id, run, mailing, client, email, at, status, smtp_code, server_response, message_id
  FROM attempt;
DROP TABLE attempt;
ALTER TABLE new_attempt RENAME TO attempt;
CREATE INDEX attempt_mailing ON attempt(mailing, status);

CREATE TABLE new_event (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  attempt INTEGER NOT NULL REFERENCES attempt(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('open', 'click', 'unsubscribe', 'bounce', 'complaint')),
  at INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
INSERT INTO new_event SELECT id, attempt, kind, at, detail FROM event;
DROP TABLE event;
ALTER TABLE new_event RENAME TO event;
CREATE INDEX event_attempt ON event(attempt);

CREATE TABLE new_post (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO new_post SELECT id, author, title, body, image, image_type, views, published, created_at, updated_at
  FROM post;
DROP TABLE post;
ALTER TABLE new_post RENAME TO post;
