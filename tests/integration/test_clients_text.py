"""What users type: Unicode case in every script, IDN domains as A-labels, control characters,
quoted addresses, and another owner's groups (SPEC §1, §2, §4; issues 7.6, 8.8, 8.10).

    MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_clients_text.py -v
"""

import json
import os
import pathlib
import sqlite3
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from sendkit import write_sql  # noqa: E402
from workspace import PASSWORD, Workspace, pg_server_url  # noqa: E402

EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_NOPERM = 64, 65, 66, 77
ESC = "\x1b"
SOURCE = pathlib.Path(os.environ.get("MAILER_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


class Person:
    """One account with its own session folder, so that several users act on one database."""

    def __init__(self, ws, email):
        self.ws, self.email = ws, email
        self.env = {"XDG_STATE_HOME": str(ws.root / ("state-" + email))}

    def run(self, *args, **kwargs):
        return self.ws.run(*args, env=self.env, **kwargs)

    def ok(self, *args, **kwargs):
        proc = self.run(*args, **kwargs)
        if proc.returncode != 0:
            raise AssertionError("{}: mailer {} exited {}: {}".format(self.email, " ".join(args), proc.returncode,
                                                                      proc.stderr))
        return proc

    def json(self, *args):
        return json.loads(self.ok("--json", *args).stdout)


def person(ws, email, roles=()):
    """A logged-in user with exactly `roles` besides user; ws's own session is a superuser's,
    which makes it one and then sets its roles."""
    ws.ok("user", "create-superuser", email, "--password-stdin", input=PASSWORD + "\n")
    for role in roles:
        ws.ok("user", "grant", email, role)
    if "superuser" not in roles:
        ws.ok("user", "revoke", email, "superuser")
    p = Person(ws, email)
    p.ok("login", email, "--password-stdin", input=PASSWORD + "\n")
    return p


class Case(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace()
        self.ws.superuser("owner@example.com")

    def tearDown(self):
        self.ws.__exit__(None, None, None)

    def fails(self, code, *args, mentions=(), who=None):
        proc = (who or self.ws).run(*args)
        self.assertEqual(proc.returncode, code, "{}: {}".format(args, proc.stderr))
        self.assertRegex(proc.stderr, r"^mailer: [^\n]+\n$")
        for text in mentions:
            self.assertIn(text, proc.stderr)
        return proc


class CyrillicCase(Case):
    """Issue 7.6: names and emails compare by Unicode case folding, not ASCII only."""

    def test_a_group_is_found_and_kept_unique_whatever_its_case(self):
        self.ws.ok("group", "add", "Покупатели")
        self.fails(EX_DATAERR, "group", "add", "покупатели", mentions=("already exists", "Покупатели"))
        self.fails(EX_DATAERR, "group", "add", "ПОКУПАТЕЛИ", mentions=("already exists",))
        cid = self.ws.json("client", "add", "anna@example.com", "--group", "покупатели")["id"]
        self.assertEqual(self.ws.sql('SELECT count(*) FROM "group"'), [(1,)])
        self.assertEqual([c["id"] for c in self.ws.json("client", "list", "--group", "ПОКУПАТЕЛИ")], [cid])
        self.assertEqual([c["id"] for c in self.ws.json("group", "members", "покупатели")], [cid])
        path = self.ws.root / "one.csv"
        path.write_text("email\nboris@example.com\n", encoding="utf-8")
        self.ws.ok("client", "import", str(path), "--group", "покупатели")
        self.assertEqual(self.ws.json("group", "list")[0]["members"], 2)
        # Greek and Armenian fold too: the folding is Unicode's, not a Cyrillic table.
        self.ws.ok("group", "add", "ΣΊΣΥΦΟΣ")
        self.fails(EX_DATAERR, "group", "add", "σίσυφος")
        self.ws.ok("group", "add", "ՀԱՅԵՐ")
        self.fails(EX_DATAERR, "group", "add", "հայեր")

    def test_an_address_in_capitals_is_the_same_client(self):
        self.ws.ok("client", "add", "олег@пример.рф")
        self.fails(EX_DATAERR, "client", "add", "ОЛЕГ@пример.рф", mentions=("already exists",))
        self.fails(EX_DATAERR, "client", "add", "Олег@ПРИМЕР.РФ", mentions=("already exists",))
        other = self.ws.json("client", "add", "ivan@example.com")["id"]
        self.fails(EX_DATAERR, "client", "edit", str(other), "--email", "ОЛЕГ@пример.рф", mentions=("already exists",))
        path = self.ws.root / "caps.csv"
        path.write_text("email;name\nОЛЕГ@ПРИМЕР.РФ;Олег\n", encoding="utf-8")
        summary = json.loads(self.ws.ok("--json", "client", "import", str(path)).stdout)
        self.assertEqual((summary["added"], summary["updated"]), (0, 1))
        self.assertEqual(self.ws.sql("SELECT email, name FROM client WHERE email LIKE '%@пример.рф'"),
                         [("олег@пример.рф", "Олег")])

    def test_an_idn_domain_and_its_a_label_are_one_client(self):
        """Issue 8.10: ok@xn--e1afmkfd.xn--p1ai and ok@пример.рф are one mailbox."""
        self.ws.ok("client", "add", "ok@xn--e1afmkfd.xn--p1ai")
        self.fails(EX_DATAERR, "client", "add", "ok@пример.рф", mentions=("already exists",))
        self.fails(EX_DATAERR, "client", "add", "OK@XN--E1AFMKFD.XN--P1AI", mentions=("already exists",))
        self.ws.ok("client", "add", "info@пример.рф")
        self.fails(EX_DATAERR, "client", "add", "info@xn--e1afmkfd.xn--p1ai", mentions=("already exists",))
        self.assertEqual(self.ws.sql("SELECT count(*) FROM client"), [(2,)])

    def test_search_ignores_case_in_any_script_and_reads_yo_as_ye(self):
        self.ws.ok("client", "add", "petr@example.com", "--name", "Пётр Сидоров")
        self.ws.ok("client", "add", "sem@example.com", "--name", "Семён", "--comment", "ЗАКАЗ через ΑΘΗΝΑ")
        self.ws.ok("client", "add", "petrov@example.com", "--name", "Петров")
        found = lambda text: sorted(c["email"] for c in self.ws.json("client", "list", "--search", text))
        self.assertEqual(found("петр"), ["petr@example.com", "petrov@example.com"])
        self.assertEqual(found("ПЁТР"), ["petr@example.com"])  # a typed ё means ё
        self.assertEqual(found("семен"), ["sem@example.com"])
        self.assertEqual(found("αθηνα"), ["sem@example.com"])
        self.assertEqual(found("заказ"), ["sem@example.com"])


def v2_database(path, password_hash):
    """A database as a5a75cd..1bffb46 made it (schema 2), with what they allowed: clients and
    groups that differ only in non-ASCII case."""
    con = sqlite3.connect(str(path))
    for name in ("001_initial.sql", "002_ids_never_reused.sql"):
        con.executescript((SOURCE / "src" / "store" / "migrations" / name).read_text(encoding="utf-8"))
    con.execute("PRAGMA user_version = 2")
    con.execute("INSERT INTO user (id, email, name, password_hash, verified, active, roles, created_at) "
                "VALUES (1, 'owner@example.com', '', ?, 1, 1, 'user,superuser', 0)", (password_hash,))
    rows = [(1, "олег@пример.рф"), (2, "ОЛЕГ@пример.рф"), (3, "anna@example.com"), (4, "ok@xn--e1afmkfd.xn--p1ai"),
            (5, "ok@пример.рф")]
    con.executemany("INSERT INTO client (id, owner, email, created_at) VALUES (?, 1, ?, 0)", rows)
    con.execute("""INSERT INTO "group" (id, owner, name, created_at) VALUES (1, 1, 'Покупатели', 0), """
                """(2, 1, 'покупатели', 0), (3, 1, 'Опт', 0)""")
    con.execute("INSERT INTO group_member VALUES (2, 3)")
    con.execute("UPDATE sqlite_sequence SET seq = 9 WHERE name = 'client'")  # clients 6..9 were removed
    con.commit()
    con.close()


class CaseDuplicatesOfOlderDatabases(unittest.TestCase):
    def test_migration_keeps_both_and_says_so_once(self):
        """Issue 7.6: existing duplicates are reported by the migration, not silently merged.
        On PostgreSQL the older file is migrated and moved there by `db copy`."""
        with Workspace() as ws:
            ws.superuser("root@example.com")  # only to have a real password hash
            hash_ = ws.sql("SELECT password_hash FROM account")[0][0]
            old = ws.root / "old.db" if ws.pg_database else ws.db_path
            for leftover in ("", "-wal", "-shm"):
                pathlib.Path(str(old) + leftover).unlink(missing_ok=True)
            v2_database(old, hash_)
            os.chmod(old, 0o600)
            if ws.pg_database:
                ws.sql("DELETE FROM account")  # the copy goes into an empty database
                proc = ws.ok("--db", str(old), "db", "copy", "--to", pg_server_url(ws.pg_database))
            else:
                proc = ws.ok("init")
            report = [line for line in proc.stderr.splitlines() if "differ only in case" in line]
            self.assertEqual(len(report), 3, proc.stderr)
            self.assertIn("clients 1 <олег@пример.рф> and 2 <ОЛЕГ@пример.рф> of owner@example.com", proc.stderr)
            self.assertIn("clients 4 <ok@xn--e1afmkfd.xn--p1ai> and 5 <ok@пример.рф>", proc.stderr)
            self.assertIn("groups 'Покупатели' (1) and 'покупатели' (2)", proc.stderr)
            self.assertNotIn("differ only in case", ws.ok("--db", str(old), "init").stderr)  # once
            self.assertEqual(ws.sql("SELECT count(*) FROM client"), [(5,)])
            self.assertEqual(ws.sql('SELECT count(*) FROM "group"'), [(3,)])
            ws.login("owner@example.com")
            # Both groups stay reachable by their exact names; a new client cannot join the pair.
            self.assertEqual([c["id"] for c in ws.json("group", "members", "покупатели")], [3])
            self.assertEqual(ws.json("group", "members", "Покупатели"), [])
            self.assertEqual(ws.run("client", "add", "Олег@пример.рф").returncode, EX_DATAERR)
            # Merged by hand: the first removed, the other keeps the address to itself.
            ws.ok("client", "rm", "1")
            self.assertEqual(ws.run("client", "add", "олег@пример.рф").returncode, EX_DATAERR)
            path = ws.root / "again.csv"
            path.write_text("email,name\nолег@пример.рф,Олег\nok@пример.рф,Ок\n", encoding="utf-8")
            summary = json.loads(ws.ok("--json", "client", "import", str(path)).stdout)
            self.assertEqual((summary["added"], summary["updated"]), (0, 2))
            self.assertEqual(ws.sql("SELECT count(*) FROM client"), [(4,)])
            # The table was rebuilt; the ids of removed clients still never come back.
            self.assertEqual(ws.json("client", "add", "new@example.com")["id"], 10)


class ControlCharacters(Case):
    """Issue 8.8: C0/C1 controls are refused at input and escaped in every table."""

    def test_names_comments_and_group_names_refuse_controls_but_tab(self):
        for bad in (ESC + "[31mRed", "bell\x07", "nel\u0085here", "del\x7f"):
            self.fails(EX_DATAERR, "client", "add", "c1@example.com", "--name", bad, mentions=("--name", "control"))
            self.fails(EX_DATAERR, "client", "add", "c1@example.com", "--comment", bad, mentions=("--comment",))
            self.fails(EX_DATAERR, "group", "add", bad, mentions=("NAME",))
        cid = self.ws.json("client", "add", "c2@example.com", "--name", "Иван\tПетров",
                           "--comment", "строка 1\nстрока 2")["id"]
        self.fails(EX_DATAERR, "client", "edit", str(cid), "--name", ESC + "]0;title" + "\x07", mentions=("--name",))
        path = self.ws.root / "esc.csv"
        path.write_text("email;name\nok@example.com;Ок\nbad@example.com;" + ESC + "[2J\n", encoding="utf-8")
        self.fails(EX_DATAERR, "client", "import", str(path), mentions=("line 3", "control"))
        self.assertEqual(self.ws.sql("SELECT email FROM client"), [("c2@example.com",)])

    def test_stored_controls_are_shown_escaped_in_lists_and_show(self):
        """Older databases and other tools may hold them: tables never print them raw."""
        cid = self.ws.json("client", "add", "red@example.com", "--name", "x")["id"]
        write_sql(self.ws, "UPDATE client SET name = ?, comment = ? WHERE id = ?",
                  (ESC + "[31mRed", "a\rb\u0085c", cid))
        manager = person(self.ws, "manager@example.com", roles=("manager",))
        outputs = [self.ws.ok("client", "list").stdout, self.ws.ok("client", "show", str(cid)).stdout,
                   manager.ok("client", "list", "--all").stdout]
        for out in outputs:
            self.assertNotIn(ESC, out)
            self.assertNotIn("\r", out)
            self.assertNotIn("\u0085", out)
            self.assertIn("\\x1B[31mRed", out)
        self.assertIn("a\\rb\\u0085c", outputs[1])
        # JSON keeps the text as it is (escaped by JSON itself).
        self.assertEqual(self.ws.json("client", "show", str(cid))["name"], ESC + "[31mRed")

    def test_server_replies_in_report_attempts_are_escaped(self):
        mid = self.ws.json("message", "add", "--subject", "s", "--body", "b")["id"]
        cid = self.ws.json("client", "add", "r@example.com")["id"]
        mailing = self.ws.json("mailing", "add", "--message", str(mid), "--client", str(cid))["id"]
        write_sql(self.ws, "INSERT INTO run (mailing, trigger, scheduled_for, started_at, finished_at) "
                  "VALUES (?, 'manual', 0, 0, 0)", (mailing,))
        (run,), = self.ws.sql("SELECT max(id) FROM run")
        write_sql(self.ws, "INSERT INTO attempt (run, mailing, client, email, at, status, smtp_code, server_response) "
                  "VALUES (?, ?, ?, 'r@example.com', 0, 'bounced', 550, ?)",
                  (run, mailing, cid, "550 no " + ESC + "[5mblink\x07"))
        out = self.ws.ok("report", "attempts").stdout
        self.assertNotIn(ESC, out)
        self.assertNotIn("\x07", out)
        self.assertIn("\\x1B[5mblink", out)


class QuotedAddresses(Case):
    """Issue 8.10: a quoted local part the wire cannot carry is refused at input."""

    def test_needless_quotes_are_dropped_and_the_rest_refused(self):
        c = self.ws.json("client", "add", '"ivan.petrov"@example.com')
        self.assertEqual(c["email"], "ivan.petrov@example.com")
        for bad in ('"ivan petrov"@example.com', '"a@b"@example.com', '"a<b>"@example.com', '"x\\"y"@example.com'):
            self.fails(EX_DATAERR, "client", "add", bad, mentions=("EMAIL", "quoted"))
        path = self.ws.root / "q.csv"
        path.write_text('email\n"""a b""@example.com"\n', encoding="utf-8")
        self.fails(EX_DATAERR, "client", "import", str(path), mentions=("line 2",))
        self.assertEqual(self.ws.sql("SELECT email FROM client"), [("ivan.petrov@example.com",)])


class OthersGroups(Case):
    """Issue 8.10, SPEC §4: a manager reads another's group, a superuser changes it."""

    def test_owner_names_another_users_group(self):
        ann = person(self.ws, "ann@example.com")
        cid = ann.json("client", "add", "a1@example.com", "--group", "Ann's")["id"]
        other = ann.json("client", "add", "a2@example.com")["id"]
        manager = person(self.ws, "manager@example.com", roles=("manager",))
        plain = person(self.ws, "plain@example.com")

        members = manager.json("group", "members", "ann's", "--owner", "ann@example.com")
        self.assertEqual([m["id"] for m in members], [cid])
        self.fails(EX_NOPERM, "group", "add-member", "Ann's", str(other), "--owner", "ann@example.com", who=manager)
        self.fails(EX_NOPERM, "group", "rm", "Ann's", "--owner", "ann@example.com", who=manager)
        self.fails(EX_NOINPUT, "group", "members", "Ann's", "--owner", "ann@example.com", who=plain)
        self.fails(EX_NOINPUT, "group", "members", "Ann's", "--owner", "nobody@example.com", who=plain)
        self.fails(EX_NOINPUT, "group", "members", "Ann's", "--owner", "nobody@example.com", who=manager,
                   mentions=("nobody@example.com",))

        # The superuser (owner@example.com) changes and removes it.
        self.ws.ok("group", "add-member", "Ann's", str(other), "--owner", "ann@example.com")
        self.assertEqual(len(ann.json("group", "members", "Ann's")), 2)
        self.ws.ok("group", "remove-member", "Ann's", str(cid), "--owner", "ann@example.com")
        self.assertEqual([m["id"] for m in ann.json("group", "members", "Ann's")], [other])
        removed = self.ws.json("group", "rm", "ann's", "--owner", "ann@example.com")
        self.assertEqual(removed, {"removed": ["Ann's"]})
        self.assertEqual(ann.json("group", "list"), [])


if __name__ == "__main__":
    unittest.main()
