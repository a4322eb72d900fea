#!/usr/bin/python3
"""A real, scriptable SMTP server on 127.0.0.1 for mailer's integration tests.

Run it with Debian's /usr/bin/python3 (it needs the python3-aiosmtpd package):

    /usr/bin/python3 smtpd.py --port 0 --maildir DIR [--port-file F] [--log F]
        [--auth USER:PASS] [--fail-first N] [--slow-seconds S] [--throttle-after N]
        [--tls starttls|implicit --tls-cert PEM --tls-key PEM] [--no-smtputf8]

Accepted mail goes to the Maildir DIR (new/, cur/, tmp/), one file per recipient copy, with
`Return-Path:` and `Delivered-To:` prepended as a delivering MTA would; the rest of the file is
the DATA exactly as received (CRLF line endings). Every event is one JSON line in the log
(default DIR/../log.jsonl): {"event": "connect"|"message"|"reject"|"drop", "conn": N, ...}; a
"connect" line says how many connections were open with it ("open");
"message" lines carry mail_from, rcpt_tos, size and files.

What happens is chosen by the recipient's local part, so a test scripts failures through its
addresses:
    reject...       550 5.1.1 at RCPT
    multireject...  a two-line 550 at RCPT
    defer...        451 4.7.1 at RCPT
    full...         552 5.2.2 (mailbox full) at RCPT: a soft bounce
    overquota...    452 4.2.2 (mailbox full) at RCPT: deferred
    rejectdata...   554 5.7.1 after the message data
    toolong...      500 5.5.0 after the message data: a refusal of the message itself
    dropdata...     the connection is cut after the message data, with no reply
    slow...         the reply to the message data comes after --slow-seconds
anything else is accepted. --fail-first N answers 421 to the first N connections and closes
them. --throttle-after N answers every MAIL FROM after the first N with
451 4.7.1, as a provider throttling a sender does. --tls starttls offers STARTTLS and
refuses mail (and AUTH) before it; --tls implicit speaks TLS from the first byte (smtps://).
"message" events then say whether the session was encrypted ("tls": true). With --port 0 the kernel picks the port; --port-file receives it once the server listens.
SIGTERM and SIGINT stop the server cleanly (exit status 0).
"""

import argparse
import asyncio
import itertools
import json
import logging
import mailbox
import os
import signal
import ssl
import sys
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# A fixed name: socket.getfqdn() can take seconds in a sandbox without DNS.
HOSTNAME = "smtpd.test"


def local_part(address):
    return address.rsplit("@", 1)[0].lower()


class Recorder:
    """The Maildir, the event log and the connection counter, shared by every connection."""

    def __init__(self, maildir, log_path):
        self.maildir = mailbox.Maildir(maildir, create=True)
        # Line-buffered so that a test reading the log sees each event as soon as it happened.
        self.log_file = open(log_path, "a", buffering=1, encoding="utf-8")
        self.connections = itertools.count(1)
        self.queue_ids = itertools.count(1)

    def event(self, kind, **fields):
        fields = {"event": kind, "time": round(time.time(), 6), **fields}
        self.log_file.write(json.dumps(fields) + "\n")

    def deliver(self, mail_from, rcpt, content):
        # Written before the 250 goes out, so a client that saw 250 finds the file.
        head = "Return-Path: <{}>\r\nDelivered-To: {}\r\n".format(mail_from or "", rcpt)
        return self.maildir.add(head.encode("utf-8") + content)


class Handler:
    """aiosmtpd hooks: the recipient's local part decides the reply."""

    def __init__(self, recorder, slow_seconds, throttle_after=None):
        self.recorder = recorder
        self.slow_seconds = slow_seconds
        self.throttle_after = throttle_after
        self.transactions = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.throttle_after is not None and self.transactions >= self.throttle_after:
            reply = "451 4.7.1 Too many messages from you, try again later"
            self.recorder.event("reject", conn=server.conn_id, stage="MAIL", mail_from=address,
                                reply=reply)
            return reply
        self.transactions += 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = local_part(address)
        reply = None
        # Longer prefixes first: "rejectdata" also starts with "reject".
        if local.startswith(("rejectdata", "dropdata", "slow", "toolong")):
            pass
        elif local.startswith("multireject"):
            reply = ("550-5.1.1 <{}>: Recipient address rejected:\r\n"
                     "550 5.1.1 User unknown in virtual mailbox table").format(address)
        elif local.startswith("reject"):
            reply = ("550 5.1.1 <{}>: Recipient address rejected: "
                     "User unknown in local recipient table").format(address)
        elif local.startswith("defer"):
            reply = "451 4.7.1 Greylisted, try again later"
        elif local.startswith("full"):
            reply = "552 5.2.2 <{}>: Mailbox full".format(address)
        elif local.startswith("overquota"):
            reply = "452 4.2.2 <{}>: Mailbox full, try again later".format(address)
        if reply is not None:
            self.recorder.event("reject", conn=server.conn_id, stage="RCPT", rcpt=address,
                                reply=reply)
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        locals_ = [local_part(r) for r in envelope.rcpt_tos]
        if any(l.startswith("dropdata") for l in locals_):
            self.recorder.event("drop", conn=server.conn_id, rcpt_tos=envelope.rcpt_tos)
            # abort(): no FIN after a flush, no reply; the client sees the connection vanish.
            server.transport.abort()
            # connection_lost() cancels this coroutine; never return a status to push.
            await asyncio.Event().wait()
        if any(l.startswith("slow") for l in locals_):
            await asyncio.sleep(self.slow_seconds)
        if any(l.startswith("toolong") for l in locals_):
            reply = "500 5.5.0 Line too long"
            self.recorder.event("reject", conn=server.conn_id, stage="DATA",
                                rcpt_tos=envelope.rcpt_tos, reply=reply)
            return reply
        if any(l.startswith("rejectdata") for l in locals_):
            reply = "554 5.7.1 Message rejected: content looks like spam"
            self.recorder.event("reject", conn=server.conn_id, stage="DATA",
                                rcpt_tos=envelope.rcpt_tos, reply=reply)
            return reply
        content = envelope.original_content
        files = [self.recorder.deliver(envelope.mail_from, r, content)
                 for r in envelope.rcpt_tos]
        queue_id = "T{:06d}".format(next(self.recorder.queue_ids))
        tls = server.transport.get_extra_info("ssl_object") is not None
        self.recorder.event("message", conn=server.conn_id, mail_from=envelope.mail_from,
                            rcpt_tos=envelope.rcpt_tos, size=len(content), files=files,
                            queue_id=queue_id, tls=tls)
        return "250 2.0.0 Ok: queued as " + queue_id


