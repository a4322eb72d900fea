-- A recipient's attempts in one run are what the reports, the mailing summaries and
-- `mailer serve` ask for (the last try per recipient per run; the delivered attempt a tracking
-- token's events hang on). Without this index each such question scanned the mailing's
-- attempts. Clients rise within a run, so the index grows at its end as a run is sent.
CREATE INDEX attempt_run_client ON attempt(run, client);
