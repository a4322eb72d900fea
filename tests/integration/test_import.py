"""`client import` of real files and `client export` (SPEC §2; issues 7.5, 7.10, 7.12, 8.8, 8.10):
Russian and English headers, extra and empty columns, lists without a header, --columns,
Windows-1251, truthful counts, per-row notes, caps, streaming, formula cells.

    MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_import.py -v
"""

import csv
import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from workspace import Workspace  # noqa: E402

EX_USAGE, EX_DATAERR, EX_NOINPUT = 64, 65, 66
UNDER_ASAN = "ASAN_OPTIONS" in os.environ


class ImportCase(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace()
        self.ws.superuser("owner@example.com")

    def tearDown(self):
        self.ws.__exit__(None, None, None)

    def write(self, name, data):
        path = self.ws.root / name
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8", newline="")
        else:
            path.write_bytes(data)
        return str(path)

    def summary(self, *args, **kwargs):
        return json.loads(self.ws.ok("--json", "client", "import", *args, **kwargs).stdout)

    def clients(self):
        return sorted(self.ws.sql("SELECT email, name, comment FROM client"))

    def fails(self, code, *args, mentions=(), **kwargs):
        proc = self.ws.run("client", "import", *args, **kwargs)
        self.assertEqual(proc.returncode, code, proc.stderr)
        self.assertEqual(proc.stdout, "")
        self.assertRegex(proc.stderr, r"^mailer: [^\n]+\n$")
        for text in mentions:
            self.assertIn(text, proc.stderr)
        self.assertEqual(self.clients(), [])
        return proc


class Headers(ImportCase):
    """Issue 7.5: each of these exited 65 and imported nothing."""

    def test_a_russian_header_in_any_case(self):
        path = self.write("ru.csv", "Email;Имя;Комментарий\r\nivan@example.com;Иван;опт\r\n")
        self.assertEqual(self.summary(path)["added"], 1)
        other = self.write("ru2.csv", "ФИО;Эл. почта;Примечание\r\nОльга;olga@example.com;розница\r\n"
                                      "Пётр;petr@example.com;\r\n")
        self.assertEqual(self.summary(other)["added"], 2)
        third = self.write("ru3.csv", "\ufeffАДРЕС;имя\r\nanna@example.com;Анна\r\n")
        self.assertEqual(self.summary(third)["added"], 1)
        self.assertEqual(self.clients(), [("anna@example.com", "Анна", ""), ("ivan@example.com", "Иван", "опт"),
                                          ("olga@example.com", "Ольга", "розница"), ("petr@example.com", "Пётр", "")])

    def test_extra_columns_are_ignored_and_named(self):
        path = self.write("extra.csv", "email;name;phone;city;comment\n"
                                       "ivan@example.com;Иван;+7 900 000-00-00;Москва;опт\n")
        s = self.summary(path)
        self.assertEqual((s["added"], s["unknown_columns"]), (1, ["phone", "city"]))
        self.assertEqual(self.clients(), [("ivan@example.com", "Иван", "опт")])
        text = self.ws.ok("client", "import", path).stdout
        self.assertIn("ignored columns: phone, city", text)

    def test_excel_trailing_empty_columns_are_ignored(self):
        path = self.write("trailing.csv", "email;name;comment;;;\r\nivan@example.com;Иван;опт;;;\r\n"
                                          "anna@example.com;Анна;;;;\r\nboris@example.com;Борис\r\n")
        s = self.summary(path)
        self.assertEqual((s["added"], s["unknown_columns"]), (3, []))

    def test_a_plain_list_of_addresses_needs_no_header(self):
        path = self.write("list.txt", "ivan@example.com\r\nanna@example.com\r\n\r\nboris@example.com\r\n")
        excel = self.write("excel.csv", "ivan@example.com;;\r\ngleb@example.com;;\r\n")
        self.assertEqual(self.summary(excel)["added"], 2)
        s = self.summary(path)
        self.assertEqual((s["added"], s["already_there"], s["header"], s["rows"]), (2, 1, False, 3))
        self.assertEqual([e for e, _, _ in self.clients()], ["anna@example.com", "boris@example.com",
                                                             "gleb@example.com", "ivan@example.com"])

    def test_a_header_without_an_address_column_or_two_of_them_is_65(self):
        self.fails(EX_DATAERR, self.write("noemail.csv", "Имя;Телефон\nИван;1\n"), mentions=("line 1", "email"))
        self.fails(EX_DATAERR, self.write("two.csv", "email;почта\na@example.com;b@example.com\n"),
                   mentions=("two email columns",))
        self.fails(EX_DATAERR, self.write("nohead.csv", "a@example.com;Иван\n"), mentions=("--columns",))


class Columns(ImportCase):
    """Issue 7.5: --columns maps by position; an empty entry skips a column."""

    def test_columns_by_position_with_and_without_a_header_line(self):
        plain = self.write("plain.csv", "ivan@example.com;Иван;опт\nanna@example.com;Анна;\n")
        s = self.summary(plain, "--columns", "email,name,comment")
        self.assertEqual((s["added"], s["header"]), (2, False))
        skip = self.write("skip.csv", "Телефон;Адрес эл. почты;Код;Клиент\n1;olga@example.com;x;Ольга\n")
        s = self.summary(skip, "--columns", ",email,,name")
        self.assertEqual((s["added"], s["header"], s["unknown_columns"]), (1, True, ["Телефон", "Код"]))
        self.assertIn(("olga@example.com", "Ольга", ""), self.clients())

    def test_bad_columns_are_usage_errors(self):
        path = self.write("p.csv", "a@example.com\n")
        for bad, text in (("name,comment", "no email"), ("email,phone", "phone"), ("email,name,имя", "twice")):
            proc = self.ws.run("client", "import", path, "--columns", bad)
            self.assertEqual(proc.returncode, EX_USAGE, proc.stderr)
            self.assertIn(text, proc.stderr)
        self.assertEqual(self.clients(), [])


class Encodings(ImportCase):
    """Issue 7.5: Excel's plain "CSV" on Russian Windows is Windows-1251."""

    ROWS = "email;имя;комментарий\r\nivan@example.com;Иван Петров;Ёлки, «опт» №5\r\n"

    def test_windows_1251_is_detected(self):
        path = self.write("cp.csv", self.ROWS.encode("cp1251"))
        s = self.summary(path)
        self.assertEqual((s["added"], s["encoding"]), (1, "windows-1251"))
        self.assertEqual(self.clients(), [("ivan@example.com", "Иван Петров", "Ёлки, «опт» №5")])
        self.assertIn("read as Windows-1251", self.ws.ok("client", "import", path).stdout)

    def test_detected_also_when_the_first_cyrillic_comes_late(self):
        rows = "email;name\r\n" + "".join("a{}@example.com;Ann\r\n".format(i) for i in range(5000))
        path = self.write("late.csv", (rows + "ivan@example.com;Иван\r\n").encode("cp1251"))
        self.assertEqual(self.summary(path)["added"], 5001)
        self.assertIn(("ivan@example.com", "Иван", ""), self.clients())

    def test_encoding_given_explicitly(self):
        path = self.write("cp.csv", self.ROWS.encode("cp1251"))
        self.assertEqual(self.summary(path, "--encoding", "cp1251")["added"], 1)
        utf = self.write("utf.csv", self.ROWS)
        self.assertEqual(self.summary(utf, "--encoding", "UTF-8")["already_there"], 1)
        self.ws.ok("client", "rm", str(self.ws.sql("SELECT id FROM client")[0][0]))
        self.fails(EX_DATAERR, path, "--encoding", "utf-8", mentions=("line 1", "UTF-8"))
        proc = self.ws.run("client", "import", path, "--encoding", "koi8-r")
        self.assertEqual(proc.returncode, EX_USAGE, proc.stderr)

    def test_latin_1_is_not_taken_for_cyrillic(self):
        path = self.write("de.csv", "email;name\nhans@example.de;Hans Müller, Straße\n".encode("latin-1"))
        self.fails(EX_DATAERR, path, mentions=("line 2", "invalid UTF-8"))

    def test_utf16_is_refused(self):
        self.fails(EX_DATAERR, self.write("u16.csv", "email\na@example.com\n".encode("utf-16")),
                   mentions=("UTF-16",))


class Files(ImportCase):
    def test_a_directory_is_66(self):
        proc = self.fails(EX_NOINPUT, str(self.ws.root), mentions=("directory",))
        self.assertIn(str(self.ws.root), proc.stderr)

    def test_standard_input(self):
        self.ws.ok("client", "import", "-", input="email\nivan@example.com\n")
        self.assertEqual(len(self.clients()), 1)


class Counts(ImportCase):
    """Issue 7.10: added, updated, already there and invalid, each row counted by what it did."""

    def test_counts_json_and_text(self):
        self.ws.ok("client", "add", "old@example.com", "--name", "Старое")
        self.ws.ok("client", "add", "same@example.com", "--name", "Такое же")
        path = self.write("c.csv", "email,name\nOLD@example.com,Новое\nsame@example.com,Такое же\n"
                                   "new@example.com,Новый\nbroken,Плохой\nsame@example.com,\n")
        s = self.summary(path, "--skip-invalid")
        self.assertEqual({k: s[k] for k in ("rows", "added", "updated", "already_there", "invalid")},
                         {"rows": 5, "added": 1, "updated": 1, "already_there": 2, "invalid": 1})
        self.assertEqual(s["unknown_columns"], [])
        text = self.ws.ok("client", "import", path, "--skip-invalid").stdout
        self.assertEqual(text, "imported 5 row(s): added 0, updated 0, already there 4, invalid 1\n")

    def test_verbose_notes_each_row_with_its_line(self):
        self.ws.ok("client", "add", "old@example.com", "--name", "Старое")
        path = self.write("v.csv", "email,name,comment\nold@example.com,Новое,\nnew@example.com,,\"две\nстроки\"\n"
                                   "new@example.com,,\n@bad,,\n")
        proc = self.ws.ok("-v", "client", "import", path, "--skip-invalid")
        notes = [line for line in proc.stderr.splitlines() if "v.csv" in line]
        self.assertEqual(len(notes), 4, proc.stderr)
        self.assertIn("line 2: updated old@example.com", notes[0])
        self.assertIn("line 3: added new@example.com", notes[1])
        self.assertIn("line 5: already there new@example.com", notes[2])
        self.assertIn("skipped line 6", notes[3])
        quiet = self.ws.ok("client", "import", path, "--skip-invalid")
        self.assertNotIn("already there", quiet.stderr)


class AllOrNothing(ImportCase):
    def test_a_bad_row_after_many_good_ones_imports_nothing(self):
        """SPEC §2 with streaming: the rows before it were written, and are rolled back."""
        rows = "".join("c{}@example.com;Имя {}\n".format(i, i) for i in range(20000))
        path = self.write("big.csv", "email;name\n" + rows + "not-an-address;Плохой\n" + "z@example.com;Я\n")
        proc = self.fails(EX_DATAERR, path, "--group", "Новая", mentions=("line 20002", "not-an-address"))
        self.assertIn("nothing imported", proc.stderr)
        self.assertEqual(self.ws.sql('SELECT count(*) FROM "group"'), [(0,)])

    def test_caps_on_fields_and_records(self):
        """Issue 8.10: a huge field or line is a clear error, not gigabytes of memory."""
        self.fails(EX_DATAERR, self.write("field.csv", "email;name\na@example.com;" + "я" * 40000 + "\n"),
                   mentions=("line 2", "64 KiB"))
        self.fails(EX_DATAERR, self.write("open.csv", 'email;name\na@example.com;"' + "x;" * 700000 + "\n"),
                   mentions=("line 2",))
        self.fails(EX_DATAERR, self.write("name.csv", "email;name\na@example.com;" + "я" * 101 + "\n"),
                   mentions=("line 2", "200 bytes"))


def peak_rss_kib(ws, *args):
    """Runs mailer under /usr/bin/time and returns its peak RSS in KiB."""
    with tempfile.NamedTemporaryFile() as report:
        env = dict(os.environ)
        env.update({k: v for k, v in ws.env.items() if v is not None})
        for k, v in ws.env.items():
            if v is None:
                env.pop(k, None)
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, os.environ["MAILER_BIN"], *args],
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(pathlib.Path(report.name).read_text().split()[-1])


