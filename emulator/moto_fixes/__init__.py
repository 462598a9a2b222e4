"""Where moto 5.2.5's DynamoDB falls short of DynamoDB in ways our API feels, fixed in place.

- `model_registry`: moto kept every model object it ever made (every item version, every
  query result): the emulator's memory grew with each request.
- `transactions`: a transaction deep-copied every table it named; now only its items.
- `request_tokens`: `ClientRequestToken` makes a retried transaction idempotent, as on AWS.
- `indexes`: queries read one partition, of the table or of an index, not every item.
- `json_responses`: data responses are encoded as the JSON they are, not through moto's
  shape-walking serializer, and outside `LOCK`, which now covers moto's actions only.
- `compact_items`: an item no request is using keeps its attributes as one compressed
  string, not one object per attribute (13.4 KB of heap per createSong before, 3.6 KB now).
- `dispatch`: the server finds a request's service without listing moto's package
  directory for each request (all services), and answers DynamoDB, SQS and Cognito calls
  without Flask's app, routing and hooks in between.
- `queues`: an SQS receive checks each message's retention without building its queue's
  attributes (message counts included) per message.

Each module replaces one moto function with a version of its own and says why; they are
written against moto 5.2.5, so `install()` refuses another version: re-read them first.
See docs/emulator-dynamodb.md for the measurements.
"""

from __future__ import annotations

import moto

from emulator.moto_fixes import (
    compact_items,
    dispatch,
    indexes,
    json_responses,
    model_registry,
    queues,
    request_tokens,
    transactions,
)

MOTO_VERSION = "5.2.5"
FIXES = (model_registry, transactions, request_tokens, indexes, compact_items, json_responses, dispatch, queues)


def install() -> None:
    """Apply every fix (idempotent); the emulator calls it before moto serves a request, and
    before it serializes DynamoDB requests (compact_items must run inside that lock)."""
    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(
            f"emulator/moto_fixes patches moto {MOTO_VERSION}, found {moto.__version__}: check each fix against it"
        )
    for fix in FIXES:
        fix.install()


def uninstall() -> None:
    """moto as released (for tests that compare with it)."""
    for fix in FIXES:
        fix.uninstall()
