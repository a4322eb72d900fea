"""Message composition as recipients and their mail programs see it, decoded by Python's email
package (an independent decoder): bodies in the shorter of quoted-printable and base64
(issue 7 item 11), `message show --render` (item 7), the unsubscribe rule and `rm --json`
(item 10), the template caps against a hostile body (issue 8 item 2) and generated headers
within 998 octets (issue 8 item 7).

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_compose.py -v
"""

import base64
import email
import email.policy
import email.utils
import os
import quopri
import resource
import subprocess
import tempfile
import time
import unittest

from mailtest import smtp_server
from sendkit import T0, add_clients, add_mailing, add_message, at, copies, write_sql
from workspace import Workspace

EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_CONFIG = 64, 65, 66, 78

# 1,060 characters of Russian, as in the issue (a 5.6 KB message when all quoted-printable).
RUSSIAN = ("Здравствуйте, {{name}}! На этой неделе у нас большая распродажа: скидки до пятидесяти "
           "процентов на весь ассортимент, бесплатная доставка от трёх тысяч рублей и подарки "
           "каждому покупателю.\n")
RUSSIAN_BODY = (RUSSIAN * 6)[:1060]
HTML = ("<html><body>\n<p style=\"font-family: Arial, sans-serif; color: #333333\">"
        "Hello, {{name}}! This week everything is 20% off.</p>\n"
        "<p><a href=\"https://shop.example/catalogue?utm_source=mail&amp;utm_medium=email\">"
        "Каталог</a></p>\n</body></html>\n")


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def text_of(part):
    return part.get_content().replace("\r\n", "\n")


def encoded_sizes(text):
    """(quoted-printable, base64) sizes of a text in its CRLF form, by Python's encoders."""
    data = text.replace("\n", "\r\n").encode("utf-8")
    qp = quopri.encodestring(data)
    b64 = base64.encodebytes(data)  # 76 characters a line
    return len(qp), len(b64) + b64.count(b"\n")  # each line break as CRLF


def run_measured(ws, *args, input=None, env=None):
    """Runs mailer and returns (CompletedProcess, seconds, peak RSS in MiB) of that one process,
    its output as the exact bytes decoded (CRLF kept). Outside ASan (which reserves terabytes of
    shadow memory) the address space is capped at 2 GiB, so that a binary that would take
    gigabytes fails here instead of straining the machine."""
    extra = env or {}
    env = dict(os.environ)
    for key, value in {**ws.env, **extra}.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    limit = None if "ASAN_OPTIONS" in os.environ else 2 << 30

    def cap():
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        stdin.write((input or "").encode("utf-8"))
        stdin.seek(0)
        start = time.monotonic()
        proc = subprocess.Popen([os.environ["MAILER_BIN"], *args], env=env, stdin=stdin, stdout=out, stderr=err,
                                preexec_fn=cap)
        # wait4, not Popen.wait: it gives this child's own peak RSS.
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(args, proc.returncode, out.read().decode("utf-8", "replace"),
                                             err.read().decode("utf-8", "replace"))
    return result, elapsed, usage.ru_maxrss / 1024


class Fixture(unittest.TestCase):
    EXTRA_CONFIG = ""

    def setUp(self):
        self.smtp = self.enterContext(smtp_server())
        self.ws = self.enterContext(Workspace(smtp_url=self.smtp.url, extra_config=self.EXTRA_CONFIG))
        self.ws.superuser()

    def write(self, name, text):
        path = self.ws.root / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    def assert_fails(self, code, *args, mentions=(), **kwargs):
        proc = self.ws.run(*args, **kwargs)
        self.assertEqual(proc.returncode, code, proc.stdout + proc.stderr)
        self.assertRegex(proc.stderr, r"^mailer: ")
        for word in mentions:
            self.assertIn(word, proc.stderr)
        return proc

    def count(self, table):
        return self.ws.sql("SELECT count(*) FROM {}".format(table))[0][0]


