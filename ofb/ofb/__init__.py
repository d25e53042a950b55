"""OFB: Symphony's authoritative backend.

Validation, RBAC, business rules and persistence live here; the Rust side only pre-validates
shapes and makes one HTTP call per operation. `create_app` builds the ASGI application.
"""

__version__ = "0.1.0"

from ofb.app import create_app
from ofb.settings import Settings

__all__ = ["Settings", "__version__", "create_app"]
