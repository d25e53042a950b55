"""`GET /health`: liveness, for Symphony's supervisor (it waits for this before calling OFB)."""

from fastapi import APIRouter

from ofb import __version__
from ofb.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, name="health")
def health() -> Health:
    """OFB is up and serving."""
    return Health(status="ok", version=__version__)
