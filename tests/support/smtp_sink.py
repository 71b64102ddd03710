#!/usr/bin/python3
"""A real SMTP server for the tests (Debian's python3-aiosmtpd): every message it accepts is
written to --dir as one .eml file (the bytes as received), so a test reads what arrived.

  /usr/bin/python3 tests/support/smtp_sink.py --port PORT --dir DIR
      [--refuse-rcpt "550 5.1.1 No such user"] [--refuse-data "451 4.3.0 Try again later"]
      [--tls-cert CERT --tls-key KEY]   # offer STARTTLS with this certificate
      [--auth-user USER --auth-password PASSWORD]  # require AUTH (PLAIN/LOGIN, after STARTTLS)

Prints "smtp_sink: listening on 127.0.0.1:PORT" once it accepts connections; stops on SIGTERM
or SIGINT. Files appear atomically (written as .tmp, then renamed to NNNN.eml).
"""
import argparse
import itertools
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--refuse-rcpt", default="")
    p.add_argument("--refuse-data", default="")
    p.add_argument("--tls-cert", default="")
    p.add_argument("--tls-key", default="")
    p.add_argument("--auth-user", default="")
    p.add_argument("--auth-password", default="")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    counter = itertools.count(1)

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if args.refuse_rcpt:
                return args.refuse_rcpt
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            if args.refuse_data:
                return args.refuse_data
            n = next(counter)
            tmp = os.path.join(args.dir, "%04d.tmp" % n)
            with open(tmp, "wb") as f:
                f.write(envelope.original_content)
            os.rename(tmp, os.path.join(args.dir, "%04d.eml" % n))
            return "250 Message accepted for delivery"

    kwargs = {}
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        kwargs["tls_context"] = ctx
    if args.auth_user:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login == args.auth_user.encode()
                  and auth_data.password == args.auth_password.encode())
            # handled=False: aiosmtpd answers the failure (535) itself; its default would not.
            return AuthResult(success=ok, handled=False)

        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
    controller = Controller(Handler(), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    # One write, then stdout is let go: the test reads this line and closes its end of the pipe.
    sys.stdout.write("smtp_sink: listening on 127.0.0.1:%d\n" % args.port)
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    while not done.wait(0.5):  # wakes at the signal (handlers run between waits)
        pass
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
