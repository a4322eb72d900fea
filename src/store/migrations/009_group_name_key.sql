-- Case-insensitive uniqueness kept by normalised columns alone, which any backend compares with
-- `=`, not by COLLATE NOCASE, which PostgreSQL has no counterpart of and which folds ASCII only.
--
-- Groups: a name is unique per owner by its folded key, group.name_key (mailer_fold, as the
-- store writes it: "Клиенты" and "клиенты" are one group). The NOCASE column and its
-- UNIQUE (owner, name) go; the key's unique index stays the only rule. The table is rebuilt (as
-- in 002 and 003) with its ids, its AUTOINCREMENT counter, and the references of group_member
-- and mailing_group, which name it and so find the new table; no group and no membership is
-- touched. Every key is computed again, so that one written by hand or by another tool (an empty
-- one, before this version) is right. Groups that differ only in case are handled as 003 did,
-- to be consistent with it and with what older databases already hold: none is renamed or
-- merged behind its owner's back; both stay, each reachable by its exact spelling, the later
-- one marked key_dup = its id so that the unique index can be built, and case_duplicate lists
-- it for mailer to report once on stderr. (Renaming one, say to "клиенты (2)", would break
-- scripts and mailings that name it.) Before this version NOCASE kept ASCII pairs ("Ann",
-- "ann") out, and 003 marked the Unicode ones, so this finds only keys that were wrong.
CREATE TABLE new_group (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  name_key TEXT,
  key_dup INTEGER NOT NULL DEFAULT 0
);
INSERT INTO new_group (id, owner, name, created_at, name_key, key_dup)
  SELECT id, owner, name, created_at, mailer_fold(name), key_dup FROM "group";
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'new_group', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'new_group');
UPDATE sqlite_sequence
  SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'group'), 0))
  WHERE name = 'new_group';
DROP TABLE "group";
ALTER TABLE new_group RENAME TO "group";

CREATE INDEX group_key_scan ON "group"(owner, name_key);
INSERT INTO case_duplicate (kind, id, first)
  SELECT 'group', g.id,
         (SELECT min(f.id) FROM "group" f WHERE f.owner = g.owner AND f.name_key = g.name_key AND f.key_dup = 0)
  FROM "group" g
  WHERE g.key_dup = 0 AND g.id > (SELECT min(f.id) FROM "group" f
                                  WHERE f.owner = g.owner AND f.name_key = g.name_key AND f.key_dup = 0)
  ON CONFLICT DO NOTHING;
UPDATE "group" SET key_dup = id
  WHERE key_dup = 0 AND id IN (SELECT id FROM case_duplicate WHERE kind = 'group');
DROP INDEX group_key_scan;
CREATE UNIQUE INDEX group_name_key ON "group"(owner, name_key, key_dup);

-- A group written by another tool, or by hand, without its key gets one. Those tools cannot
-- call mailer_fold (a trigger that named it would make every write to the table fail there
-- with "no such function"), so this key folds ASCII letters only: a name such as "Опт" written
-- by hand needs its key written with it, as a client's email_key does (003). There is no
-- trigger for a rename: it could not tell a key left stale from one the writer made right,
-- and would replace a right key with a wrong one.
CREATE TRIGGER group_name_key_on_insert AFTER INSERT ON "group" WHEN NEW.name_key IS NULL
BEGIN
  UPDATE "group" SET name_key = lower(NEW.name) WHERE id = NEW.id;
END;

-- Accounts: one per address by email_key (007), under its unique index; the email column's
-- COLLATE NOCASE UNIQUE beside it goes. The key is kept equal to lower(email) (ASCII only, as
-- NOCASE compared), so the two rules were the same and nothing that was allowed or refused
-- changes. The store finds accounts by their key, never by `email =`. The table is rebuilt
-- with its ids, its AUTOINCREMENT counter and its columns in their order; session, user_code,
-- client, "group", message, mailing and post name it and so find the new table (foreign keys
-- are off during migrations and checked before the commit: store::Db::migrate).
CREATE TABLE new_account (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  verified INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  roles TEXT NOT NULL DEFAULT 'user',
  created_at INTEGER NOT NULL,
  email_key TEXT
);
INSERT INTO new_account (id, email, name, password_hash, verified, active, roles, created_at, email_key)
  SELECT id, email, name, password_hash, verified, active, roles, created_at, email_key FROM account;
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'new_account', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'new_account');
UPDATE sqlite_sequence
  SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'account'), 0))
  WHERE name = 'new_account';
DROP TABLE account;
ALTER TABLE new_account RENAME TO account;
CREATE UNIQUE INDEX account_email_key ON account(email_key);

-- As in 007 (the triggers went with the old table).
CREATE TRIGGER account_email_key_on_insert AFTER INSERT ON account WHEN NEW.email_key IS NULL
BEGIN
  UPDATE account SET email_key = lower(NEW.email) WHERE id = NEW.id;
END;
CREATE TRIGGER account_email_key_on_update AFTER UPDATE OF email ON account
BEGIN
  UPDATE account SET email_key = lower(NEW.email) WHERE id = NEW.id;
END;
