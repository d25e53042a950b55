"""The local admin account that Symphony uses when it starts OFB for its user.

On the first start of an empty database, `--admin-token-file PATH` creates the user `admin`
(with a random password nobody needs) and writes a bearer token for it to PATH, mode 0600.
Later starts leave both alone. The file is written before the transaction commits: a crash in
between leaves an empty user table, so the next start simply does it again.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import func, select

from ofb import audit
from ofb.auth import issue_token
from ofb.models import User, utcnow
from ofb.runtime import Runtime

ADMIN_USERNAME = "admin"


def ensure_admin_token(rt: Runtime, token_file: Path) -> bool:
    """Creates the admin user and its token file if no user exists yet; True if it did."""
    password_hash = rt.passwords.hash(secrets.token_urlsafe(32))
    with rt.db.write() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return False
        user = User(username=ADMIN_USERNAME, password_hash=password_hash, created_at=utcnow())
        session.add(user)
        session.flush()
        token = issue_token(session, user)
        audit.record(
            session,
            actor=user,
            action="admin.bootstrap",
            method="-",
            path=str(token_file),
            status=201,
            outcome="ok",
            target_type="user",
            target_id=user.id,
        )
        write_secret_file(token_file, token + "\n")
    return True


def write_secret_file(path: Path, text: str) -> None:
    """Writes `text` to `path` atomically, readable by its owner only (0600), and fsyncs it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask, and even if tmp was left by a crash
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
