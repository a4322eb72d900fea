"""`mailer send`: what arrives at a real SMTP server on 127.0.0.1, parsed with Python's email
package, and the schedule driven through MAILER_NOW (SPEC §3, issue 3 points 1, 3, 4, 5, 7).

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_send.py -v
"""

import base64
import datetime
import email
import email.header
import email.policy
import os
import quopri
import re
import subprocess
import tempfile
import unittest

from mailtest import smtp_server
from sendkit import (SUMMARY, T0, add_clients, add_mailing, add_message, at, attempts, copies,
                     mailing, summary, write_sql)
from workspace import Workspace

FROM_DOMAIN = "shop.example"
# A line of 1,500 octets in the text body: the encoder has to fold it to stay under 998.
LONG_WORDS = "распродажа" * 75
SUBJECT = "{{name}}, специальное предложение недели: скидки до 50% на всё — только до воскресенья!"
BODY = "Здравствуйте, {{name}}!\n\nВаш адрес: {{email}}.\n" + LONG_WORDS + "\nДо встречи.\n"


def render(template, name, email_address):
    return template.replace("{{name}}", name).replace("{{email}}", email_address)


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def text_of(part):
    """A text part's decoded content with the line endings a reader sees."""
    return part.get_content().replace("\r\n", "\n")


class RawFormMixin:
    def assert_wire_format(self, raw):
        """CRLF line endings only, no line over 998 octets, no encoded word over 75 chars."""
        self.assertNotRegex(raw, rb"(?<!\r)\n", "a bare LF in the message")
        self.assertNotRegex(raw, rb"\r(?!\n)", "a bare CR in the message")
        for line in raw.split(b"\r\n"):
            self.assertLessEqual(len(line), 998, line[:80])
        head = raw.split(b"\r\n\r\n", 1)[0]
        for word in re.findall(rb"=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=", head):
            self.assertLessEqual(len(word), 75, word)  # RFC 2047 section 2
            # Section 5: each encoded word holds whole characters, never half of one.
            charset, encoding, text = word[2:-2].split(b"?")
            if encoding.upper() == b"B":
                data = base64.b64decode(text)
            else:
                data = quopri.decodestring(text.replace(b"_", b" "), header=True)
            data.decode(charset.decode("ascii"))  # raises on a split character