class BodyEncodingTest(Fixture):
    """What a real SMTP server receives, decoded by Python's email package."""

    def deliver(self, body, html=None):
        ids = add_clients(self.ws, [("ivan@example.com", "Иван Петров")])
        msg = add_message(self.ws, "Скидки для {{name}}", body, html=html)
        m = add_mailing(self.ws, msg, clients=ids.values(), now=T0)["id"]
        self.ws.ok("send", str(m), env=at(T0))
        raws = self.smtp.raw_messages()
        self.assertEqual(len(raws), 1)
        return raws[0]

    def test_a_russian_body_goes_base64_and_is_a_third_of_the_size(self):
        raw = self.deliver(RUSSIAN_BODY)
        msg = parse(raw)
        self.assertEqual(msg["Content-Transfer-Encoding"], "base64")
        expected = RUSSIAN_BODY.replace("{{name}}", "Иван Петров")
        self.assertEqual(text_of(msg), expected)
        # Base64's 4/3 (plus CRLF every 76): about 2.9 KB for the 2,120 bytes of UTF-8, where
        # quoted-printable made the whole message 5.6 KB.
        body = raw.split(b"\r\n\r\n", 1)[1]
        self.assertLess(len(body), len(expected.encode("utf-8")) * 1.4 + 80)
        self.assertLess(len(raw), 3600)
        for line in body.rstrip(b"\r\n").split(b"\r\n")[:-1]:
            self.assertEqual(len(line), 76)

    def test_each_part_takes_the_shorter_encoding_and_every_part_decodes(self):
        raw = self.deliver(RUSSIAN_BODY, html=HTML)
        msg = parse(raw)
        text, html = list(msg.iter_parts())
        self.assertEqual(text_of(text), RUSSIAN_BODY.replace("{{name}}", "Иван Петров"))
        self.assertEqual(text_of(html), HTML.replace("{{name}}", "Иван Петров"))
        for part in (text, html):
            with self.subTest(part=part.get_content_type()):
                qp, b64 = encoded_sizes(text_of(part))
                used = part["Content-Transfer-Encoding"]
                shorter = "base64" if b64 < qp else "quoted-printable"
                # Python's encoders break lines a little differently: a near tie may go either way.
                if abs(qp - b64) > 0.03 * min(qp, b64):
                    self.assertEqual(used, shorter, (qp, b64))
        self.assertEqual(text["Content-Transfer-Encoding"], "base64")
        self.assertEqual(html["Content-Transfer-Encoding"], "quoted-printable")

    def test_an_english_body_stays_quoted_printable(self):
        body = ("Hello {{name}},\n\nEverything is 20% off this week: shoes, coats, hats and bags. "
                "Free delivery for orders over 3,000 roubles, and a small gift with every order.\n"
                "See you soon!\n")
        msg = parse(self.deliver(body))
        self.assertEqual(msg["Content-Transfer-Encoding"], "quoted-printable")
        self.assertEqual(text_of(msg), body.replace("{{name}}", "Иван Петров"))