class TestSMTP(SMTP):
    """Numbers connections (for reuse checks) and refuses the first --fail-first of them."""

    def __init__(self, handler, recorder, fail_first, live, **kwargs):
        super().__init__(handler, **kwargs)
        self.recorder = recorder
        self.fail_first = fail_first
        self.live = live
        self.conn_id = 0

    def connection_made(self, transport):
        if self.transport is None:  # not the STARTTLS re-entry
            self.live.add(self)
        super().connection_made(transport)

    def connection_lost(self, error):
        self.live.discard(self)
        super().connection_lost(error)

    # Overrides aiosmtpd 1.4's private greeting coroutine: the only place to answer before 220.
    async def _handle_client(self):
        self.conn_id = next(self.recorder.connections)
        self.recorder.event("connect", conn=self.conn_id, peer=list(self.session.peer[:2]), open=len(self.live))
        if self.conn_id <= self.fail_first:
            await self.push("421 4.3.2 Service not available, closing transmission channel")
            self.transport.close()
            return
        await super()._handle_client()


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, default=0, help="0: any free port")
    p.add_argument("--maildir", required=True)
    p.add_argument("--port-file", help="write the listening port here once listening")
    p.add_argument("--log", help="JSON lines event log (default: MAILDIR/../log.jsonl)")
    p.add_argument("--auth", metavar="USER:PASS", help="require AUTH LOGIN/PLAIN")
    p.add_argument("--fail-first", type=int, default=0, metavar="N",
                   help="answer 421 to the first N connections")
    p.add_argument("--slow-seconds", type=float, default=2.0,
                   help="seconds before answering the data for a slow... recipient")
    p.add_argument("--throttle-after", type=int, default=None, metavar="N",
                   help="answer 451 to every MAIL FROM after the first N")
    p.add_argument("--no-smtputf8", action="store_true",
                   help="do not offer SMTPUTF8: refuse non-ASCII addresses, as many servers do")
    p.add_argument("--tls", choices=["starttls", "implicit"],
                   help="STARTTLS required before mail, or TLS from the start")
    p.add_argument("--tls-cert", help="PEM certificate for --tls")
    p.add_argument("--tls-key", help="PEM private key for --tls")
    args = p.parse_args(argv)
    if args.auth is not None and ":" not in args.auth:
        p.error("--auth wants USER:PASS")
    if args.tls and not (args.tls_cert and args.tls_key):
        p.error("--tls wants --tls-cert and --tls-key")
    return args


async def serve(args):
    maildir = os.path.abspath(args.maildir)
    log_path = args.log or os.path.join(os.path.dirname(maildir), "log.jsonl")
    recorder = Recorder(maildir, log_path)
    handler = Handler(recorder, args.slow_seconds, args.throttle_after)

    smtp_kwargs = {"hostname": HOSTNAME, "enable_SMTPUTF8": not args.no_smtputf8,
                   "ident": "mailer-test-smtpd"}
    if args.auth is not None:
        user, password = args.auth.split(":", 1)
        expected = LoginPassword(user.encode(), password.encode())

        def authenticator(server, session, envelope, mechanism, auth_data):
            # handled=False: aiosmtpd then sends the 535 itself (True would send nothing).
            return AuthResult(success=auth_data == expected, handled=False)

        # Without --tls, tests run on loopback in the clear; aiosmtpd warns about that choice.
        warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        smtp_kwargs.update(authenticator=authenticator, auth_required=True,
                           auth_require_tls=args.tls == "starttls")

    listen_tls = None
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls == "starttls":
            smtp_kwargs.update(tls_context=context, require_starttls=True)
        else:
            listen_tls = context

    loop = asyncio.get_running_loop()
    # Installed before the port file appears: a test may send SIGTERM as soon as it reads it.
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    live = set()
    server = await loop.create_server(
        lambda: TestSMTP(handler, recorder, args.fail_first, live, **smtp_kwargs),
        host="127.0.0.1", port=args.port, reuse_address=True, ssl=listen_tls)
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        # Renamed into place so a poller never reads a half-written number.
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("{}\n".format(port))
        os.replace(tmp, args.port_file)

    await stop.wait()

    server.close()
    for conn in list(live):
        if conn.transport is not None:
            conn.transport.close()
    await server.wait_closed()
    await asyncio.sleep(0)  # let connection_lost callbacks run before the loop closes
    recorder.log_file.close()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="smtpd: %(message)s")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
