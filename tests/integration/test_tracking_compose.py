"""Open and click tracking in what recipients receive (issue 10 item 5), decoded by Python's
email package and html.parser, and the signatures checked with Python's hmac against the
secret in the database: the pixel, the click redirects, what is never rewritten,
tracking.opens / tracking.clicks = false, no tracking without tracking.base_url, the
placeholder tokens of `message show --render` and `send --to`, and the secret made at init.

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_tracking_compose.py -v
"""

import email
import email.policy
import hashlib
import hmac
import html.parser
import re
import unittest
import urllib.parse

from mailtest import smtp_server
from sendkit import T0, add_clients, add_mailing, add_message, at
from workspace import Workspace

BASE = "https://mail.example.com"
TRACKING = '[tracking]\nbase_url = "{}/"\n'.format(BASE)
TEXT = ("Здравствуйте, {{name}}!\nКаталог: https://shop.example/catalogue?utm_source=mail\n"
        "{{#unsubscribe_url}}Отписаться: {{unsubscribe_url}}\n{{/unsubscribe_url}}")
HTML = ("<html><head><title>Скидки</title></head><body>\n"
        "<p>Здравствуйте, {{name}}!</p>\n"
        "<p><a href=\"https://shop.example/catalogue?utm_source=mail&amp;utm_medium=email\">Каталог</a></p>\n"
        "<p><A HREF='HTTP://Shop.Example/Sale'>Распродажа</A>"
        " <area shape=rect href=https://shop.example/map></p>\n"
        "<p><a href=\"https://shop.example/кат#x\">Категория</a></p>\n"
        "<p><a href=\"mailto:shop@example.com\">Написать</a> <a href=\"tel:+74950000000\">Позвонить</a>"
        " <a href=\"#top\">Наверх</a> <a href=\"/local\">Здесь</a></p>\n"
        "<!-- <a href=\"https://shop.example/hidden\">скрыто</a> -->\n"
        "{{#unsubscribe_url}}<p><a href=\"{{unsubscribe_url}}\">Отписаться</a></p>{{/unsubscribe_url}}\n"
        "</body></html>\n")
# The http(s) links of HTML as a browser reads them, in order.
WEB_LINKS = ["https://shop.example/catalogue?utm_source=mail&utm_medium=email", "HTTP://Shop.Example/Sale",
             "https://shop.example/map", "https://shop.example/кат#x"]
OTHER_LINKS = ["mailto:shop@example.com", "tel:+74950000000", "#top", "/local"]
PEOPLE = [("ivan@example.com", "Иван Петров"), ("anna@example.com", "Анна")]


class Links(html.parser.HTMLParser):
    """The href of each <a> and <area> and the src of each <img>, references decoded."""

    def __init__(self, text):
        super().__init__()
        self.hrefs, self.images = [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "area") and "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs)

    handle_startendtag = handle_starttag


def mac(key, message):
    """tracking.cpp's MAC: HMAC-SHA256 keyed with the hex text of the secret, its first 16
    bytes in lowercase hex."""
    return hmac.new(key.encode("ascii"), message.encode("utf-8"), hashlib.sha256).digest()[:16].hex()


def click_url(key, token, url):
    return "{}/c/{}/{}?u={}".format(BASE, token, mac(key, "click\n{}\n{}".format(token, url)),
                                    urllib.parse.quote(url, safe=""))