class RenderTest(Fixture):
    """`message show ID --render`: the copy a recipient would get, without sending it."""

    EXTRA_CONFIG = '[tracking]\nbase_url = "https://mail.example.com"\n'
    SUBJECT = "{{name}}, скидка 20%"
    BODY = "Здравствуйте, {{name}}!\nВаш адрес: {{email}}.\nОтписаться: {{unsubscribe_url}}\n"
    HTML = "<p>Здравствуйте, {{name}}!</p>\n<a href=\"{{unsubscribe_url}}\">Отписаться</a>\n"

    def setUp(self):
        super().setUp()
        self.client = add_clients(self.ws, [("petr@example.com", "Пётр <Ш>")])["petr@example.com"]
        self.message = add_message(self.ws, self.SUBJECT, self.BODY, html=self.HTML)
        self.text_only = add_message(self.ws, "Тема", "Только текст, {{name}}.")

    def render(self, *args, env=None):
        return self.ws.ok("message", "show", str(self.message), *args, env=env)

    def test_render_is_what_send_delivers_to_that_client(self):
        proc, _, _ = run_measured(self.ws, "message", "show", str(self.message), "--render", "--client",
                                  str(self.client), env=at(T0))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        shown = parse(proc.stdout.encode("utf-8"))
        # The exact bytes: CRLF line endings only, as on the wire.
        self.assertNotRegex(proc.stdout, r"(?<!\r)\n")
        m = add_mailing(self.ws, self.message, clients=[self.client], now=T0)["id"]
        self.ws.ok("send", str(m), env=at(T0))
        sent = parse(self.smtp.raw_messages()[0])
        for header in ("From", "To", "Subject", "MIME-Version", "List-Unsubscribe-Post", "Date"):
            self.assertEqual(str(shown[header]), str(sent[header]), header)
        self.assertEqual(str(shown["From"]), "Магазин <news@shop.example>")
        self.assertEqual(shown["To"].addresses[0].display_name, "Пётр <Ш>")
        self.assertEqual(str(shown["Subject"]), "Пётр <Ш>, скидка 20%")
        self.assertEqual(email.utils.parsedate_to_datetime(str(shown["Date"])).isoformat(),
                         "2027-03-01T10:00:00+03:00")
        self.assertRegex(str(shown["List-Unsubscribe"]), r"^<https://mail\.example\.com/u/\S+>$")
        shown_parts = [text_of(p) for p in shown.iter_parts()]
        sent_parts = [text_of(p) for p in sent.iter_parts()]
        # Only the token (of the unsubscribe link and the open pixel) differs: a preview
        # belongs to no run.
        token = str(sent["List-Unsubscribe"])[1:-1].rsplit("/", 1)[1]
        placeholder = str(shown["List-Unsubscribe"])[1:-1].rsplit("/", 1)[1]
        self.assertEqual([p.replace(placeholder, token) for p in shown_parts], sent_parts)
        self.assertIn("Здравствуйте, Пётр &lt;Ш&gt;!", shown_parts[1])

    def test_without_client_it_renders_for_a_sample_recipient_and_says_so(self):
        proc = self.render("--render")
        shown = parse(proc.stdout.encode("utf-8"))
        self.assertEqual(str(shown["To"]), "Иван Петров <ivan.petrov@example.com>")
        self.assertIn("sample recipient, Иван Петров <ivan.petrov@example.com>", proc.stderr)
        self.assertEqual(text_of(list(shown.iter_parts())[0]).split("\n")[0], "Здравствуйте, Иван Петров!")

    def test_part_prints_one_rendered_body(self):
        text = self.render("--part", "text", "--client", str(self.client)).stdout
        self.assertTrue(text.startswith("Здравствуйте, Пётр <Ш>!\nВаш адрес: petr@example.com.\n"
                                        "Отписаться: https://mail.example.com/u/"), text)
        html = self.render("--part", "html", "--client", str(self.client)).stdout
        self.assertTrue(html.startswith("<p>Здравствуйте, Пётр &lt;Ш&gt;!</p>\n<a href=\"https://"), html)
        plain = self.ws.ok("message", "show", str(self.text_only), "--part", "text").stdout
        self.assertEqual(plain, "Только текст, Иван Петров.\n")

    def test_json_gives_subject_text_html_and_mime(self):
        data = self.ws.json("message", "show", str(self.message), "--render", "--client", str(self.client))
        self.assertEqual(data["subject"], "Пётр <Ш>, скидка 20%")
        self.assertTrue(data["text"].startswith("Здравствуйте, Пётр <Ш>!\n"))
        self.assertTrue(data["html"].startswith("<p>Здравствуйте, Пётр &lt;Ш&gt;!</p>"))
        mime = parse(data["mime"].encode("utf-8"))
        self.assertEqual(text_of(list(mime.iter_parts())[0]), data["text"])
        self.assertEqual(data["to"], {"email": "petr@example.com", "name": "Пётр <Ш>", "client": self.client})
        other = self.ws.json("message", "show", str(self.text_only), "--render")
        self.assertIsNone(other["html"])
        self.assertEqual(other["to"]["client"], None)

    def test_render_mistakes_are_refused(self):
        self.assert_fails(EX_NOINPUT, "message", "show", str(self.text_only), "--part", "html", mentions=("HTML",))
        self.assert_fails(EX_USAGE, "message", "show", str(self.message), "--part", "pdf")
        self.assert_fails(EX_NOINPUT, "message", "show", str(self.message), "--client", "999")
        self.assert_fails(EX_USAGE, "--json", "message", "show", str(self.message), "--part", "text")

    def test_plain_show_is_unchanged(self):
        out = self.ws.ok("message", "show", str(self.message)).stdout
        self.assertRegex(out, r"(?m)^html:\s+\d+ bytes$")


