"""The live call page: the browser's microphone streams to `/v1/live`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
