-- `user` is a reserved word in PostgreSQL, so the accounts table takes the name the code gives
-- it (SPEC §1 "user" records). SQLite rewrites every foreign key that names it.
ALTER TABLE user RENAME TO account;
