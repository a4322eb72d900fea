-- One account per address ignoring case (SPEC §1) was kept by the email column's
-- COLLATE NOCASE UNIQUE alone, which PostgreSQL has no counterpart of. The key is now a plain
-- column under a unique index, compared with `=` by any backend; the store writes it
-- (store::account_email_key). It folds ASCII letters only, exactly as NOCASE compared: the
-- accounts that were distinct stay distinct (so no existing database has two rows with one
-- key) and every spelling that logged in still does. Clients fold Unicode (003); accounts
-- never did, and changing that would change who owns which address.
ALTER TABLE account ADD COLUMN email_key TEXT;
-- SQLite's built-in lower() folds ASCII only, as the key does (mailer loads no ICU extension).
UPDATE account SET email_key = lower(email);
CREATE UNIQUE INDEX account_email_key ON account(email_key);

-- A row written by another tool, or by hand, without its key gets one, so that it can be
-- found by its email like any other.
CREATE TRIGGER account_email_key_on_insert AFTER INSERT ON account WHEN NEW.email_key IS NULL
BEGIN
  UPDATE account SET email_key = lower(NEW.email) WHERE id = NEW.id;
END;
CREATE TRIGGER account_email_key_on_update AFTER UPDATE OF email ON account
BEGIN
  UPDATE account SET email_key = lower(NEW.email) WHERE id = NEW.id;
END;
