"""The domain layer's errors, mapped once to HTTP statuses (`service.api.main`) and to pages
(`service.web`)."""

from __future__ import annotations

from service.core.i18n import N_
from transcription.errors import TalktrackError


class DomainError(TalktrackError):
    """Base of the errors a domain function raises for the caller's input."""

    status_code = 422


class NotFound(DomainError):
    """The row does not exist, or the principal may not see it (the same answer, on purpose)."""

    status_code = 404


class Forbidden(DomainError):
    """The principal sees the row but their role may not do this."""

    status_code = 403


class Conflict(DomainError):
    """The row is not in a state that allows this (e.g. a call not analysed yet)."""

    status_code = 409


class Invalid(DomainError):
    """The input does not fit (a message the user can act on)."""

    status_code = 422


class DatabaseUnavailable(DomainError):
    """The database cannot be reached now (stopped, restarting, the network between): the request
    can be retried in a moment."""

    status_code = 503

    def __init__(self, message: str = N_("the database is unavailable right now; try again in a minute")) -> None:
        super().__init__(message)


class StorageUnavailable(DomainError):
    """The audio store cannot be used now (bucket missing, server unreachable, credentials refused):
    the message says which, and the request can be retried once that is fixed."""

    status_code = 503
