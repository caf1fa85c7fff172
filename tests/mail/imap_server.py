"""A real IMAP server for the tests: Debian's Dovecot, unprivileged, on 127.0.0.1.

Each server has its own directory (configuration, self-signed certificate, passwd-file, Maildir)
and two free ports: implicit TLS (imaps) and plain IMAP that only offers STARTTLS (logins in
clear text are refused by the server too). Messages are put in with IMAP APPEND, as a mail
server delivers them.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.live.harness import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
# When the tests run as root, Dovecot runs as this account (it never needs root here).
UNPRIVILEGED = "nobody"

CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
ssl = required
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port_starttls}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port_tls}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0600
  }}
}}
"""


class Dovecot:
    """One Dovecot server with one mailbox user. `url()` is how the product is configured."""

    def __init__(self, directory: Path, *, user: str = "support", password: str = "s3cret-pw"):
        self.dir = directory
        self.user = user
        self.password = password
        self.port_tls = free_port()
        self.port_starttls = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def ca_file(self) -> str:
        return str(self.dir / "cert.pem")

    def url(self, *, scheme: str = "imaps", folder: str = "INBOX") -> str:
        port = self.port_tls if scheme == "imaps" else self.port_starttls
        return f"{scheme}://{self.user}:{self.password}@127.0.0.1:{port}/{folder}"

    def start(self) -> Dovecot:
        self.dir.mkdir(parents=True, exist_ok=True)
        for sub in ("run", "state", "home"):
            (self.dir / sub).mkdir(exist_ok=True)
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                str(self.dir / "key.pem"),
                "-out",
                str(self.dir / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )
        (self.dir / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        account = pwd.getpwuid(os.getuid()) if os.getuid() else pwd.getpwnam(UNPRIVILEGED)
        group = subprocess.run(
            ["id", "-gn", account.pw_name], check=True, capture_output=True, text=True
        ).stdout.strip()
        conf = self.dir / "dovecot.conf"
        conf.write_text(
            CONFIG.format(
                dir=self.dir,
                user=account.pw_name,
                group=group,
                uid=account.pw_uid,
                gid=account.pw_gid,
                port_tls=self.port_tls,
                port_starttls=self.port_starttls,
            )
        )
        if os.getuid() == 0:
            # The tmp directories above are root's: hand the whole tree to the account.
            for path in [self.dir.parent, self.dir, *self.dir.rglob("*")]:
                os.chown(path, account.pw_uid, account.pw_gid)

        def drop_privileges() -> None:  # pragma: no cover - runs in the child
            if os.getuid() == 0:
                os.setgroups([])
                os.setgid(account.pw_gid)
                os.setuid(account.pw_uid)

        self.proc = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=drop_privileges,  # noqa: PLW1509 - no threads hold locks at this point
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            with contextlib.suppress(OSError):
                self.client().logout()
                return self
            time.sleep(0.1)
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def client(self, folder: str = "INBOX") -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=self.ca_file)
        imap = imaplib.IMAP4_SSL("127.0.0.1", self.port_tls, ssl_context=context, timeout=10)
        imap.login(self.user, self.password)
        imap.select(folder)
        return imap

    def append(self, *raws: bytes, folder: str = "INBOX") -> None:
        """Deliver the messages, in order, over one connection."""
        imap = self.client(folder)
        try:
            for raw in raws:
                status, detail = imap.append(folder, None, None, raw)
                assert status == "OK", detail
        finally:
            imap.logout()

    def count(self, folder: str = "INBOX") -> int:
        """Messages in the folder, flagged for deletion or not (until expunged, they are there)."""
        imap = self.client(folder)
        try:
            _, data = imap.uid("SEARCH", "ALL")
            return len(data[0].split())
        finally:
            imap.logout()

    def stop(self) -> None:
        # A throwaway server: killed at once (a clean shutdown waits seconds for its children).
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture
def dovecot():
    # Under /tmp rather than pytest's tmp_path: that one sits below root-only directories, and
    # Dovecot runs unprivileged.
    base = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
    base.chmod(0o755)
    server = Dovecot(base / "server").start()
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)
