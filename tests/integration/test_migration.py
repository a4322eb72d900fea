"""A database made by an older mailer opens, keeps every row, and sends on; ids are never
reused (SPEC §1).

tests/data/a5a75cd.db was made by mailer a5a75cd (schema version 1): owner@example.com
(password "correct horse battery"), four clients in the group "Покупатели" (one with an IDN
domain), client 5 added and removed, message 1, a weekly mailing 1 from 2026-11-30 09:00
and a finished once mailing 2 with one sent attempt.

    MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_migration.py -v
"""

import os
import pathlib
import shutil
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from mailtest import smtp_server  # noqa: E402
from sendkit import copies  # noqa: E402
from workspace import Workspace  # noqa: E402

FIXTURE = pathlib.Path(os.environ.get("MAILER_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2])) \
    / "tests" / "data" / "a5a75cd.db"


class OldDatabase(unittest.TestCase):
    def test_a_database_made_by_a5a75cd_keeps_its_rows_and_sends_on(self):
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
            shutil.copyfile(FIXTURE, ws.db_path)
            os.chmod(ws.db_path, 0o600)
            ws.ok("init")
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