@unittest.skipIf(UNDER_ASAN, "ASan keeps freed memory in quarantine, so RSS says nothing there")
class Streaming(ImportCase):
    """Issue 7.12: import and export hold a row at a time, whatever the file's size."""

    def csv_file(self, name, rows):
        path = self.ws.root / name
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            f.write("email;name;comment\r\n")
            for i in range(rows):
                f.write("{}{}@shop{}.example.ru;Иван Петров;\"заказ №{}; опт\"\r\n".format(name[0], i, i % 97, i))
        return str(path)

    def test_memory_stays_flat_as_the_file_grows(self):
        small = peak_rss_kib(self.ws, "client", "import", self.csv_file("small.csv", 2000))
        large = peak_rss_kib(self.ws, "client", "import", self.csv_file("large.csv", 150000))
        self.assertEqual(self.ws.sql("SELECT count(*) FROM client"), [(152000,)])
        # 150,000 rows are 12 MiB of CSV: held in memory they took over 100 MiB more. What does
        # grow is SQLite's page cache, which import sets to 8 MiB.
        self.assertLess(large - small, 20 * 1024, (small, large))
        self.assertLess(large, 64 * 1024)
        export = peak_rss_kib(self.ws, "client", "export")
        self.assertLess(export - small, 8 * 1024, (small, export))


