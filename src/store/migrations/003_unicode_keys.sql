-- Clients and groups compare ignoring case in every script (SPEC §1), not by SQLite's
-- NOCASE, which folds ASCII only: "ОЛЕГ@пример.рф" and "олег@пример.рф" are one client
-- (and so is "олег@xn--e1afmkfd.xn--p1ai": domains compare as A-labels), "Покупатели" and
-- "покупатели" one group. The keys are computed in C++ (mailer_email_key, mailer_fold: see
-- store/sql_functions.cpp) and kept in plain columns, not in expressions of the schema, so
-- that other tools can still read and write the file (a client written by hand needs its key).
-- Rows that fold together were allowed before and are not merged behind the owner's back:
-- both stay, the later one gets key_dup = its id so that the unique index can be built, and
-- case_duplicate lists it, which mailer reports once on stderr for the owner to merge.
-- The client table is rebuilt (as in 002) so that the key's unique index replaces the old
-- UNIQUE (owner, email): one index less to keep up on every insert of a large import. Its
-- AUTOINCREMENT counter is carried over, so no id of a removed client comes back.
CREATE TABLE new_client (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  email TEXT NOT NULL COLLATE NOCASE,
  email_key TEXT NOT NULL,
  key_dup INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  unsubscribed_at INTEGER,
  created_at INTEGER NOT NULL
);
INSERT INTO new_client (id, owner, email, email_key, name, comment, unsubscribed_at, created_at)
  SELECT id, owner, email, mailer_email_key(email), name, comment, unsubscribed_at, created_at FROM client;
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'new_client', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'new_client');
UPDATE sqlite_sequence
  SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'client'), 0))
  WHERE name = 'new_client';
DROP TABLE client;
ALTER TABLE new_client RENAME TO client;

ALTER TABLE "group" ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE "group" ADD COLUMN key_dup INTEGER NOT NULL DEFAULT 0;
UPDATE "group" SET name_key = mailer_fold(name);

CREATE TABLE case_duplicate (
  kind TEXT NOT NULL CHECK (kind IN ('client', 'group')),
  id INTEGER NOT NULL,           -- the later row
  first INTEGER NOT NULL,        -- the earliest row of its owner with the same key
  reported_at INTEGER,           -- when mailer said so on stderr
  PRIMARY KEY (kind, id)
);

-- A plain index first, so that finding the duplicates is not quadratic.
CREATE INDEX client_key_scan ON client(owner, email_key);
INSERT INTO case_duplicate (kind, id, first)
  SELECT 'client', c.id, (SELECT min(f.id) FROM client f WHERE f.owner = c.owner AND f.email_key = c.email_key)
  FROM client c
  WHERE c.id > (SELECT min(f.id) FROM client f WHERE f.owner = c.owner AND f.email_key = c.email_key);
UPDATE client SET key_dup = id WHERE id IN (SELECT id FROM case_duplicate WHERE kind = 'client');
DROP INDEX client_key_scan;
CREATE UNIQUE INDEX client_email_key ON client(owner, email_key, key_dup);
-- Import takes a faster path for owners without such pairs; this finds whether one has any.
CREATE INDEX client_case_dup ON client(owner) WHERE key_dup <> 0;

CREATE INDEX group_key_scan ON "group"(owner, name_key);
INSERT INTO case_duplicate (kind, id, first)
  SELECT 'group', g.id, (SELECT min(f.id) FROM "group" f WHERE f.owner = g.owner AND f.name_key = g.name_key)
  FROM "group" g
  WHERE g.id > (SELECT min(f.id) FROM "group" f WHERE f.owner = g.owner AND f.name_key = g.name_key);
UPDATE "group" SET key_dup = id WHERE id IN (SELECT id FROM case_duplicate WHERE kind = 'group');
DROP INDEX group_key_scan;
CREATE UNIQUE INDEX group_name_key ON "group"(owner, name_key, key_dup);