class TemplateRulesTest(Fixture):
    """What `message add` and `message edit` refuse, leaving the database as it was."""

    def test_unsubscribe_url_without_tracking_base_url_is_refused(self):
        before = self.count("message")
        for args in (["--subject", "S", "--body", "Отписаться: {{unsubscribe_url}}"],
                     ["--subject", "{{unsubscribe_url}}", "--body", "b"],
                     ["--subject", "S", "--body", "b", "--html-file",
                      self.write("u.html", '<a href="{{{unsubscribe_url}}}">x</a>')]):
            with self.subTest(args=args):
                self.assert_fails(EX_DATAERR, "message", "add", *args, mentions=("tracking.base_url",))
        self.assertEqual(self.count("message"), before)
        m = add_message(self.ws, "S", "Текст")
        self.assert_fails(EX_DATAERR, "message", "edit", str(m), "--body", "x {{unsubscribe_url}}",
                          mentions=("tracking.base_url",))
        self.assertEqual(self.ws.sql("SELECT body_text FROM message WHERE id = {}".format(m)), [("Текст",)])
        # Guarded by its own section, it renders only when there is a link: accepted.
        add_message(self.ws, "S", "{{#unsubscribe_url}}Отписаться: {{unsubscribe_url}}{{/unsubscribe_url}}")

    def test_unsubscribe_url_with_tracking_base_url_is_accepted(self):
        text = self.ws.config_path.read_text(encoding="utf-8")
        self.ws.config_path.write_text(text + '[tracking]\nbase_url = "https://mail.example.com"\n',
                                       encoding="utf-8")
        add_message(self.ws, "S", "Отписаться: {{unsubscribe_url}}")

    def test_twenty_thousand_nested_sections_are_refused_at_once_in_little_memory(self):
        n = 20000
        body = "{{#name}}" * n + "x" + "{{/name}}" * n  # the 360 KB body
        before = self.count("message")
        proc, seconds, rss = run_measured(self.ws, "message", "add", "--subject", "S", "--body-file", "-",
                                          input=body)
        self.assertEqual(proc.returncode, EX_DATAERR, proc.stderr[-500:])
        self.assertIn("nested more than 32 deep", proc.stderr)
        self.assertLess(seconds, 1.0)
        self.assertLess(rss, 200)
        self.assertEqual(self.count("message"), before)

    def test_a_stored_hostile_body_fails_cleanly_instead_of_crashing(self):
        """A row written before the caps: every path that composes it says why, no crash."""
        ids = add_clients(self.ws, [("ivan@example.com", "Иван")])
        m = add_message(self.ws, "S", "ok")
        write_sql(self.ws, "UPDATE message SET body_text = ? WHERE id = ?",
                  ("{{#name}}" * 20000 + "x" + "{{/name}}" * 20000, m))
        proc, _, _ = run_measured(self.ws, "message", "show", str(m), "--render")
        self.assertEqual(proc.returncode, EX_DATAERR, proc.stderr[-500:])
        self.assertIn("body_text: template error: sections nested more than 32 deep", proc.stderr)
        mailing = add_mailing(self.ws, m, clients=ids.values(), now=T0)["id"]
        proc, _, _ = run_measured(self.ws, "send", str(mailing))
        self.assertGreater(proc.returncode, 0, "a signal, not an error: {}".format(proc.returncode))
        self.assertIn("nested more than 32 deep", proc.stderr)
        self.assertEqual(copies(self.smtp), {})

    def test_bodies_over_one_mebibyte_are_refused(self):
        mib = 1 << 20
        add_message(self.ws, "S", "x", html=None)
        ok = self.ws.json("message", "add", "--subject", "S", "--body-file", self.write("b.txt", "я" * (mib // 2)))
        self.assertEqual(len(ok["body_text"].encode("utf-8")), mib)
        before = self.count("message")
        self.assert_fails(EX_DATAERR, "message", "add", "--subject", "S", "--body-file",
                          self.write("big.txt", "x" * (mib + 1)), mentions=("--body", "1 MiB"))
        self.assert_fails(EX_DATAERR, "message", "add", "--subject", "S", "--body", "b", "--html-file",
                          self.write("big.html", "<p>" + "x" * mib + "</p>"), mentions=("--html-file", "1 MiB"))
        self.assertEqual(self.count("message"), before)


class MessageRmJsonTest(Fixture):
    def test_rm_json_prints_the_removed_ids(self):
        a, b = add_message(self.ws, "A", "a"), add_message(self.ws, "B", "b")
        self.assertEqual(self.ws.json("message", "rm", str(a), str(b), str(a)), {"removed": [a, b]})
        self.assertEqual(self.count("message"), 0)


class HeaderLimitTest(Fixture):
    """Generated headers stay within 998 octets a line, or the message is not sent at all."""

    def with_base_url(self, length):
        base = "https://mail.example.com/"
        base += "p" * (length - len(base))
        text = self.ws.config_path.read_text(encoding="utf-8")
        self.ws.config_path.write_text(text + '[tracking]\nbase_url = "{}"\n'.format(base), encoding="utf-8")
        probe = self.ws.run("message", "list")
        if probe.returncode == EX_CONFIG:
            self.skipTest("the config refuses a base_url this long: " + probe.stderr.strip())
        return base

    def send(self):
        ids = add_clients(self.ws, [("ivan@example.com", "Иван")])
        m = add_mailing(self.ws, add_message(self.ws, "S", "Текст"), clients=ids.values(), now=T0)["id"]
        return self.ws.run("send", str(m), env=at(T0))

    def test_a_long_unsubscribe_url_moves_to_a_line_of_its_own(self):
        base = self.with_base_url(945)  # URL ~985: "List-Unsubscribe: <URL>" would be ~1,005
        proc = self.send()
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        raw = self.smtp.raw_messages()[0]
        for line in raw.split(b"\r\n"):
            self.assertLessEqual(len(line), 998)
        self.assertIn(b"\r\nList-Unsubscribe:\r\n <" + base.encode(), raw)
        url = str(parse(raw)["List-Unsubscribe"]).strip()
        self.assertRegex(url, r"^<{}/u/\S+>$".format(base))

    def test_an_unsendable_header_fails_the_send_naming_it(self):
        self.with_base_url(1500)
        proc = self.send()
        self.assertEqual(proc.returncode, EX_DATAERR, proc.stdout + proc.stderr)
        self.assertIn("List-Unsubscribe header", proc.stderr)
        self.assertIn("tracking.base_url", proc.stderr)
        self.assertEqual(self.smtp.raw_messages(), [])
        self.assertEqual(self.smtp.events("reject"), [])


if __name__ == "__main__":
    unittest.main()
