"""The error responses every authenticated route can give, documented once for the OpenAPI schema.

Each router passes `responses=API_ERRORS` (routes add their own 404/409/413/415 where they give
them). `detail` is a sentence for errors the service raises, and FastAPI's list of field errors
for a request that does not validate, so the documented shape allows both.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    detail: str | list[dict[str, Any]] = Field(description="what is wrong: a sentence, or the field errors")


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


API_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("missing, unknown or revoked API key"),
    403: _error("the key's role may not do this"),
    413: _error("the request body is over its size limit"),
    422: _error("the request does not validate (bad field, non-finite number, JSON nested too deeply)"),
    429: _error("over the key's rate limit; retry after the Retry-After header's seconds"),
}

__all__ = ["API_ERRORS", "ErrorBody"]
