"""Admin pages: users and teams, API keys, webhooks, trackers and the playbook."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
