-- The fleet on PostgreSQL (SPEC §3): several hosts send one run, each recipient leased to one
-- worker at a time. `lease_owner` is the worker's key (an advisory lock it holds while it lives),
-- `lease_until` the server's clock in milliseconds when the lease runs out. SQLite, with one
-- sender per run, leaves them NULL; the columns are here so that both schemas stay one.
ALTER TABLE run_recipient ADD COLUMN lease_owner BIGINT;
ALTER TABLE run_recipient ADD COLUMN lease_until BIGINT;
CREATE INDEX run_recipient_lease ON run_recipient(lease_owner) WHERE lease_owner IS NOT NULL;

-- A slot of a schedule gets one run, however many hosts tick at once.
CREATE UNIQUE INDEX run_slot ON run(mailing, scheduled_for) WHERE trigger = 'schedule';

-- smtp.rate_per_second for the whole fleet (PostgreSQL): the next send slot toward each SMTP
-- server, in microseconds by the database server's clock, taken by every host for every copy.
CREATE TABLE fleet_pace (
  server TEXT PRIMARY KEY,
  next_at BIGINT NOT NULL
);
