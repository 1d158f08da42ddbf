"""The error responses every authenticated route can give, documented once for the OpenAPI schema.

Each router passes `responses=API_ERRORS` (routes add their own 404/409/413/415 where they give
them). `detail` is a sentence for errors the service raises, and FastAPI's list of field errors
for a request that does not validate, so the documented shape allows both.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.routing import Match


class ErrorBody(BaseModel):
    detail: str | list[dict[str, Any]] = Field(description="what is wrong: a sentence, or the field errors")


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


API_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("the body cannot be read (not UTF-8, or a form that does not parse)"),
    401: _error("missing, unknown or revoked API key"),
    403: _error("the key's role may not do this"),
    404: _error("no such resource visible to this key"),
    413: _error("the request body is over its size limit"),
    422: _error("the request does not validate (bad field, non-finite number, JSON nested too deeply)"),
    429: _error("over the key's rate limit; retry after the Retry-After header's seconds"),
}

async def method_not_allowed(request: Request, _exc: Exception) -> JSONResponse:
    """405 whose `Allow` lists every method of the path: Starlette's names only those of the first
    route it matched (GET /v1/calls/{id} and DELETE /v1/calls/{id} are two routes)."""
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return JSONResponse({"detail": "Method Not Allowed"}, status_code=405,
                        headers={"Allow": ", ".join(sorted(methods))})


__all__ = ["API_ERRORS", "ErrorBody", "method_not_allowed"]