def parts(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    text, html_part = list(msg.iter_parts())
    return msg, text.get_content().replace("\r\n", "\n"), html_part.get_content().replace("\r\n", "\n")


def rendered(template, name, unsubscribe):
    section = re.compile(r"\{\{#unsubscribe_url\}\}(.*?)\{\{/unsubscribe_url\}\}", re.S)
    out = section.sub(lambda m: m.group(1) if unsubscribe else "", template)
    return out.replace("{{name}}", name).replace("{{unsubscribe_url}}", unsubscribe or "")


class Fixture(unittest.TestCase):
    def deliver(self, config):
        """Sends the message to PEOPLE; returns {address: raw copy} and the client ids."""
        self.smtp = self.enterContext(smtp_server())
        self.ws = self.enterContext(Workspace(smtp_url=self.smtp.url, extra_config=config))
        self.ws.superuser()
        self.ids = add_clients(self.ws, PEOPLE)
        self.message = add_message(self.ws, "Скидки, {{name}}", TEXT, html=HTML)
        m = add_mailing(self.ws, self.message, clients=self.ids.values(), now=T0)["id"]
        self.ws.ok("send", str(m), env=at(T0))
        raws = self.smtp.raw_messages()
        self.assertEqual(len(raws), len(PEOPLE))
        return {email.message_from_bytes(r)["Delivered-To"]: r for r in raws}

    def key(self):
        (key,), = self.ws.sql("SELECT value FROM setting WHERE key = 'tracking_key'")
        self.assertRegex(key, r"^[0-9a-f]{64}$")
        return key


class TrackedSendTest(Fixture):
    def test_links_go_through_signed_redirects_and_the_pixel_is_added_once(self):
        raws = self.deliver(TRACKING)
        key = self.key()
        tokens = set()
        for address, name in PEOPLE:
            with self.subTest(address=address):
                msg, text, body = parts(raws[address])
                unsubscribe = str(msg["List-Unsubscribe"])[1:-1]
                self.assertTrue(unsubscribe.startswith(BASE + "/u/"), unsubscribe)
                token = unsubscribe[len(BASE + "/u/"):]
                run, client, token_mac = token.split(".")
                self.assertEqual(int(client), self.ids[address])
                self.assertEqual(token_mac, mac(key, "{}.{}".format(run, client)))
                tokens.add(token)
                # The text part is as written: no redirect, no pixel.
                self.assertEqual(text, rendered(TEXT, name, unsubscribe))
                links = Links(body)
                self.assertEqual(links.hrefs,
                                 [click_url(key, token, url) for url in WEB_LINKS] + OTHER_LINKS + [unsubscribe])
                self.assertEqual(links.images, [{"src": "{}/o/{}.gif".format(BASE, token), "width": "1",
                                                 "height": "1", "alt": "", "style": "display:block;border:0"}])
                self.assertLess(body.index("<img "), body.index("</body>"))
                self.assertEqual(body.count(".gif"), 1)
                self.assertIn('<!-- <a href="https://shop.example/hidden">скрыто</a> -->', body)
                # What surrounds the links is unchanged.
                self.assertIn("<p>Здравствуйте, {}!</p>".format(name), body)
                self.assertIn("<A HREF=\"" + click_url(key, token, WEB_LINKS[1]) + "\">Распродажа</A>", body)
        self.assertEqual(len(tokens), 2, "each recipient has a token of their own")

    def test_opens_false_gives_no_pixel_and_clicks_false_no_redirects(self):
        raws = self.deliver(TRACKING + "opens = false\n")
        key = self.key()
        msg, _, body = parts(raws["ivan@example.com"])
        token = str(msg["List-Unsubscribe"])[1:-1].rsplit("/", 1)[1]
        self.assertEqual(Links(body).images, [])
        self.assertNotIn("/o/", body)
        self.assertEqual(Links(body).hrefs[:4], [click_url(key, token, url) for url in WEB_LINKS])

    def test_clicks_false_leaves_every_link_as_written(self):
        raws = self.deliver(TRACKING + "clicks = false\n")
        msg, _, body = parts(raws["ivan@example.com"])
        unsubscribe = str(msg["List-Unsubscribe"])[1:-1]
        token = unsubscribe.rsplit("/", 1)[1]
        self.assertEqual(Links(body).hrefs, WEB_LINKS + OTHER_LINKS + [unsubscribe])
        self.assertNotIn("/c/", body)
        self.assertEqual([i["src"] for i in Links(body).images], ["{}/o/{}.gif".format(BASE, token)])
        # Only the pixel was added.
        pixel = ('<img src="{}/o/{}.gif" width="1" height="1" alt="" style="display:block;border:0">'
                 .format(BASE, token))
        self.assertEqual(body.replace(pixel, ""), rendered(HTML, "Иван Петров", unsubscribe))

    def test_without_base_url_the_html_part_is_sent_as_written(self):
        raws = self.deliver("")
        for address, name in PEOPLE:
            msg, text, body = parts(raws[address])
            self.assertIsNone(msg["List-Unsubscribe"])
            self.assertEqual(text, rendered(TEXT, name, None))
            self.assertEqual(body, rendered(HTML, name, None))
            self.assertEqual(Links(body).images, [])


class PlaceholderTest(Fixture):
    def test_render_shows_tracking_with_the_preview_token_and_a_test_copy_has_none(self):
        self.deliver(TRACKING)
        key = self.key()
        client = self.ids["ivan@example.com"]
        body = self.ws.ok("message", "show", str(self.message), "--part", "html", "--client",
                          str(client)).stdout
        links = Links(body)
        self.assertEqual(links.hrefs, [click_url(key, "PREVIEW", url) for url in WEB_LINKS] + OTHER_LINKS +
                         [BASE + "/u/PREVIEW"])
        self.assertEqual([i["src"] for i in links.images], [BASE + "/o/PREVIEW.gif"])
        mailing = add_mailing(self.ws, self.message, clients=[client], now=T0)["id"]
        self.ws.ok("send", str(mailing), "--to", "tester@example.com", env=at(T0))
        test_copy = [r for r in self.smtp.raw_messages() if b"Delivered-To: tester@example.com" in r]
        self.assertEqual(len(test_copy), 1)
        msg, _, body = parts(test_copy[0])
        self.assertEqual(str(msg["List-Unsubscribe"]), "<{}/u/TEST>".format(BASE))
        self.assertEqual(body, rendered(HTML, "", BASE + "/u/TEST"))


class InitTest(unittest.TestCase):
    def test_init_makes_the_tracking_secret_once(self):
        with Workspace() as ws:
            ws.ok("init")
            first = ws.sql("SELECT value FROM setting WHERE key = 'tracking_key'")
            self.assertEqual(len(first), 1)
            self.assertRegex(first[0][0], r"^[0-9a-f]{64}$")
            ws.ok("init")
            self.assertEqual(ws.sql("SELECT value FROM setting WHERE key = 'tracking_key'"), first)
            self.assertNotIn(first[0][0], ws.ok("init").stdout)


if __name__ == "__main__":
    unittest.main()