class DeliveryTest(RawFormMixin, unittest.TestCase):
    """A mailing to groups and direct clients, as the recipients' mail programs see it."""

    PEOPLE = [("ivan@example.com", "Иван Петров"), ("anna@example.com", "Анна Смирнова"),
              ("boris@example.com", "Борис"), ("outsider@example.com", "Не в рассылке")]

    def setUp(self):
        self.smtp = self.enterContext(smtp_server())
        self.ws = self.enterContext(Workspace(smtp_url=self.smtp.url))
        self.ws.superuser()
        ids = add_clients(self.ws, self.PEOPLE[:1], group="g1")
        self.ws.ok("group", "add", "g2")
        self.ws.ok("group", "add-member", "g2", str(ids["ivan@example.com"]))
        ids.update(add_clients(self.ws, self.PEOPLE[1:2], group="g1"))
        ids.update(add_clients(self.ws, self.PEOPLE[2:3], group="g2"))
        ids.update(add_clients(self.ws, self.PEOPLE[3:], group="g3"))
        self.ids = ids
        self.message = add_message(self.ws, SUBJECT, BODY)
        # Ivan: listed directly and through both groups.
        self.mailing = add_mailing(self.ws, self.message, clients=[ids["ivan@example.com"]],
                                   groups=["g1", "g2"], now=T0)["id"]
        self.expected = {e: n for e, n in self.PEOPLE[:3]}

    def send(self):
        proc = self.ws.run("send", str(self.mailing), env=at(T0))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc

    def test_each_recipient_gets_exactly_one_copy(self):
        proc = self.send()
        self.assertEqual(copies(self.smtp), {e: 1 for e in self.expected})
        match = SUMMARY.search(proc.stdout)
        self.assertIsNotNone(match, "no summary line on stdout: " + proc.stdout)
        self.assertEqual(match.groups(), ("3", "0", "0", "0"))
        self.assertEqual(len(SUMMARY.findall(proc.stdout)), 1, proc.stdout)

    def test_headers_and_body_decode_as_written(self):
        self.send()
        raws = self.smtp.raw_messages()
        self.assertEqual(len(raws), 3)
        message_ids = set()
        for raw in raws:
            self.assert_wire_format(raw)
            msg = parse(raw)
            rcpt = msg["Delivered-To"]
            name = self.expected[rcpt]
            with self.subTest(rcpt=rcpt):
                self.assertEqual(msg["Return-Path"], "<news@shop.example>")
                self.assertEqual(msg["Date"].datetime,
                                 datetime.datetime.fromisoformat("2027-03-01T10:00:00+03:00"))
                self.assertRegex(msg["Message-ID"], r"^<[^@<>\s]+@" + re.escape(FROM_DOMAIN) + ">$")
                message_ids.add(msg["Message-ID"])
                sender = msg["From"].addresses
                self.assertEqual(len(sender), 1)
                self.assertEqual((sender[0].display_name, sender[0].addr_spec),
                                 ("Магазин", "news@shop.example"))
                to = msg["To"].addresses
                self.assertEqual(len(to), 1)
                self.assertEqual((to[0].display_name, to[0].addr_spec), (name, rcpt))
                self.assertEqual(str(msg["Subject"]), render(SUBJECT, name, rcpt))
                self.assertEqual(msg["MIME-Version"], "1.0")
                self.assertEqual(msg.get_content_type(), "text/plain")
                self.assertEqual(msg.get_content_charset(), "utf-8")
                self.assertIn(msg["Content-Transfer-Encoding"].lower(),
                              ("quoted-printable", "base64"))
                self.assertEqual(text_of(msg).rstrip("\n"), render(BODY, name, rcpt).rstrip("\n"))
                self.assertIsNone(msg["List-Unsubscribe"])
                self.assertIsNone(msg["List-Unsubscribe-Post"])
                for header in ("Date", "Message-ID", "From", "To", "Subject", "MIME-Version"):
                    self.assertEqual(len(msg.get_all(header)), 1, header)
        self.assertEqual(len(message_ids), 3, "Message-IDs repeat")

    def test_attempt_log_has_the_servers_reply(self):
        self.send()
        log = attempts(self.ws, self.mailing)
        self.assertEqual(sorted(a["email"] for a in log), sorted(self.expected))
        queued = {}
        for event in self.smtp.events("message"):
            for rcpt in event["rcpt_tos"]:
                queued[rcpt] = "250 2.0.0 Ok: queued as " + event["queue_id"]
        for a in log:
            with self.subTest(email=a["email"]):
                self.assertEqual(a["status"], "sent")
                self.assertEqual(a["smtp_code"], 250)
                self.assertEqual(a["server_response"], queued[a["email"]])
                self.assertEqual(a["mailing"], self.mailing)
                self.assertEqual(a["client"], self.ids[a["email"]])
                self.assertEqual(a["at"], "2027-03-01T10:00:00+03:00")
        only_sent = self.ws.json("report", "attempts", "--status", "sent")
        self.assertEqual(len(only_sent), 3)
        self.assertEqual(self.ws.json("report", "attempts", "--status", "bounced"), [])

    def test_once_mailing_is_finished_and_not_sent_again(self):
        self.assertEqual(mailing(self.ws, self.mailing)["status"], "created")
        self.send()
        shown = mailing(self.ws, self.mailing)
        self.assertEqual(shown["status"], "finished")
        self.assertIsNone(shown["next_run_at"])
        proc = self.ws.run("send", "--due", env=at("2027-03-02T10:00:00"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(self.smtp.message_files()), 3)
        self.assertEqual(len(attempts(self.ws)), 3)

    def test_dry_run_lists_recipients_and_sends_nothing(self):
        proc = self.ws.run("send", str(self.mailing), "--dry-run", env=at(T0))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for rcpt, name in self.expected.items():
            self.assertEqual(proc.stdout.count(rcpt), 1, proc.stdout)
        self.assertNotIn("outsider@example.com", proc.stdout)
        self.assertIn("Иван Петров, специальное", proc.stdout)  # the rendered subject
        due = self.ws.run("send", "--due", "--dry-run", env=at(T0))
        self.assertEqual(due.returncode, 0, due.stderr)
        for rcpt in self.expected:
            self.assertIn(rcpt, due.stdout)
        self.assertEqual(self.smtp.message_files(), [])
        self.assertEqual(self.smtp.connections(), 0)
        self.assertEqual(self.ws.sql("SELECT count(*) FROM attempt"), [(0,)])
        self.assertEqual(self.ws.sql("SELECT count(*) FROM run"), [(0,)])
        self.assertEqual(attempts(self.ws), [])
        self.assertEqual(mailing(self.ws, self.mailing)["status"], "created")
        # and the real send still has everything to do
        self.send()
        self.assertEqual(copies(self.smtp), {e: 1 for e in self.expected})

    def test_unsubscribed_client_is_not_sent_to(self):
        write_sql(self.ws, "UPDATE client SET unsubscribed_at = 1800000000 WHERE email = ?",
                  ("anna@example.com",))
        self.send()
        self.assertEqual(copies(self.smtp), {"ivan@example.com": 1, "boris@example.com": 1})
        self.assertNotIn("anna@example.com", [a["email"] for a in attempts(self.ws)])
        dry = self.ws.run("send", str(self.mailing), "--dry-run", env=at(T0))
        self.assertNotIn("anna@example.com", dry.stdout)

    def test_disabled_mailing_is_not_sent(self):
        self.ws.ok("mailing", "disable", str(self.mailing))
        proc = self.ws.run("send", str(self.mailing), env=at(T0))
        self.assertEqual(proc.returncode, 77, proc.stdout + proc.stderr)
        self.assertRegex(proc.stderr, r"^mailer: .*disabled")
        due = self.ws.run("send", "--due", env=at(T0))
        self.assertEqual(due.returncode, 0, due.stderr)
        self.assertEqual(self.smtp.message_files(), [])
        self.assertEqual(attempts(self.ws), [])
        self.ws.ok("mailing", "enable", str(self.mailing))
        self.ws.ok("send", "--due", env=at(T0))
        self.assertEqual(copies(self.smtp), {e: 1 for e in self.expected})

    def test_blocked_owners_mailing_is_skipped_by_send_due(self):
        self.ws.ok("user", "create-superuser", "other@example.com", "--password-stdin",
                   input="other password\n")
        self.ws.login("other@example.com", "other password")
        theirs = add_clients(self.ws, [("client-of-other@example.com", "Пётр")])
        msg = add_message(self.ws, "От другого", "Текст")
        other = add_mailing(self.ws, msg, clients=theirs.values(), now=T0)["id"]
        self.ws.login("owner@example.com")
        self.ws.ok("user", "block", "other@example.com")
        proc = self.ws.run("send", "--due", env=at(T0))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(copies(self.smtp), {e: 1 for e in self.expected})
        self.assertEqual(attempts(self.ws, other), [])
        self.assertNotEqual(mailing(self.ws, other)["status"], "finished")
        self.ws.ok("user", "unblock", "other@example.com")
        self.ws.ok("send", "--due", env=at("2027-03-01T10:05:00"))
        self.assertEqual(copies(self.smtp)["client-of-other@example.com"], 1)


class HtmlAndTrackingTest(RawFormMixin, unittest.TestCase):
    NAME = "Иван <b>&"
    HTML = ('<html><body><p>Здравствуйте, {{name}}!</p>'
            '<p>Ваш адрес: {{email}}</p></body></html>')

    def deliver(self, extra_config="", body="Здравствуйте, {{name}}!\n"):
        smtp = self.enterContext(smtp_server())
        ws = self.enterContext(Workspace(smtp_url=smtp.url, extra_config=extra_config))
        ws.superuser()
        ids = add_clients(ws, [("ivan@example.com", self.NAME), ("anna@example.com", "Анна")])
        msg = add_message(ws, "Для {{name}}", body, html=self.HTML)
        m = add_mailing(ws, msg, clients=ids.values(), now=T0)["id"]
        ws.ok("send", str(m), env=at(T0))
        raws = smtp.raw_messages()
        self.assertEqual(len(raws), 2)
        return {parse(r)["Delivered-To"]: r for r in raws}

    def test_html_message_is_multipart_alternative_escaped_only_in_html(self):
        raw = self.deliver()["ivan@example.com"]
        self.assert_wire_format(raw)
        msg = parse(raw)
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        parts = list(msg.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts], ["text/plain", "text/html"])
        text, html = parts
        for part in parts:
            self.assertEqual(part.get_content_charset(), "utf-8")
        self.assertEqual(text_of(text).rstrip("\n"), "Здравствуйте, Иван <b>&!")
        html_text = text_of(html)
        self.assertIn("Здравствуйте, Иван &lt;b&gt;&amp;!", html_text)
        self.assertNotIn("<b>", html_text)
        self.assertIn("ivan@example.com", html_text)
        self.assertEqual(str(msg["Subject"]), "Для Иван <b>&")
        self.assertEqual(msg["To"].addresses[0].display_name, self.NAME)
        self.assertEqual(msg["To"].addresses[0].addr_spec, "ivan@example.com")
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertIsNone(msg["List-Unsubscribe"])

    def test_list_unsubscribe_only_with_tracking_base_url(self):
        raws = self.deliver('[tracking]\nbase_url = "https://mail.example.com"\n',
                            body="Здравствуйте, {{name}}!\nОтписаться: {{unsubscribe_url}}\n")
        urls = set()
        for rcpt, raw in raws.items():
            self.assert_wire_format(raw)
            msg = parse(raw)
            with self.subTest(rcpt=rcpt):
                self.assertEqual(len(msg.get_all("List-Unsubscribe")), 1)
                match = re.fullmatch(r"<(https://mail\.example\.com/\S+)>",
                                     str(msg["List-Unsubscribe"]))
                self.assertIsNotNone(match, msg["List-Unsubscribe"])
                self.assertEqual(msg["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
                url = match.group(1)
                urls.add(url)
                # {{unsubscribe_url}} in the body is the same link.
                text = text_of(msg.get_body(("plain",)))
                self.assertIn("Отписаться: " + url, text)
        self.assertEqual(len(urls), 2, "each recipient needs a link of their own")


class HeaderEncodingTest(RawFormMixin, unittest.TestCase):
    """Names that need quoting or several encoded words still come out as written."""

    PEOPLE = [("a@example.com", "Smith, John"), ("b@example.com", 'John "Johnny" O\'Brien'),
              ("c@example.com", "Ann (Sales) <boss>"), ("d@example.com", "Петров, Иван"),
              ("e@example.com", "Очень длинное имя получателя рассылки, которое не поместится")]

    def test_names_with_specials_and_long_names(self):
        smtp = self.enterContext(smtp_server())
        ws = self.enterContext(Workspace(smtp_url=smtp.url))
        ws.superuser()
        ids = add_clients(ws, self.PEOPLE)
        m = add_mailing(ws, add_message(ws, "{{name}}: новости", "Текст"), clients=ids.values(),
                        now=T0)["id"]
        ws.ok("send", str(m), env=at(T0))
        raws = smtp.raw_messages()
        self.assertEqual(len(raws), len(self.PEOPLE))
        names = dict(self.PEOPLE)
        for raw in raws:
            self.assert_wire_format(raw)
            msg = parse(raw)
            rcpt = msg["Delivered-To"]
            with self.subTest(rcpt=rcpt):
                self.assertEqual(str(msg["Subject"]), names[rcpt] + ": новости")
                self.assertEqual(rfc2047_mailbox(msg, "To"), (names[rcpt], rcpt))


def rfc2047_mailbox(msg, header):
    """(display name, address) of a one-mailbox header, decoded by RFC 2047 section 6.2 rules.
    Python's structured parser keeps the folding space between two encoded words of one
    display name ("Ива н"), which RFC 2047 says to drop; email.header does it right."""
    [raw] = [v for k, v in msg.raw_items() if k.lower() == header.lower()]
    unfolded = re.sub(r"\r?\n[ \t]", " ", raw).strip()
    match = re.fullmatch(r"(.*?)\s*<([^<>]+)>", unfolded)
    phrase, address = match.groups()
    if "=?" not in phrase:  # a plain or quoted phrase: the structured parser is right
        return msg[header].addresses[0].display_name, address
    return str(email.header.make_header(email.header.decode_header(phrase))), address


class TransportTest(unittest.TestCase):
    """smtp.connections parallel connections, each reused; smtp.rate_per_second (issue 3, 2)."""

    def deliver(self, people, slow_seconds=2.0, **workspace):
        smtp = self.enterContext(smtp_server(slow_seconds=slow_seconds))
        ws = self.enterContext(Workspace(smtp_url=smtp.url, **workspace))
        ws.superuser()
        ids = add_clients(ws, [(e, "Имя") for e in people])
        m = add_mailing(ws, add_message(ws, "Тема", "Текст"), clients=ids.values(), now=T0)["id"]
        proc = ws.run("send", str(m), env=at(T0))
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(copies(smtp), {e: 1 for e in people})
        return smtp

    def test_connections_are_reused_for_many_messages(self):
        smtp = self.deliver(["r{:02d}@example.com".format(i) for i in range(40)], connections=2)
        self.assertLessEqual(smtp.connections(), 2)
        per_connection = {}
        for event in smtp.events("message"):
            per_connection[event["conn"]] = per_connection.get(event["conn"], 0) + 1
        self.assertEqual(sum(per_connection.values()), 40)

    def test_one_send_due_keeps_its_connections_from_one_mailing_to_the_next(self):
        smtp = self.enterContext(smtp_server())
        ws = self.enterContext(Workspace(smtp_url=smtp.url, connections=2))
        ws.superuser()
        people = ["r{:02d}@example.com".format(i) for i in range(10)]
        ids = add_clients(ws, [(e, "Имя") for e in people])
        for subject in ("Первая", "Вторая", "Третья"):
            add_mailing(ws, add_message(ws, subject, "Текст"), clients=ids.values(), now=T0)
        proc = ws.run("send", "--due", env=at(T0))
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(copies(smtp), {e: 3 for e in people})
        self.assertLessEqual(smtp.connections(), 2)

    def test_cyrillic_domains_reach_a_server_without_smtputf8(self):
        # .рф addresses are common here; many servers do not offer SMTPUTF8. The envelope
        # carries the domain in punycode, which any server takes.
        smtp = self.enterContext(smtp_server(extra_args=["--no-smtputf8"]))
        ws = self.enterContext(Workspace(smtp_url=smtp.url, connections=1))
        config = ws.config_path.read_text(encoding="utf-8")
        ws.config_path.write_text(re.sub(r'(?m)^from = .*$', 'from = "Магазин <news@магазин.рф>"',
                                         config), encoding="utf-8")
        ws.superuser()
        ids = add_clients(ws, [("ann@почта.рф", "Анна"), ("ivan@example.com", "Иван")])
        m = add_mailing(ws, add_message(ws, "Тема", "Текст"), clients=ids.values(), now=T0)["id"]
        proc = ws.run("send", str(m), env=at(T0))
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(copies(smtp), {"ann@xn--80a1acny.xn--p1ai": 1, "ivan@example.com": 1})
        self.assertEqual({e["mail_from"] for e in smtp.events("message")},
                         {"news@xn--80aairftm.xn--p1ai"})
        # The attempt log and the client list keep the address as the user wrote it.
        self.assertEqual(sorted(a["email"] for a in attempts(ws, m)),
                         ["ann@почта.рф", "ivan@example.com"])

    def test_slow_replies_are_awaited_in_parallel(self):
        smtp = self.deliver(["slow{}@example.com".format(i) for i in range(8)], slow_seconds=0.5,
                            connections=4)
        times = sorted(e["time"] for e in smtp.events("message"))
        # One connection after another would need 8 x 0.5 s.
        self.assertLess(times[-1] - times[0], 2.5, times)
        self.assertGreaterEqual(len({e["conn"] for e in smtp.events("message")}), 2)

    def test_rate_limit_spaces_the_messages(self):
        smtp = self.deliver(["r{:02d}@example.com".format(i) for i in range(11)], connections=4,
                            rate_per_second=10)
        times = sorted(e["time"] for e in smtp.events("message"))
        self.assertGreaterEqual(times[-1] - times[0], 0.8, times)  # 10 gaps of 0.1 s


class TlsTest(unittest.TestCase):
    """smtp:// upgrades with STARTTLS when offered, smtps:// is TLS from the start; the
    server's certificate is checked (against smtp.ca_file here: a self-signed test CA)."""

    PEOPLE = ["r{}@example.com".format(i) for i in range(3)]

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory(prefix="mailer-tls-")
        cls.cert = os.path.join(cls.dir.name, "cert.pem")
        cls.key = os.path.join(cls.dir.name, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", cls.key, "-out", cls.cert],
                       check=True, capture_output=True, timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def send(self, mode, scheme, ca_file=True, auth=None, **workspace):
        smtp = self.enterContext(smtp_server(auth=auth, extra_args=[
            "--tls", mode, "--tls-cert", self.cert, "--tls-key", self.key]))
        if ca_file:
            workspace["ca_file"] = self.cert
        url = "{}://127.0.0.1:{}".format(scheme, smtp.port)
        ws = self.enterContext(Workspace(smtp_url=url, **workspace))
        ws.superuser()
        ids = add_clients(ws, [(e, "Имя") for e in self.PEOPLE])
        m = add_mailing(ws, add_message(ws, "Тема", "Текст"), clients=ids.values(), now=T0)["id"]
        env = at(T0)
        if auth:
            env["TEST_SMTP_PASSWORD"] = auth.split(":", 1)[1]
        return smtp, ws, ws.run("send", str(m), env=env)

    def assert_delivered_encrypted(self, smtp, proc):
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(copies(smtp), {e: 1 for e in self.PEOPLE})
        self.assertTrue(all(e["tls"] for e in smtp.events("message")), smtp.events("message"))

    def test_starttls_is_used_when_offered_and_the_login_goes_inside_it(self):
        # The server refuses MAIL and AUTH before STARTTLS: delivery proves the upgrade.
        smtp, _, proc = self.send("starttls", "smtp", auth="mailer:s3cret", username="mailer",
                                  password_env="TEST_SMTP_PASSWORD")
        self.assert_delivered_encrypted(smtp, proc)

    def test_smtps_speaks_tls_from_the_start(self):
        smtp, _, proc = self.send("implicit", "smtps")
        self.assert_delivered_encrypted(smtp, proc)

    def test_a_certificate_that_cannot_be_verified_sends_nothing(self):
        smtp, ws, proc = self.send("implicit", "smtps", ca_file=False)
        self.assertEqual(proc.returncode, 69, proc.stdout + proc.stderr)
        self.assertIn("TLS", proc.stderr)
        self.assertEqual(copies(smtp), {})
        self.assertTrue(all(a["status"] == "deferred" for a in attempts(ws)))

    def test_a_missing_ca_file_is_a_config_error_naming_the_key(self):
        with Workspace(ca_file="no-such-ca.pem") as ws:
            proc = ws.run("send", "--due")
            self.assertEqual(proc.returncode, 78, proc.stderr)
            self.assertRegex(proc.stderr, r"mailer\.toml:\d+: smtp\.ca_file: cannot read .*no-such-ca\.pem")


class ScheduleTest(unittest.TestCase):
    """`send --due` as cron runs it, with MAILER_NOW as the clock (TZ=Europe/Moscow)."""

    def setUp(self):
        self.smtp = self.enterContext(smtp_server())
        self.ws = self.enterContext(Workspace(smtp_url=self.smtp.url))
        self.ws.superuser()
        self.ids = add_clients(self.ws, [("a@example.com", "A"), ("b@example.com", "B")], group="g")
        self.message = add_message(self.ws, "Новости для {{name}}", "Текст")

    def tick(self, now):
        proc = self.ws.run("send", "--due", env=at(now))
        self.assertIn(proc.returncode, (0,), proc.stdout + proc.stderr)
        self.assertIsNotNone(SUMMARY.search(proc.stdout), proc.stdout)
        return proc

    def copies_each(self):
        counts = copies(self.smtp)
        self.assertEqual(set(counts) - {"a@example.com", "b@example.com"}, set())
        self.assertEqual(counts["a@example.com"], counts["b@example.com"], counts)
        return counts["a@example.com"]

    def runs(self):
        return self.ws.sql("SELECT count(*) FROM run")[0][0]

    def test_once_mailing_to_an_empty_group_finishes(self):
        self.ws.ok("group", "add", "nobody-yet")
        m = add_mailing(self.ws, self.message, groups=["nobody-yet"], now=T0)["id"]
        proc = self.tick(T0)
        self.assertEqual(summary(proc.stdout)["sent"], 0)
        self.tick("2027-03-01T10:01:00")
        self.assertEqual(mailing(self.ws, m)["status"], "finished")
        self.assertEqual(self.ws.sql("SELECT count(*) FROM run WHERE finished_at IS NULL"), [(0,)])
        self.assertEqual(copies(self.smtp), {})

    def test_daily_mailing_sends_once_per_slot_and_once_after_downtime(self):
        m = add_mailing(self.ws, self.message, groups=["g"], start="2027-03-01T09:00",
                        every="daily", now="2027-03-01T08:00:00")["id"]
        self.assertEqual(mailing(self.ws, m)["next_run_at"], "2027-03-01T09:00:00+03:00")
        self.tick("2027-03-01T08:59:30")
        self.assertEqual(self.copies_each(), 0)
        self.assertEqual(mailing(self.ws, m)["status"], "created")
        self.tick("2027-03-01T09:00:30")
        self.assertEqual(self.copies_each(), 1)
        shown = mailing(self.ws, m)
        self.assertEqual(shown["status"], "running")
        self.assertEqual(shown["next_run_at"], "2027-03-02T09:00:00+03:00")
        self.tick("2027-03-01T09:01:00")
        self.tick("2027-03-02T08:59:59")
        self.assertEqual(self.copies_each(), 1)
        self.tick("2027-03-02T09:00:30")
        self.assertEqual(self.copies_each(), 2)
        self.assertEqual(mailing(self.ws, m)["next_run_at"], "2027-03-03T09:00:00+03:00")
        # Three days without cron: one send, not a backlog of three.
        self.tick("2027-03-05T12:00:00")
        self.assertEqual(self.copies_each(), 3)
        self.assertEqual(self.runs(), 3)
        self.assertEqual(mailing(self.ws, m)["next_run_at"], "2027-03-06T09:00:00+03:00")
        self.tick("2027-03-05T12:01:00")
        self.tick("2027-03-06T08:59:00")
        self.assertEqual(self.copies_each(), 3)
        self.assertEqual(len(attempts(self.ws, m)), 6)

    def test_slot_after_end_finishes_the_mailing(self):
        m = add_mailing(self.ws, self.message, groups=["g"], start="2027-03-01T09:00",
                        end="2027-03-02T10:00", every="daily", now="2027-03-01T08:00:00")["id"]
        self.tick("2027-03-01T09:00:30")
        self.tick("2027-03-02T09:00:30")
        self.assertEqual(self.copies_each(), 2)
        shown = mailing(self.ws, m)
        self.assertEqual(shown["status"], "finished")
        self.assertIsNone(shown["next_run_at"])
        self.tick("2027-03-03T09:00:30")
        self.assertEqual(self.copies_each(), 2)

    def test_end_passed_while_down_sends_nothing_and_finishes(self):
        m = add_mailing(self.ws, self.message, groups=["g"], start="2027-03-01T09:00",
                        end="2027-03-03T10:00", every="daily", now="2027-03-01T08:00:00")["id"]
        self.tick("2027-03-01T09:00:30")
        self.assertEqual(self.copies_each(), 1)
        self.tick("2027-03-04T12:00:00")
        self.assertEqual(self.copies_each(), 1)
        self.assertEqual(mailing(self.ws, m)["status"], "finished")

    def test_once_mailing_waits_for_its_start(self):
        m = add_mailing(self.ws, self.message, groups=["g"], start="2027-03-01T09:00",
                        now="2027-03-01T08:00:00")["id"]
        self.tick("2027-03-01T08:59:59")
        self.assertEqual(self.copies_each(), 0)
        self.tick("2027-03-01T09:00:00")
        self.assertEqual(self.copies_each(), 1)
        self.assertEqual(mailing(self.ws, m)["status"], "finished")
        self.tick("2027-03-02T09:00:00")
        self.assertEqual(self.copies_each(), 1)

    def test_monthly_from_the_31st_clamps_to_the_months_end(self):
        m = add_mailing(self.ws, self.message, groups=["g"], start="2028-01-31T09:00",
                        every="monthly", now="2028-01-01T08:00:00")["id"]
        self.tick("2028-01-31T09:00:30")
        self.assertEqual(mailing(self.ws, m)["next_run_at"], "2028-02-29T09:00:00+03:00")
        self.tick("2028-02-29T09:00:30")
        self.assertEqual(mailing(self.ws, m)["next_run_at"], "2028-03-31T09:00:00+03:00")
        self.assertEqual(self.copies_each(), 2)

    def test_daily_slots_keep_wall_clock_time_across_dst(self):
        self.ws.env["TZ"] = "America/New_York"  # DST starts 2027-03-14 at 02:00
        nine = add_mailing(self.ws, self.message, groups=["g"], start="2027-03-13T09:00",
                           every="daily", now="2027-03-13T08:00:00")["id"]
        gap = add_mailing(self.ws, self.message, groups=["g"], start="2027-03-13T02:30",
                          every="daily", now="2027-03-13T01:00:00")["id"]
        self.tick("2027-03-13T09:00:30")
        self.assertEqual(mailing(self.ws, nine)["next_run_at"], "2027-03-14T09:00:00-04:00")
        self.assertEqual(mailing(self.ws, gap)["next_run_at"], "2027-03-14T03:30:00-04:00")
        self.tick("2027-03-14T09:00:30")
        self.assertEqual(mailing(self.ws, nine)["next_run_at"], "2027-03-15T09:00:00-04:00")
        self.assertEqual(mailing(self.ws, gap)["next_run_at"], "2027-03-15T02:30:00-04:00")
        self.assertEqual(self.copies_each(), 4)

    def test_send_id_on_a_daily_mailing_keeps_its_schedule(self):
        m = add_mailing(self.ws, self.message, groups=["g"], start="2027-03-01T09:00",
                        every="daily", now="2027-03-01T08:00:00")["id"]
        proc = self.ws.run("send", str(m), env=at("2027-03-01T08:10:00"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.copies_each(), 1)
        shown = mailing(self.ws, m)
        self.assertEqual(shown["next_run_at"], "2027-03-01T09:00:00+03:00")
        self.assertNotEqual(shown["status"], "finished")
        self.tick("2027-03-01T09:00:30")
        self.assertEqual(self.copies_each(), 2)


if __name__ == "__main__":
    unittest.main()
