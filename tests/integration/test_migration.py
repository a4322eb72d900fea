"""A database made by an older mailer opens, keeps every row, and sends on; ids are never
reused (SPEC §1). On PostgreSQL the older database is the SQLite file that `mailer db copy`
moves there (migrating it first, as any command that opens it does).

tests/data/a5a75cd.db was made by mailer a5a75cd (schema version 1): owner@example.com
(password "correct horse battery"), four clients in the group "Покупатели" (one with an IDN
domain), client 5 added and removed, message 1, a weekly mailing 1 from 2026-11-30 09:00
and a finished once mailing 2 with one sent attempt.

    MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_migration.py -v
"""

import os
import pathlib
import shutil
import sqlite3
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from mailtest import smtp_server  # noqa: E402
from sendkit import copies  # noqa: E402
from workspace import Workspace, pg_server_url  # noqa: E402

SOURCE = pathlib.Path(os.environ.get("MAILER_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
FIXTURE = SOURCE / "tests" / "data" / "a5a75cd.db"
EX_DATAERR = 65


def open_old_database(ws, path):
    """Opens the older database file at path as the workspace's: there it is migrated by `init`;
    on PostgreSQL, `db copy` migrates it and moves its rows into the workspace's database.
    Returns the CompletedProcess of the command that migrated it."""
    os.chmod(path, 0o600)
    if ws.pg_database:
        return ws.ok("--db", str(path), "db", "copy", "--to", pg_server_url(ws.pg_database))
    return ws.ok("init")


def schema_8_database(path, password_hash):
    """A database as mailer made it at schema 8, with the groups that differ only in case which
    it could hold: a pair migration 003 kept (2 beside 1, reported), and 3, written by another
    tool before the key had a trigger (empty key), that folds like 1. Groups 6 and 7 were removed."""
    con = sqlite3.connect(str(path))
    # What 003 computes in C++; lower() folds the Cyrillic of these rows as mailer_fold does.
    con.create_function("mailer_fold", 1, str.lower, deterministic=True)
    con.create_function("mailer_email_key", 1, str.lower, deterministic=True)
    for version in range(1, 9):
        script = next((SOURCE / "src" / "store" / "migrations").glob("{:03d}_*.sql".format(version)))
        con.executescript(script.read_text(encoding="utf-8"))
    con.execute("PRAGMA user_version = 8")
    accounts = [(1, "owner@example.com"), (2, "other@example.com")]
    con.executemany("INSERT INTO account (id, email, email_key, name, password_hash, verified, active, roles, "
                    "created_at) VALUES (?, ?, ?, '', ?, 1, 1, 'user', 0)",
                    [(i, e, e, password_hash) for i, e in accounts])
    clients = [(1, 1, "a@example.com"), (2, 1, "b@example.com"), (3, 1, "c@example.com"), (4, 2, "d@example.com")]
    con.executemany("INSERT INTO client (id, owner, email, email_key, created_at) VALUES (?, ?, ?, ?, 0)",
                    [(i, o, e, e) for i, o, e in clients])
    groups = [(1, 1, "Клиенты", "клиенты", 0), (2, 1, "клиенты", "клиенты", 2), (3, 1, "КЛИЕНТЫ", "", 0),
              (4, 1, "Опт", "опт", 0), (5, 2, "клиенты", "клиенты", 0)]
    con.executemany('INSERT INTO "group" (id, owner, name, name_key, key_dup, created_at) VALUES (?, ?, ?, ?, ?, 0)',
                    groups)
    con.execute("INSERT INTO case_duplicate (kind, id, first, reported_at) VALUES ('group', 2, 1, 5)")
    con.executemany("INSERT INTO group_member (group_id, client_id) VALUES (?, ?)",
                    [(1, 1), (2, 2), (3, 3), (3, 1), (4, 2), (5, 4)])
    con.execute("INSERT INTO message (id, owner, subject, body_text, created_at) VALUES (1, 1, 's', 'b', 0)")
    con.execute("INSERT INTO mailing (id, owner, name, message, start_at, created_at) VALUES (1, 1, 'm', 1, 0, 0)")
    con.execute("INSERT INTO mailing_group (mailing_id, group_id) VALUES (1, 3)")
    con.execute("UPDATE sqlite_sequence SET seq = 7 WHERE name = 'group'")
    con.commit()
    con.close()


class OldDatabase(unittest.TestCase):
    def test_a_database_made_by_a5a75cd_keeps_its_rows_and_sends_on(self):
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
            old = ws.root / "old.db" if ws.pg_database else ws.db_path
            shutil.copyfile(FIXTURE, old)
            open_old_database(ws, old)
            ws.login("owner@example.com")
            clients = ws.json("client", "list")
            self.assertEqual([(c["id"], c["email"], c["name"]) for c in clients],
                             [(1, "ivan@example.com", "Иван Петров"), (2, "olga@example.com", "Ольга"),
                              (3, "petr@example.com", "Пётр"), (4, "anna@пример.рф", "Анна")])
            self.assertEqual(clients[0]["comment"], "постоянный")
            self.assertEqual([g["name"] for g in ws.json("group", "list")], ["Покупатели"])
            attempts = ws.json("report", "attempts")
            self.assertEqual([(a["email"], a["status"], a["smtp_code"], a["server_response"]) for a in attempts],
                             [("ivan@example.com", "sent", 250, "250 2.0.0 Ok: queued as 4F2A1")])
            self.assertEqual(ws.json("mailing", "show", "2")["status"], "finished")

            proc = ws.run("send", "--due", env={"MAILER_NOW": "2026-11-30T09:00:30"})
            self.assertEqual(proc.returncode, 0, proc.stderr)
            smtp.wait_for_messages(4)
            self.assertEqual(copies(smtp), {"ivan@example.com": 1, "olga@example.com": 1, "petr@example.com": 1,
                                            "anna@xn--e1afmkfd.xn--p1ai": 1})
            weekly = ws.json("mailing", "show", "1")
            self.assertEqual(weekly["status"], "running")
            self.assertEqual(weekly["next_run_at"], "2026-12-07T09:00:00+03:00")


class GroupNameKeys(unittest.TestCase):
    def test_groups_that_differ_only_in_case_all_stay_with_their_members(self):
        """Migration 009: group names are unique by their key alone; no group or membership is lost."""
        with Workspace() as ws:
            ws.superuser("root@example.com")  # only to have a real password hash
            hash_ = ws.sql("SELECT password_hash FROM account")[0][0]
            old = ws.root / "old.db" if ws.pg_database else ws.db_path
            for leftover in ("", "-wal", "-shm"):
                pathlib.Path(str(old) + leftover).unlink(missing_ok=True)
            if ws.pg_database:
                ws.sql("DELETE FROM account")  # the copy goes into an empty database
            schema_8_database(old, hash_)
            rows = 'SELECT id, owner, name FROM "group" ORDER BY id'
            members = "SELECT group_id, client_id FROM group_member ORDER BY group_id, client_id"
            con = sqlite3.connect(str(old))
            before = (con.execute(rows).fetchall(), con.execute(members).fetchall())
            con.close()
            proc = open_old_database(ws, old)
            report = [line for line in proc.stderr.splitlines() if "differ only in case" in line]
            self.assertEqual(len(report), 1, proc.stderr)  # 2 was reported before
            self.assertIn("groups 'Клиенты' (1) and 'КЛИЕНТЫ' (3) of owner@example.com", report[0])
            self.assertEqual((ws.sql(rows), ws.sql(members)), before)
            self.assertEqual(ws.sql("SELECT mailing_id, group_id FROM mailing_group"), [(1, 3)])
            ws.login("owner@example.com")
            self.assertEqual([g["name"] for g in ws.json("group", "list")], ["Клиенты", "клиенты", "КЛИЕНТЫ", "Опт"])
            ids = lambda name: [c["id"] for c in ws.json("group", "members", name)]
            self.assertEqual((ids("Клиенты"), ids("клиенты"), ids("КЛИЕНТЫ"), ids("опт")), ([1], [2], [1, 3], [2]))
            self.assertEqual(ws.json("mailing", "show", "1")["recipients"]["groups"], ["КЛИЕНТЫ"])
            self.assertEqual(ws.run("group", "add", "кЛИЕНТЫ").returncode, EX_DATAERR)
            self.assertEqual(ws.json("group", "add", "Новые")["id"], 8)  # 6 and 7 never come back
            ws.login("other@example.com")
            self.assertEqual(ids("КЛИЕНТЫ"), [4])


class IdsNeverReused(unittest.TestCase):
    def test_an_id_removed_is_never_given_to_a_new_record(self):
        """A script that removed client 3 must not find client 3 meaning someone else later."""
        with Workspace() as ws:
            ws.superuser()
            ids = [ws.json("client", "add", "c{}@example.com".format(i))["id"] for i in range(3)]
            ws.ok("client", "rm", str(ids[-1]))
            again = ws.json("client", "add", "new@example.com")["id"]
            self.assertGreater(again, ids[-1])
            m1 = ws.json("message", "add", "--subject", "a", "--body", "b")["id"]
            ws.ok("message", "rm", str(m1))
            self.assertGreater(ws.json("message", "add", "--subject", "a", "--body", "b")["id"], m1)
            g = ws.json("group", "add", "one")["id"]
            ws.ok("group", "rm", "one")
            self.assertGreater(ws.json("group", "add", "two")["id"], g)


if __name__ == "__main__":
    unittest.main()
