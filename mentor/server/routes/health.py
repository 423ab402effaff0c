"""``GET /health``: the process is up (open even when auth is on)."""
from __future__ import annotations

from fastapi import APIRouter

from ..schemas import HealthResponse

router = APIRouter(tags=["health"])


@router.get("/health", operation_id="health", response_model=HealthResponse)
def health() -> HealthResponse:
    return HealthResponse()
