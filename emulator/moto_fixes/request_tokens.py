"""TransactWriteItems honours `ClientRequestToken`, as DynamoDB does (moto 5.2.5 ignores it).

botocore fills in the token itself and sends the same one when it retries, so on AWS a
retry after a read timeout is harmless: a transaction that already succeeded is not run
again. moto ran it again, its conditions failed on its own first writes, and the API
answered `ConflictError: A song with this id already exists` for a song it had created.

DynamoDB's rules (API reference, TransactWriteItems `ClientRequestToken`), applied here:
- within IDEMPOTENCY_SECONDS of a successful call, a call with the same token and the same
  parameters succeeds without changing anything;
- the same token with other parameters is refused with `IdempotentParameterMismatchException`;
- after the window, the token is new again.
Only successes are remembered: a cancelled transaction wrote nothing, so running its retry
is what DynamoDB does too. Tokens are kept per account and region, and forgotten when
their window ends, so memory stays bounded by the calls of the last ten minutes.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

from moto.core.responses import ActionResult
from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException
from moto.dynamodb.responses import DynamoHandler

from emulator.moto_fixes.patching import Patch

IDEMPOTENCY_SECONDS = 600.0
TOKEN = "ClientRequestToken"  # noqa: S105 - a parameter name, not a secret


class IdempotentParameterMismatch(DynamodbException):
    def __init__(self) -> None:
        super().__init__(
            ERROR_TYPE_PREFIX + "IdempotentParameterMismatchException",
            "The request uses the same client token as a previous, but non-identical request.",
        )


class _Done(NamedTuple):
    """A tuple, not an object with a dict: one is kept per transaction of the last ten minutes."""

    fingerprint: bytes
    expires: float


class RequestTokens:
    """Successful transactions by token, for IDEMPOTENCY_SECONDS (oldest first, to forget them in order)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = IDEMPOTENCY_SECONDS) -> None:
        self.clock = clock
        self.window = window
        self._done: OrderedDict[tuple[str, str, str], _Done] = OrderedDict()

    def __len__(self) -> int:
        return len(self._done)

    def already_done(self, scope: tuple[str, str], token: str, request: dict[str, Any]) -> bool:
        """True when this exact request succeeded under `token` within the window; raises on a mismatch."""
        self._forget_expired()
        done = self._done.get((*scope, token))
        if done is None:
            return False
        if done.fingerprint != _fingerprint(request):
            raise IdempotentParameterMismatch()
        return True

    def succeeded(self, scope: tuple[str, str], token: str, request: dict[str, Any]) -> None:
        self._done[(*scope, token)] = _Done(_fingerprint(request), self.clock() + self.window)

    def _forget_expired(self) -> None:
        now = self.clock()
        while self._done:
            key, done = next(iter(self._done.items()))
            if done.expires > now:
                return
            del self._done[key]


def _fingerprint(request: dict[str, Any]) -> bytes:
    """The request's parameters but the token, canonical, hashed (the parameters themselves are not kept)."""
    parameters = {name: value for name, value in request.items() if name != TOKEN}
    canonical = json.dumps(parameters, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(canonical.encode()).digest()


TOKENS = RequestTokens()


def transact_write_items(handler: DynamoHandler) -> Any:
    """moto's handler, skipped for a replay of a transaction that already succeeded."""
    token = handler.body.get(TOKEN)
    if not token:
        return PATCH.original(handler)
    scope = (handler.current_account, handler.region)
    if TOKENS.already_done(scope, token, handler.body):
        return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})  # moto's success
    response = PATCH.original(handler)
    TOKENS.succeeded(scope, token, handler.body)
    return response


PATCH = Patch(DynamoHandler, "transact_write_items", transact_write_items)
install, uninstall = PATCH.install, PATCH.uninstall
