"""The live parts of one OFB instance that request handlers share."""

from __future__ import annotations

from dataclasses import dataclass

from ofb.credentials import Passwords
from ofb.db import Database
from ofb.settings import Settings


@dataclass
class Runtime:
    """Settings, the database and the password hasher of one running app."""

    settings: Settings
    db: Database
    passwords: Passwords

