"""The server setup/run starts comes back after a reload.

Odoo reloads itself on SIGHUP, which its watchdog (--limit-time-real) sends
when a request, or a browser's idle connection, outlives the limit. The reload
re-executes the server as `python` found on PATH: outside the virtualenv, that
python has none of Odoo's packages and the demo died on "No module named
'babel'". This starts the server as setup/run does (setup/lib.sh's serve_odoo,
from a shell where no virtualenv is activated) against the demo database
setup/test built, reloads it as Odoo's own restart() does, and checks it
answers again.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from odoo.tests import TransactionCase, tagged

ROOT = Path(__file__).resolve().parents[2]
LIB = ROOT / "setup" / "lib.sh"
# How long the server may take to start, on a busy machine.
START_TIMEOUT = 120
RUNNING = "HTTP service (werkzeug) running on"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestSetupReload(TransactionCase):
    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory(prefix="ccc-reload-")
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)
        self.log = self.folder / "odoo.log"
        self.pidfile = self.folder / "odoo.pid"
        self.port = free_port()

    def _start(self):
        """Start the server with setup/run's command: serve_odoo, from a
        shell whose PATH has no virtualenv (as a user's shell runs setup/run);
        its crons off, so that it changes nothing in the demo."""
        venv_bin = str(Path(sys.prefix) / "bin")
        path = os.pathsep.join(
            entry
            for entry in os.environ.get("PATH", "").split(os.pathsep)
            if entry and entry != venv_bin
        )
        env = {**os.environ, "PATH": path or "/usr/bin:/bin"}
        env.pop("VIRTUAL_ENV", None)
        with self.log.open("wb") as log:
            server = subprocess.Popen(
                [
                    "bash",
                    "-c",
                    '. "$0" && serve_odoo "$@"',
                    str(LIB),
                    self.env.cr.dbname,
                    str(self.port),
                    str(free_port()),
                    "--max-cron-threads=0",
                    f"--pidfile={self.pidfile}",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        self.addCleanup(self._stop, server)
        return server

    def _stop(self, server):
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(30)

    def _log(self):
        return self.log.read_text(errors="replace")

    def _wait_until_serving(self, server, times):
        """Wait until the server logged that it serves for the ``times``-th
        time and answers on /web/login; fail with its log if it died."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self.assertIsNone(
                server.poll(), f"the server stopped:\n{self._log()[-3000:]}"
            )
            if self._log().count(RUNNING) >= times:
                try:
                    response = requests.get(
                        f"http://127.0.0.1:{self.port}/web/login", timeout=10
                    )
                except requests.ConnectionError:
                    pass
                else:
                    if response.status_code == 200:
                        return response
            time.sleep(0.5)
        self.fail(f"the server does not answer:\n{self._log()[-3000:]}")

    def test_server_comes_back_after_a_reload(self):
        server = self._start()
        self._wait_until_serving(server, 1)
        pid = int(self.pidfile.read_text())
        # What odoo.service.server.restart() and the watchdog do.
        os.kill(pid, signal.SIGHUP)
        response = self._wait_until_serving(server, 2)
        self.assertIn('name="login"', response.text)
        log = self._log()
        self.assertIn("Initiating server reload", log)
        self.assertNotIn("No module named", log)
        self.assertEqual(int(self.pidfile.read_text()), pid, "the same process")