class Export(ImportCase):
    """Issue 8.8: cells a spreadsheet would run as formulas are defused; --raw keeps them."""

    def test_formula_cells_get_a_quote_and_come_back_through_import(self):
        self.ws.ok("client", "add", "--name", "=HYPERLINK(\"http://evil\",\"x\")", "--comment", "@SUM(A1)",
                   "--", "-dash@example.com")
        self.ws.ok("client", "add", "plain@example.com", "--name", "+7 900", "--comment", "обычный")
        out = self.ws.ok("client", "export").stdout
        rows = list(csv.reader(io.StringIO(out, newline="")))
        self.assertEqual(rows[1], ["'-dash@example.com", "'=HYPERLINK(\"http://evil\",\"x\")", "'@SUM(A1)"])
        self.assertEqual(rows[2], ["plain@example.com", "'+7 900", "обычный"])
        raw = list(csv.reader(io.StringIO(self.ws.ok("client", "export", "--raw").stdout, newline="")))
        self.assertEqual(raw[1], ["-dash@example.com", "=HYPERLINK(\"http://evil\",\"x\")", "@SUM(A1)"])
        with Workspace() as other:
            other.superuser("second@example.com")
            other.ok("client", "import", "-", input=out)
            self.assertEqual(sorted(other.sql("SELECT email, name, comment FROM client")), self.clients())

    def test_export_of_a_group(self):
        self.ws.ok("client", "add", "a@example.com", "--group", "Опт")
        self.ws.ok("client", "add", "b@example.com")
        out = self.ws.ok("client", "export", "--group", "опт").stdout
        self.assertEqual(out, "email,name,comment\na@example.com,,\n")  # CRLF, read as text


class RemoveJson(ImportCase):
    """Issue 7.10: rm --json prints what was removed; a group a mailing uses stays."""

    def test_rm_json_and_a_used_group(self):
        ids = [self.ws.json("client", "add", "r{}@example.com".format(i), "--group", "Рассылка")["id"]
               for i in range(2)]
        self.assertEqual(self.ws.json("client", "rm", str(ids[0])), {"removed": [ids[0]]})
        mid = self.ws.json("message", "add", "--subject", "s", "--body", "b")["id"]
        mailing = self.ws.json("mailing", "add", "--message", str(mid), "--group", "Рассылка", "--name", "Неделя")["id"]
        proc = self.ws.run("group", "rm", "рассылка")
        self.assertEqual(proc.returncode, EX_DATAERR, proc.stderr)
        self.assertIn("mailing {}".format(mailing), proc.stderr)
        self.assertIn("Неделя", proc.stderr)
        self.assertEqual(self.ws.sql('SELECT count(*) FROM "group"'), [(1,)])
        self.ws.ok("mailing", "rm", str(mailing))
        self.assertEqual(self.ws.json("group", "rm", "рассылка"), {"removed": ["Рассылка"]})


if __name__ == "__main__":
    unittest.main()
