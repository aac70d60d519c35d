"""A local mail catcher for the demo (setup/run): an SMTP server on 127.0.0.1 that
accepts every email Odoo sends and writes it to a folder instead of delivering it.

    python setup/mailcatcher.py <folder> [port]

Each email becomes <folder>/<time>-<n>.eml (open it with any mail client), and a
line "time | from | to | subject" is added to <folder>/index.log.
"""

import email
import email.policy
import sys
import time
from itertools import count
from pathlib import Path

from aiosmtpd.controller import Controller


class Catcher:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.numbers = count(1)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.folder / f"{stamp}-{next(self.numbers)}.eml"
        path.write_bytes(envelope.content)
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        with (self.folder / "index.log").open("a", encoding="utf-8") as index:
            index.write(
                f"{stamp} | {envelope.mail_from} | {', '.join(envelope.rcpt_tos)} | "
                f"{message['subject']} | {path.name}\n"
            )
        return "250 Message accepted for delivery"


def main():
    folder = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 1025
    controller = Controller(Catcher(folder), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
