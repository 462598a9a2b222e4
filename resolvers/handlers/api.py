"""The API Lambda: every Lambda-backed GraphQL field, single or batched, lands here."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ConnectionError as ServiceUnreachable
from botocore.exceptions import HTTPClientError

from resolvers.errors import InternalError, MusicError, UnavailableError
from resolvers.observability import logger, tracer
from resolvers.routes import (
    accounts,
    catalog,
    discover,
    feed,
    follows,
    likes,
    lyrics,
    media,
    offline,
    play_queue,
    playlists,
    ratings,
    sharing,
)
from resolvers.routes import plays as listening

app = AppSyncResolver()
app.include_router(catalog.router)
app.include_router(discover.router)
app.include_router(ratings.router)
app.include_router(feed.router)
app.include_router(follows.router)
app.include_router(media.router)
app.include_router(offline.router)
app.include_router(accounts.router)
app.include_router(lyrics.router)
app.include_router(listening.router)
app.include_router(likes.router)
app.include_router(playlists.router)
app.include_router(sharing.router)
app.include_router(play_queue.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any] | list[dict[str, Any]], context: LambdaContext) -> Any:
    """Resolve the field; a dead backing service surfaces as UnavailableError, anything else
    unexpected as InternalError, both logged, neither with details."""
    try:
        return app.resolve(event, context)
    except MusicError:
        raise
    except (ServiceUnreachable, HTTPClientError):
        # Unreachable, refused, timed out or cut off, after the client's bounded retries.
        logger.exception("a backing service did not answer")
        raise UnavailableError(f"The service is unavailable; try again (request {context.aws_request_id})") from None
    except Exception:
        logger.exception("unexpected failure resolving a field")
        raise InternalError(f"Internal error (request {context.aws_request_id})") from None
