"""Clients, groups, CSV import/export, messages and mailings, the command line and the config,
end to end through the real binary (SPEC §1, §2, §5, §6).

    MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_records.py -v
"""

import csv
import io
import json
import pathlib
import re
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from workspace import PASSWORD, Workspace  # noqa: E402

# SPEC §6
EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_NOPERM, EX_CONFIG = 64, 65, 66, 77, 78

MOSCOW_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$")


class RecordsCase(unittest.TestCase):
    """A class-wide workspace with a logged-in superuser (no SMTP needed)."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace()
        cls.ws.superuser("owner@example.com")

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)

    def run_cmd(self, *args, **kwargs):
        return self.ws.run(*args, **kwargs)

    def assert_fails(self, code, *args, mentions=(), **kwargs):
        """Runs, asserts the exit code, an empty stdout and one `mailer: ...` line on stderr
        that mentions each of `mentions`; returns the CompletedProcess."""
        proc = self.ws.run(*args, **kwargs)
        self.assertEqual(proc.returncode, code, "mailer {}: {}".format(" ".join(args), proc.stderr))
        self.assertEqual(proc.stdout, "", args)
        self.assertRegex(proc.stderr, r"^mailer: [^\n]+\n$", args)
        for text in mentions:
            self.assertIn(text, proc.stderr, args)
        return proc

    def count(self, table, where="TRUE"):
        return self.ws.sql('SELECT count(*) FROM "{}" WHERE {}'.format(table, where))[0][0]

    def write(self, name, data):
        path = self.ws.root / name
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return str(path)


class Clients(RecordsCase):
    def test_client_add_json_has_the_spec_keys_and_local_offset(self):
        """SPEC §1, §2: --json add prints the created client: id, email, name, comment,
        created_at in ISO 8601 with the local UTC offset (+03:00 under TZ=Europe/Moscow)."""
        c = self.ws.json("client", "add", "Ivan.Petrov@Example.COM", "--name", "Иван Петров",
                         "--comment", "Постоянный покупатель, скидка 5%",
                         env={"MAILER_NOW": "2026-11-24T09:00"})
        for key in ("id", "email", "name", "comment", "created_at"):
            self.assertIn(key, c)
        self.assertEqual(c["name"], "Иван Петров")
        self.assertEqual(c["comment"], "Постоянный покупатель, скидка 5%")
        self.assertEqual(c["email"].lower(), "ivan.petrov@example.com")
        self.assertEqual(c["created_at"], "2026-11-24T09:00:00+03:00")
        self.assertEqual(self.ws.sql("SELECT name, created_at FROM client WHERE id = {}".format(c["id"])),
                         [("Иван Петров", 1795500000)])
        shown = self.ws.json("client", "show", str(c["id"]))
        self.assertEqual(shown["created_at"], "2026-11-24T09:00:00+03:00")
        self.assertEqual(shown["name"], "Иван Петров")
        # The same instant under another TZ shows with that zone's offset.
        utc = self.ws.json("client", "show", str(c["id"]), env={"TZ": "UTC"})
        self.assertEqual(utc["created_at"], "2026-11-24T06:00:00+00:00")
        plain = self.ws.ok("client", "show", str(c["id"])).stdout
        self.assertRegex(plain, r"(?m)^name:\s+Иван Петров$")
        self.assertIn("2026-11-24 09:00", plain)

    def test_client_list_aligns_cyrillic_columns(self):
        """SPEC §2: human output is an aligned table; Cyrillic counts one column a letter."""
        self.ws.ok("client", "add", "olga@example.com", "--name", "Ольга", "--comment", "опт")
        self.ws.ok("client", "add", "ab@example.com", "--name", "Александра Константиновна",
                   "--comment", "розница")
        lines = self.ws.ok("client", "list").stdout.splitlines()
        header = lines[0]
        col = header.index("COMMENT")
        for email, comment in (("olga@example.com", "опт"), ("ab@example.com", "розница")):
            row = next(line for line in lines if email in line)
            self.assertEqual(row.index(comment), col, "\n".join(lines))
        listed = {c["email"]: c for c in self.ws.json("client", "list")}
        self.assertEqual(listed["olga@example.com"]["name"], "Ольга")
        for c in listed.values():
            self.assertRegex(c["created_at"], MOSCOW_TIME)

    def test_client_list_search_finds_cyrillic_in_any_case(self):
        """SPEC §2: --search TEXT matches email, name or comment, ignoring case, Cyrillic too."""
        self.ws.ok("client", "add", "search1@example.com", "--name", "Светлана Зайцева")
        self.ws.ok("client", "add", "search2@example.com", "--comment", "ЗВОНИТЬ после обеда")
        self.ws.ok("client", "add", "other-search@example.com", "--name", "Пётр")
        found = lambda text: sorted(c["email"] for c in self.ws.json("client", "list", "--search", text))
        self.assertEqual(found("зайцева"), ["search1@example.com"])
        self.assertEqual(found("звонить"), ["search2@example.com"])
        self.assertEqual(found("SEARCH1"), ["search1@example.com"])
        self.assertEqual(found("ПЁТР"), ["other-search@example.com"])

    def test_client_edit_changes_the_fields_and_show_reflects_them(self):
        """SPEC §2: edit ID --email/--name/--comment changes the stored client."""
        cid = self.ws.json("client", "add", "edit-me@example.com", "--name", "Старое имя")["id"]
        out = self.ws.json("client", "edit", str(cid), "--name", "Новое имя", "--email", "edited@example.com",
                           "--comment", "примечание")
        self.assertEqual((out["email"], out["name"], out["comment"]),
                         ("edited@example.com", "Новое имя", "примечание"))
        self.assertEqual(self.ws.sql("SELECT email, name, comment FROM client WHERE id = {}".format(cid)),
                         [("edited@example.com", "Новое имя", "примечание")])
        self.assert_fails(EX_USAGE, "client", "edit", str(cid))  # nothing to change

    def test_client_rm_removes_and_show_is_then_66(self):
        """SPEC §2, §6: rm removes; the removed id is "not found" (66)."""
        cid = self.ws.json("client", "add", "gone@example.com")["id"]
        self.ws.ok("client", "rm", str(cid))
        self.assertEqual(self.count("client", "id = {}".format(cid)), 0)
        self.assert_fails(EX_NOINPUT, "client", "show", str(cid), mentions=("not found",))

    def test_an_invalid_email_is_65_naming_the_field_and_writes_nothing(self):
        """SPEC §6, issue 2 §8: invalid email -> 65 naming the field; the database is unchanged."""
        before = self.ws.sql("SELECT * FROM client ORDER BY id")
        for bad in ("ivan@", "ivan@@example.com", "иван example.com", "a b@example.com", "ivan@example..com"):
            self.assert_fails(EX_DATAERR, "client", "add", bad, "--name", "X", mentions=("EMAIL", "email"))
        cid = self.ws.json("client", "add", "valid-one@example.com")["id"]
        before = self.ws.sql("SELECT * FROM client ORDER BY id")
        self.assert_fails(EX_DATAERR, "client", "edit", str(cid), "--email", "broken@", mentions=("--email",))
        self.assertEqual(self.ws.sql("SELECT * FROM client ORDER BY id"), before)

    def test_an_idn_email_is_accepted(self):
        """SPEC §1: IDN domains are allowed (a Cyrillic .рф shop)."""
        c = self.ws.json("client", "add", "info@магазин.рф", "--name", "Магазин")
        self.assertEqual(c["email"], "info@магазин.рф")

    def test_a_name_with_a_newline_is_65_and_writes_nothing(self):
        """SPEC §3 (CR/LF rejected at input), §6: a name with a line break is 65 naming --name."""
        before = self.ws.sql("SELECT * FROM client ORDER BY id")
        self.assert_fails(EX_DATAERR, "client", "add", "nl@example.com", "--name", "Иван\nBcc: x@evil.example",
                          mentions=("--name",))
        self.assert_fails(EX_DATAERR, "client", "add", "cr@example.com", "--name", "Иван\rПетров",
                          mentions=("--name",))
        self.assertEqual(self.ws.sql("SELECT * FROM client ORDER BY id"), before)

    def test_a_duplicate_email_of_the_same_owner_is_65_ignoring_case(self):
        """SPEC §1: email unique per owner, case-insensitive."""
        self.ws.ok("client", "add", "dup@example.com")
        self.assert_fails(EX_DATAERR, "client", "add", "DUP@Example.com", mentions=("already exists",))
        self.assertEqual(self.count("client", "email = 'dup@example.com'"), 1)

    def test_a_cyrillic_domain_is_one_client_whatever_its_case(self):
        """.рф addresses typed in capitals are the same client (UTS #46 mapping)."""
        self.ws.ok("client", "add", "anna@почта.рф")
        self.assert_fails(EX_DATAERR, "client", "add", "anna@ПОЧТА.РФ", mentions=("already exists",))
        path = self.write("rf.csv", "email;name\r\nANNA@Почта.РФ;Анна\r\nivan@МАГАЗИН.рф;Иван\r\n")
        summary = json.loads(self.ws.ok("--json", "client", "import", path).stdout)
        self.assertEqual((summary["added"], summary["updated"]), (1, 1))
        self.assertEqual(sorted(self.ws.sql("SELECT email, name FROM client")),
                         [("anna@почта.рф", "Анна"), ("ivan@магазин.рф", "Иван")])

    def test_client_rm_with_a_missing_id_removes_nothing(self):
        """SPEC §2 (rm ID... all or none), §6: `client rm ID 999` is 66 and ID stays."""
        cid = self.ws.json("client", "add", "keep@example.com")["id"]
        before = self.count("client")
        self.assert_fails(EX_NOINPUT, "client", "rm", str(cid), "999", mentions=("999", "not found"))
        self.assertEqual(self.count("client"), before)
        self.assertEqual(self.count("client", "id = {}".format(cid)), 1)

    def test_a_bad_group_on_client_add_writes_no_client(self):
        """Issue 2 §8: nothing is written on any error, even when the bad part comes last."""
        before = self.count("client")
        self.assert_fails(EX_DATAERR, "client", "add", "late-error@example.com", "--group", "две\nстроки",
                          mentions=("group",))
        self.assertEqual(self.count("client"), before)

    def test_quiet_prints_only_data(self):
        """SPEC §2: -q leaves out the human notes on stderr; --json still prints the data."""
        proc = self.ws.ok("-q", "client", "add", "quiet@example.com")
        self.assertEqual((proc.stdout, proc.stderr), ("", ""))
        loud = self.ws.ok("client", "add", "loud@example.com")
        self.assertIn("loud@example.com", loud.stderr)
        self.assertEqual(loud.stdout, "")

    def test_client_ids_must_be_numbers(self):
        """SPEC §6: a non-numeric ID is a usage error (64)."""
        self.assert_fails(EX_USAGE, "client", "show", "abc")


class Groups(RecordsCase):
    def test_group_lifecycle(self):
        """SPEC §2: group add/list/members/add-member/remove-member/rm; rm keeps the clients."""
        g = self.ws.json("group", "add", "Постоянные")
        self.assertTrue({"id", "owner", "name", "members"} <= set(g), g)
        self.assertEqual((g["name"], g["members"]), ("Постоянные", 0))
        a = self.ws.json("client", "add", "g1@example.com", "--name", "Анна")["id"]
        b = self.ws.json("client", "add", "g2@example.com", "--name", "Борис")["id"]
        c = self.ws.json("client", "add", "g3@example.com", "--group", "Постоянные")["id"]
        changed = self.ws.json("group", "add-member", "Постоянные", str(a), str(b))
        self.assertEqual(changed["changed"], 2)
        members = self.ws.json("group", "members", "Постоянные")
        self.assertEqual(sorted(m["id"] for m in members), sorted([a, b, c]))
        table = self.ws.ok("group", "members", "Постоянные").stdout
        self.assertIn("Анна", table)
        groups = {x["name"]: x["members"] for x in self.ws.json("group", "list")}
        self.assertEqual(groups["Постоянные"], 3)
        self.assertRegex(self.ws.ok("group", "list").stdout, r"(?m)^\d+\s+Постоянные\s+3$")
        self.ws.ok("group", "remove-member", "Постоянные", str(b))
        self.assertEqual(sorted(m["id"] for m in self.ws.json("group", "members", "Постоянные")), sorted([a, c]))
        self.assertEqual(self.ws.json("client", "show", str(a))["groups"], ["Постоянные"])
        listed = [x["id"] for x in self.ws.json("client", "list", "--group", "Постоянные")]
        self.assertEqual(sorted(listed), sorted([a, c]))
        self.ws.ok("group", "rm", "Постоянные")
        self.assertEqual(self.count("group", "name = 'Постоянные'"), 0)
        self.assertEqual(self.count("client", "id IN ({}, {}, {})".format(a, b, c)), 3)
        self.assert_fails(EX_NOINPUT, "group", "members", "Постоянные", mentions=("not found",))

    def test_group_errors(self):
        """SPEC §6: a duplicate group is 65, a missing group or client is 66."""
        self.ws.ok("group", "add", "Опт")
        self.assert_fails(EX_DATAERR, "group", "add", "Опт", mentions=("already exists",))
        self.assert_fails(EX_NOINPUT, "group", "rm", "Нет такой", mentions=("not found",))
        self.assert_fails(EX_NOINPUT, "group", "add-member", "Опт", "999999", mentions=("999999",))
        self.assert_fails(EX_NOINPUT, "group", "add-member", "Нет такой", "1")
        self.assert_fails(EX_DATAERR, "group", "add", "две\nстроки")
        self.assert_fails(EX_NOINPUT, "client", "list", "--group", "Нет такой")
        self.assertEqual(self.count("group", "name = 'Опт'"), 1)


RUSSIAN_EXCEL = (
    "\ufeffemail;name;comment\r\n"
    "ivanov@example.com;Иванов Иван;\"опт; звонить утром\"\r\n"
    "petrova@example.com;\"Петрова \"\"Мария\"\"\";розница\r\n"
    "\"sidorov@example.com\";Сидоров;\"многострочный\r\nкомментарий\"\r\n"
)


class Import(RecordsCase):
    """client import/export (SPEC §2 CSV; issue 2 §9). Each test uses its own owner."""

    owners = 0

    def setUp(self):
        # A fresh owner per test so that counts are exact: the workspace has one session,
        # so each test logs it in as its own superuser.
        Import.owners += 1
        self.email = "importer{}@example.com".format(Import.owners)
        self.ws.ok("user", "create-superuser", self.email, "--password-stdin", input=PASSWORD + "\n")
        self.ws.login(self.email)
        self.owner = self.ws.sql("SELECT id FROM account WHERE email = '{}'".format(self.email))[0][0]

    def mine(self, where="TRUE"):
        return self.count("client", "owner = {} AND {}".format(self.owner, where))

    def test_a_russian_excel_csv_imports_into_a_new_group(self):
        """SPEC §2: UTF-8 BOM, ';', CRLF, quoted fields with ';' and "" import exactly;
        --group creates the group."""
        path = self.write("excel.csv", RUSSIAN_EXCEL.encode("utf-8"))
        proc = self.ws.ok("client", "import", path, "--group", "Из Excel")
        self.assertIn("added 3", proc.stdout)
        clients = {c["email"]: c for c in self.ws.json("client", "list", "--group", "Из Excel")}
        self.assertEqual(sorted(clients), ["ivanov@example.com", "petrova@example.com", "sidorov@example.com"])
        self.assertEqual(clients["ivanov@example.com"]["name"], "Иванов Иван")
        self.assertEqual(clients["ivanov@example.com"]["comment"], "опт; звонить утром")
        self.assertEqual(clients["petrova@example.com"]["name"], 'Петрова "Мария"')
        self.assertEqual(clients["sidorov@example.com"]["comment"], "многострочный\r\nкомментарий")
        self.assertEqual(self.count("group", "owner = {} AND name = 'Из Excel'".format(self.owner)), 1)
        self.assertNotIn("\ufeff", "".join(clients))

    def test_a_bad_row_is_65_naming_its_line_and_nothing_is_imported(self):
        """SPEC §2: one bad row: exit 65 naming its line number, nothing imported, no group."""
        text = ("email,name,comment\n"
                "good1@example.com,Один,\"две\nстроки\"\n"
                "good2@example.com,Два,\n"
                "not-an-email,Три,\n"
                "good3@example.com,Четыре,\n")
        path = self.write("bad.csv", text)
        proc = self.assert_fails(EX_DATAERR, "client", "import", path, "--group", "Новая")
        self.assertIn("line 5", proc.stderr)  # physical line: the quoted field spans 2 and 3
        self.assertIn("not-an-email", proc.stderr)
        self.assertNotIn("line 2", proc.stderr)
        self.assertEqual(self.mine(), 0)
        self.assertEqual(self.count("group", "owner = {}".format(self.owner)), 0)

    def test_skip_invalid_imports_the_rest_and_reports_the_bad_lines(self):
        """SPEC §2: --skip-invalid imports the valid rows and names the bad ones."""
        text = ("email,name\n"
                "ok1@example.com,Один\n"
                "@broken,Два\n"
                "ok2@example.com,Три\n"
                "ok3@example.com,\"Имя\nс переводом\"\n")
        path = self.write("skip.csv", text)
        proc = self.ws.run("client", "import", path, "--skip-invalid")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("line 3", proc.stderr)
        self.assertIn("line 5", proc.stderr)
        self.assertIn("added 2", proc.stdout)
        self.assertEqual(sorted(e for (e,) in self.ws.sql(
            "SELECT email FROM client WHERE owner = {}".format(self.owner))), ["ok1@example.com", "ok2@example.com"])
        summary = json.loads(self.ws.ok("--json", "client", "import", path, "--skip-invalid").stdout)
        self.assertEqual((summary["added"], summary["invalid"], summary["already_there"]), (0, 2, 2))

    def test_duplicates_in_the_file_and_against_existing_clients_are_merged(self):
        """SPEC §2 / issue 2 §9: duplicates are merged and the summary counts added, updated,
        skipped."""
        self.ws.ok("client", "add", "exists@example.com", "--name", "Старое")
        self.ws.ok("client", "add", "same@example.com", "--name", "Такое же")
        text = ("name,email\n"                          # header in another order
                "Новое,EXISTS@example.com\n"            # existing, changed: updated
                "Такое же,same@example.com\n"           # existing, unchanged: skipped
                "Первый,new@example.com\n"              # new: added
                "Второй,NEW@Example.com\n")             # duplicate in the file: skipped (merged)
        path = self.write("dups.csv", text)
        summary = json.loads(self.ws.ok("--json", "client", "import", path).stdout)
        # Each row counts once, by what it did (issue 7.10): the NEW@ row renamed the client.
        self.assertEqual((summary["added"], summary["updated"], summary["already_there"]), (1, 2, 1))
        self.assertEqual(self.mine(), 3)
        self.assertEqual(self.mine("email = 'new@example.com'"), 1)
        self.assertEqual(self.ws.sql("SELECT name FROM client WHERE owner = {} AND email = 'exists@example.com'"
                                     .format(self.owner)), [("Новое",)])
        text_out = self.ws.ok("client", "import", path).stdout
        # The two new@ rows rename the client back and forth; the other two change nothing.
        self.assertRegex(text_out, r"added 0, updated 2, already there 2")

    def test_export_round_trips_through_import(self):
        """SPEC §2: export writes the same header; importing it elsewhere recreates the clients."""
        self.ws.ok("client", "add", "r1@example.com", "--name", 'Кавычки "и" запятые, ;', "--comment",
                   "строка 1\nстрока 2")
        self.ws.ok("client", "add", "r2@example.com", "--name", "  пробелы  ", "--group", "Экспорт")
        self.ws.ok("client", "add", "r3@example.com")
        # Blanks around a name are dropped on the way in, as import drops them, so that
        # export -> import gives back exactly what is stored.
        self.assertEqual(self.ws.sql("SELECT name FROM client WHERE email = 'r2@example.com' AND owner = {}"
                                     .format(self.owner)), [("пробелы",)])
        exported = self.ws.ok("client", "export").stdout
        self.assertTrue(exported.startswith("email,name,comment"), exported)
        rows = list(csv.DictReader(io.StringIO(exported, newline="")))
        self.assertEqual([r["email"] for r in rows], ["r1@example.com", "r2@example.com", "r3@example.com"])
        only_group = self.ws.ok("client", "export", "--group", "Экспорт").stdout
        self.assertEqual([r["email"] for r in csv.DictReader(io.StringIO(only_group, newline=""))],
                         ["r2@example.com"])
        with Workspace() as other:
            other.superuser("second@example.com")
            other.ok("client", "import", "-", input=exported)
            key = lambda cs: sorted((c["email"], c["name"], c["comment"]) for c in cs)
            self.assertEqual(key(other.json("client", "list")), key(self.ws.json("client", "list")))

    def test_import_errors(self):
        """SPEC §6: a missing file is 66; an unknown column, a stray quote or an empty file is 65."""
        self.assert_fails(EX_NOINPUT, "client", "import", str(self.ws.root / "missing.csv"),
                          mentions=("missing.csv",))
        # Issue 7.5: unknown columns are ignored now; a header without an address column is not.
        self.assert_fails(EX_DATAERR, "client", "import", self.write("col.csv", "name,phone\nИван,1\n"),
                          mentions=("email",))
        self.assert_fails(EX_DATAERR, "client", "import",
                          self.write("quote.csv", "email,name\na@example.com,Ив\"ан\n"), mentions=("line 2",))
        self.assert_fails(EX_DATAERR, "client", "import", self.write("empty.csv", ""))
        # Issue 7.5: Windows-1251 is detected now; asked for UTF-8, it is still refused.
        self.assert_fails(EX_DATAERR, "client", "import",
                          self.write("cp1251.csv", "email,name\na@example.com,".encode() + "Иван".encode("cp1251")),
                          "--encoding", "utf-8", mentions=("UTF-8",))
        self.assertEqual(self.mine(), 0)


class Messages(RecordsCase):
    def test_message_add_show_list_edit(self):
        """SPEC §2: message add --subject --body, show/list/edit, --json keys of §1."""
        m = self.ws.json("message", "add", "--subject", "{{name}}, скидка 20%", "--body", "Здравствуйте, {{name}}!")
        self.assertTrue({"id", "owner", "subject", "body_text", "body_html", "created_at"} <= set(m), m)
        self.assertIsNone(m["body_html"])
        self.assertRegex(m["created_at"], MOSCOW_TIME)
        self.assertEqual(self.ws.json("message", "show", str(m["id"]))["body_text"], "Здравствуйте, {{name}}!")
        self.assertIn(m["id"], [x["id"] for x in self.ws.json("message", "list")])
        self.assertIn("скидка 20%", self.ws.ok("message", "list").stdout)
        self.ws.ok("message", "edit", str(m["id"]), "--subject", "Новая тема",
                   "--html-file", self.write("edit.html", "<p>{{name}}</p>"))
        self.assertEqual(self.ws.sql("SELECT subject, body_html FROM message WHERE id = {}".format(m["id"])),
                         [("Новая тема", "<p>{{name}}</p>")])
        self.ws.ok("message", "edit", str(m["id"]), "--no-html")
        self.assertIsNone(self.ws.json("message", "show", str(m["id"]))["body_html"])
        self.assert_fails(EX_DATAERR, "message", "edit", str(m["id"]), "--body", "{{#x}}", mentions=("--body",))
        self.assertEqual(self.ws.json("message", "show", str(m["id"]))["body_text"], "Здравствуйте, {{name}}!")

    def test_message_from_body_and_html_files(self):
        """SPEC §2: --body-file and --html-file store the files' contents."""
        # {{email}}, not {{unsubscribe_url}}: without tracking.base_url that is refused (issue 7 item 10).
        body = "Привет, {{name}}!\nВаш адрес: {{email}}\n"
        html = "<p>Привет, <b>{{name}}</b>!</p>\n"
        m = self.ws.json("message", "add", "--subject", "Файлы", "--body-file", self.write("b.txt", body),
                         "--html-file", self.write("b.html", html))
        self.assertEqual((m["body_text"], m["body_html"]), (body, html))
        self.assertEqual(self.ws.sql("SELECT body_text, body_html FROM message WHERE id = {}".format(m["id"])),
                         [(body, html)])
        self.assertRegex(self.ws.ok("message", "show", str(m["id"])).stdout, r"(?m)^html:\s+\d+ bytes$")
        self.assert_fails(EX_NOINPUT, "message", "add", "--subject", "S", "--body-file",
                          str(self.ws.root / "nope.txt"), mentions=("nope.txt",))

    def test_a_broken_template_is_65_and_nothing_is_stored(self):
        """SPEC §6: a broken template ({{name without }}) is bad data naming the field."""
        before = self.count("message")
        self.assert_fails(EX_DATAERR, "message", "add", "--subject", "Тема", "--body", "Привет, {{name",
                          mentions=("--body",))
        self.assert_fails(EX_DATAERR, "message", "add", "--subject", "{{name", "--body", "ok",
                          mentions=("--subject",))
        self.assert_fails(EX_DATAERR, "message", "add", "--subject", "Тема", "--body", "ok",
                          "--html-file", self.write("bad.html", "<p>{{name</p>"), mentions=("--html-file",))
        self.assert_fails(EX_DATAERR, "message", "add", "--subject", "две\nстроки", "--body", "ok",
                          mentions=("--subject",))
        self.assertEqual(self.count("message"), before)

    def test_message_usage_errors_are_64(self):
        """SPEC §6: a missing --subject or body is a usage error."""
        self.assert_fails(EX_USAGE, "message", "add", "--body", "x", mentions=("--subject",))
        self.assert_fails(EX_USAGE, "message", "add", "--subject", "x")
        self.assert_fails(EX_USAGE, "message", "add", "--subject", "x", "--body", "y", "--body-file", "z")

    def test_removing_a_message_used_by_a_mailing_is_65(self):
        """SPEC §2 (rm ID... all or none): a message a mailing uses cannot go; nothing goes."""
        used = self.ws.json("message", "add", "--subject", "S", "--body", "B")["id"]
        free = self.ws.json("message", "add", "--subject", "S2", "--body", "B2")["id"]
        cid = self.ws.json("client", "add", "msg-rm@example.com")["id"]
        mailing = self.ws.json("mailing", "add", "--message", str(used), "--client", str(cid))["id"]
        self.assert_fails(EX_DATAERR, "message", "rm", str(free), str(used), mentions=("mailing {}".format(mailing),))
        self.assertEqual(self.count("message", "id IN ({}, {})".format(used, free)), 2)
        self.ws.ok("message", "rm", str(free))
        self.assertEqual(self.count("message", "id = {}".format(free)), 0)
        self.ws.ok("mailing", "rm", str(mailing))
        self.ws.ok("message", "rm", str(used))
        self.assertEqual(self.count("message", "id = {}".format(used)), 0)


class Mailings(RecordsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.message = cls.ws.json("message", "add", "--subject", "Тема", "--body", "Текст")["id"]
        cls.client = cls.ws.json("client", "add", "m1@example.com", "--group", "Рассылка")["id"]

    def add(self, *extra, **kwargs):
        return self.ws.json("mailing", "add", "--message", str(self.message), "--group", "Рассылка", *extra, **kwargs)

    def test_mailing_add_with_a_schedule(self):
        """SPEC §1, §2, §3: --start/--end/--every are stored; times print with +03:00;
        next_run_at starts at start_at; status created."""
        m = self.add("--name", "Еженедельная", "--start", "2026-12-01 09:00", "--end", "2027-03-01T09:00+03:00",
                     "--every", "weekly", "--client", str(self.client))
        self.assertTrue({"id", "owner", "name", "message", "recipients", "start_at", "end_at", "every", "status",
                         "enabled", "next_run_at", "created_at"} <= set(m), m)
        self.assertEqual(m["recipients"], {"clients": [self.client], "groups": ["Рассылка"]})
        self.assertEqual(m["name"], "Еженедельная")
        self.assertEqual(m["start_at"], "2026-12-01T09:00:00+03:00")
        self.assertEqual(m["end_at"], "2027-03-01T09:00:00+03:00")
        self.assertEqual(m["next_run_at"], "2026-12-01T09:00:00+03:00")
        self.assertEqual((m["every"], m["status"], m["enabled"]), ("weekly", "created", True))
        self.assertEqual(m["message"], self.message)
        self.assertEqual(self.ws.sql("SELECT start_at, every FROM mailing WHERE id = {}".format(m["id"])),
                         [(1796104800, "weekly")])
        shown = self.ws.ok("mailing", "show", str(m["id"])).stdout
        self.assertRegex(shown, r"(?m)^every:\s+weekly$")
        self.assertRegex(shown, r"(?m)^start_at:\s+2026-12-01 09:00")
        self.assertRegex(shown, r"(?m)^status:\s+created$")
        self.assertIn("group Рассылка", shown)
        listing = self.ws.ok("mailing", "list").stdout
        self.assertRegex(listing, r"(?m)^{}\s+Еженедельная\s".format(m["id"]))
        self.assertIn(m["id"], [x["id"] for x in self.ws.json("mailing", "list")])

    def test_mailing_add_defaults_to_once_now(self):
        """SPEC §3: start defaults to now (MAILER_NOW), every to once."""
        m = self.add(env={"MAILER_NOW": "2026-11-24T10:30"})
        self.assertEqual((m["every"], m["start_at"], m["end_at"]), ("once", "2026-11-24T10:30:00+03:00", None))

    def test_bad_schedules_are_65_and_write_nothing(self):
        """SPEC §6: end before start, a bad time and a bad period are 65 naming the option."""
        before = self.count("mailing")
        base = ("mailing", "add", "--message", str(self.message), "--group", "Рассылка")
        self.assert_fails(EX_DATAERR, *base, "--start", "2026-12-01T09:00", "--end", "2026-11-30T09:00",
                          mentions=("--end",))
        self.assert_fails(EX_DATAERR, *base, "--start", "завтра", mentions=("--start", "завтра"))
        self.assert_fails(EX_DATAERR, *base, "--start", "2026-13-01T09:00", mentions=("--start",))
        self.assert_fails(EX_DATAERR, *base, "--start", "2026-02-30", mentions=("--start",))
        self.assert_fails(EX_DATAERR, *base, "--end", "2026-11-24T25:00", mentions=("--end",))
        self.assert_fails(EX_DATAERR, *base, "--every", "hourly", mentions=("--every", "hourly"))
        self.assertEqual(self.count("mailing"), before)

    def test_mailing_usage_errors_are_64_and_missing_records_66(self):
        """SPEC §6: no --message or no recipients is 64; a missing message/group/client is 66."""
        before = self.count("mailing")
        self.assert_fails(EX_USAGE, "mailing", "add", "--group", "Рассылка", mentions=("--message",))
        self.assert_fails(EX_USAGE, "mailing", "add", "--message", str(self.message))
        self.assert_fails(EX_NOINPUT, "mailing", "add", "--message", "999999", "--group", "Рассылка")
        self.assert_fails(EX_NOINPUT, "mailing", "add", "--message", str(self.message), "--group", "Нет такой")
        self.assert_fails(EX_NOINPUT, "mailing", "add", "--message", str(self.message), "--client", "999999")
        self.assertEqual(self.count("mailing"), before)

    def test_mailing_edit_stop_and_rm(self):
        """SPEC §2, §3: edit changes name/schedule; stop finishes (status finished); rm removes."""
        m = self.add("--start", "2026-12-01T09:00", "--every", "daily")
        mid = str(m["id"])
        edited = self.ws.json("mailing", "edit", mid, "--name", "Ежемесячная", "--every", "monthly",
                              "--start", "2027-01-31T10:00")
        self.assertEqual((edited["name"], edited["every"]), ("Ежемесячная", "monthly"))
        self.assertEqual(edited["next_run_at"], "2027-01-31T10:00:00+03:00")
        self.assert_fails(EX_DATAERR, "mailing", "edit", mid, "--end", "2027-01-01T00:00", mentions=("--end",))
        self.assertIsNone(self.ws.json("mailing", "show", mid)["end_at"])
        with_end = self.ws.json("mailing", "edit", mid, "--end", "2027-12-31T23:59", "--client", str(self.client))
        self.assertEqual(with_end["end_at"], "2027-12-31T23:59:00+03:00")
        self.assertEqual(with_end["recipients"], {"clients": [self.client], "groups": []})
        self.assertIsNone(self.ws.json("mailing", "edit", mid, "--no-end")["end_at"])
        stopped = self.ws.json("mailing", "stop", mid)
        self.assertEqual(stopped["status"], "finished")
        self.assertEqual(self.ws.json("mailing", "show", mid)["status"], "finished")
        self.assertEqual(self.ws.sql("SELECT status FROM mailing WHERE id = " + mid), [("finished",)])
        self.assertRegex(self.ws.ok("mailing", "list").stdout, r"(?m)^{}\s.*finished".format(mid))
        self.ws.ok("mailing", "rm", mid)
        self.assertEqual(self.count("mailing", "id = " + mid), 0)
        self.assert_fails(EX_NOINPUT, "mailing", "show", mid, mentions=("not found",))
        self.assert_fails(EX_NOINPUT, "mailing", "stop", mid)


class CommandLine(unittest.TestCase):
    """Usage errors, --help on every level, and the config file (SPEC §2, §5, §6)."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace()

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)

    HELP_PATHS = [
        (), ("init",), ("login",), ("logout",), ("whoami",),
        ("user",), ("user", "create-superuser"), ("user", "register"), ("user", "verify"),
        ("user", "reset-password"), ("user", "list"), ("user", "show"), ("user", "block"),
        ("user", "unblock"), ("user", "grant"), ("user", "revoke"),
        ("client",), ("client", "add"), ("client", "list"), ("client", "show"), ("client", "edit"),
        ("client", "rm"), ("client", "import"), ("client", "export"),
        ("group",), ("group", "add"), ("group", "list"), ("group", "rm"), ("group", "members"),
        ("group", "add-member"), ("group", "remove-member"),
        ("message",), ("message", "add"), ("message", "list"), ("message", "show"), ("message", "edit"),
        ("message", "rm"),
        ("mailing",), ("mailing", "add"), ("mailing", "list"), ("mailing", "show"), ("mailing", "edit"),
        ("mailing", "rm"), ("mailing", "stop"), ("mailing", "disable"), ("mailing", "enable"),
    ]

    def test_help_works_on_every_level_without_a_session_or_database(self):
        """SPEC §2: --help on every level exits 0, prints usage, touches no database."""
        for path in self.HELP_PATHS:
            proc = self.ws.run(*path, "--help")
            self.assertEqual(proc.returncode, 0, (path, proc.stderr))
            self.assertIn("Usage:", proc.stdout, path)
            self.assertIn(" ".join(("mailer",) + path), proc.stdout, path)
        self.assertFalse(self.ws.db_path.exists(), "--help must not create the database")

    def test_help_works_even_with_a_broken_config(self):
        """SPEC §2: --help needs no config."""
        bad = self.ws.root / "broken-for-help.toml"
        bad.write_text("[smtp\n")
        proc = self.ws.run("client", "add", "--help", env={"MAILER_CONFIG": str(bad)})
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_version(self):
        """SPEC §2: --version prints the version and exits 0."""
        proc = self.ws.run("--version")
        self.assertEqual(proc.returncode, 0)
        self.assertRegex(proc.stdout, r"^mailer \d+\.\d+")

    def test_usage_errors_are_64_with_one_line_on_stderr(self):
        """SPEC §2, §6: unknown command, unknown option, missing argument: 64 and one line
        `mailer: <what> (<hint>)` on stderr."""
        cases = [("frobnicate",), ("client", "frobnicate"), ("client",), ("client", "add"),
                 ("client", "list", "--no-such-option"), ("group", "add-member", "G"),
                 ("user", "verify", "a@example.com"), ("mailing", "show")]
        for args in cases:
            proc = self.ws.run(*args)
            self.assertEqual(proc.returncode, EX_USAGE, (args, proc.stderr))
            self.assertRegex(proc.stderr, r"^mailer: [^\n]+ \([^\n]+\)\n$", args)
            self.assertEqual(proc.stdout, "", args)

    def test_a_broken_toml_config_is_78_naming_file_and_line(self):
        """SPEC §5, §6: a syntax error names the file and line; exit 78."""
        cfg = self.ws.root / "broken.toml"
        cfg.write_text('[database]\npath = "x.db"\n\n[smtp]\nurl = "smtp://127.0.0.1:25\n')
        proc = self.ws.run("init", env={"MAILER_CONFIG": str(cfg)})
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("{}:5".format(cfg), proc.stderr)
        self.assertRegex(proc.stderr, r"^mailer: [^\n]+\n$")
        self.assertFalse((self.ws.root / "x.db").exists())

    def test_an_unknown_config_key_is_78_naming_the_key_and_line(self):
        """SPEC §5: unknown keys are errors naming file, line and key."""
        cfg = self.ws.root / "unknown.toml"
        cfg.write_text('[database]\npath = "y.db"\n[smtp]\nurl = "smtp://127.0.0.1:25"\nport = 25\n')
        proc = self.ws.run("init", env={"MAILER_CONFIG": str(cfg)})
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("smtp.port", proc.stderr)
        self.assertIn("{}:5".format(cfg), proc.stderr)
        cfg.write_text('[databse]\npath = "y.db"\n')
        proc = self.ws.run("init", "--config", str(cfg))
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("databse", proc.stderr)

    def test_a_bad_config_value_is_78_naming_the_key(self):
        """SPEC §5: a value of the wrong type or range names its key."""
        cfg = self.ws.root / "value.toml"
        cfg.write_text('[smtp]\nconnections = "four"\n')
        proc = self.ws.run("init", "--config", str(cfg))
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("smtp.connections", proc.stderr)
        self.assertIn("{}:2".format(cfg), proc.stderr)

    def test_a_missing_named_config_is_78(self):
        """SPEC §5: a config named by MAILER_CONFIG that does not exist is a config error."""
        proc = self.ws.run("init", env={"MAILER_CONFIG": str(self.ws.root / "absent.toml")})
        self.assertEqual(proc.returncode, EX_CONFIG)
        self.assertIn("absent.toml", proc.stderr)

    def test_init_creates_the_database_relative_to_the_config_and_db_overrides(self):
        """SPEC §5: a relative database.path is relative to the config file; --db overrides."""
        sub = self.ws.root / "conf"
        sub.mkdir(exist_ok=True)
        cfg = sub / "m.toml"
        cfg.write_text('[database]\npath = "data/shop.db"\n')
        (sub / "data").mkdir(exist_ok=True)
        proc = self.ws.run("init", env={"MAILER_CONFIG": str(cfg)})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), str(sub / "data" / "shop.db"))
        self.assertTrue((sub / "data" / "shop.db").exists())
        other = self.ws.root / "other.db"
        proc = self.ws.run("--db", str(other), "init", env={"MAILER_CONFIG": str(cfg)})
        self.assertEqual(proc.stdout.strip(), str(other))
        proc = self.ws.run("init", env={"MAILER_CONFIG": str(cfg), "MAILER_DB": str(self.ws.root / "env.db")})
        self.assertEqual(proc.stdout.strip(), str(self.ws.root / "env.db"))


if __name__ == "__main__":
    unittest.main()
