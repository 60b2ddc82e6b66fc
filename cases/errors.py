"""Domain errors of the case service; cases/app.py maps each to one HTTP status."""

from __future__ import annotations


class CaseError(Exception):
    """A request the service refuses, with a message fit for the user."""

    status_code = 400


class UnknownCase(CaseError):
    status_code = 404


class IllegalTransition(CaseError):
    status_code = 409


class Conflict(CaseError):
    """Another decision on the same case was recorded first."""

    status_code = 409


class InvalidInput(CaseError):
    status_code = 422


class BadCursor(CaseError):
    status_code = 400


class NotAuthenticated(CaseError):
    status_code = 401


class Forbidden(CaseError):
    status_code = 403


class NotConfirmed(CaseError):
    """A decision journaled but not yet confirmed by the database: it will be."""

    status_code = 503
