"""Domain errors. The class name is the GraphQL `errorType` the caller sees.

The Lambda runtime reports a raised exception's class name as the error type, and
the AppSync resolver (infra/lambda_resolver.js, and the emulator alike) turns it into
the GraphQL error's `errorType`: this module is the one place that mapping lives.
"""

from __future__ import annotations


class MusicError(Exception):
    """A failure the caller is meant to see, with a message safe to show."""


class ValidationError(MusicError):
    """The request is malformed: bad id, empty title, unknown genre, limit out of range."""


class NotFoundError(MusicError):
    """The artist, album, song or account does not exist."""


class UnauthorizedError(MusicError):
    """The caller may not do this, or the credentials are wrong."""


class ConflictError(MusicError):
    """The request clashes with the current state: the email is taken, the artist still has albums."""


class UnavailableError(MusicError):
    """A service behind the API did not answer in time (or at all); trying again later may work."""


class InternalError(MusicError):
    """Something failed on our side; details are in the logs, never in the response."""
