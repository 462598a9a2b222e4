"""GraphQL subscriptions over websockets at /graphql, in both protocols AppSync clients use;
at /graphql/realtime, AppSync's own alone, as on its real-time endpoint.

The protocol is chosen from the subprotocols the client offers:
- `graphql-transport-ws` (GraphiQL, gql's `WebsocketsTransport`, the `graphql-ws` npm
  client): the `connection_init` payload carries the credentials (`Authorization` with
  the user's JWT, or `x-api-key`); queries and mutations may run over it too.
- `graphql-ws` as AppSync's real-time endpoint speaks it (gql's
  `AppSyncWebsocketsTransport`, Amplify): credentials in a `header-<base64url JSON>`
  subprotocol (Amplify) or the `header` query parameter (base64 JSON, with
  `payload=e30=`, gql), `connection_init`/`connection_ack` (with
  `connectionTimeoutMs`), keep-alive `ka`, `start` carrying its own authorization in
  `extensions`, `start_ack`, `data`, `error`, `stop`/`complete`. Subscriptions only.
Both run the same execution (emulator/appsync.py): the subscription field's auth
directives are checked against the subscriber, errors come in AppSync's shape.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
from collections.abc import Mapping
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.types.execution import PreExecutionError
from strawberry.utils.aio import aclosing

from emulator import appsync
from emulator.auth import Authenticator, Caller, Unauthenticated

GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"
APPSYNC_REALTIME = "graphql-ws"
# Amplify sends the connection's authorization as a second subprotocol, `header-<base64url JSON>`.
HEADER_SUBPROTOCOL = "header-"
TO_URLSAFE = str.maketrans("+/", "-_")
CONNECTION_TIMEOUT_MS = 300_000
KEEP_ALIVE_SECONDS = 60.0
INIT_TIMEOUT_SECONDS = 10.0

log = logging.getLogger("emulator")


async def serve(
    websocket: WebSocket, schema: strawberry.Schema, authenticator: Authenticator, *, appsync_only: bool = False
) -> None:
    """Serve one websocket connection in the protocol the client asked for (AppSync's only, if so told)."""
    offered = websocket.scope.get("subprotocols") or []
    if GRAPHQL_TRANSPORT_WS in offered and not appsync_only:
        await GraphQLTransportWs(websocket, schema, authenticator).run()
    elif APPSYNC_REALTIME in offered:
        await AppSyncRealtime(websocket, schema, authenticator).run()
    else:
        await websocket.close(code=4406)  # before the handshake completes: refused


def _headers(values: Mapping[str, Any]) -> dict[str, str]:
    return {str(k).lower(): v for k, v in values.items() if isinstance(v, str)}


class _Connection:
    """One websocket: its operations, each a task, and the hooks each protocol words its way."""

    protocol = ""

    def __init__(self, websocket: WebSocket, schema: strawberry.Schema, authenticator: Authenticator) -> None:
        self.ws = websocket
        self.schema = schema
        self.authenticator = authenticator
        self.operations: dict[str, asyncio.Task] = {}
        self.background: list[asyncio.Task] = []
        self.closed = False

    @property
    def client_ip(self) -> str:
        return self.ws.client.host if self.ws.client else "127.0.0.1"

    async def run(self) -> None:
        await self.ws.accept(subprotocol=self.protocol)
        await self.opened()
        try:
            while not self.closed:
                try:
                    text = await self.ws.receive_text()
                except (WebSocketDisconnect, RuntimeError):
                    break
                except KeyError:
                    await self.close(4400, "WebSocket message type must be text")
                    break
                try:
                    message = json.loads(text)
                except ValueError:
                    message = None
                if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                    await self.invalid("WebSocket message must be a JSON object with a type")
                    continue
                await self.handle(message)
        finally:
            self.closed = True
            for task in [*self.operations.values(), *self.background]:
                task.cancel()

    async def opened(self) -> None:
        """After the handshake."""

    async def handle(self, message: dict[str, Any]) -> None:
        raise NotImplementedError

    async def invalid(self, reason: str) -> None:
        await self.close(4400, reason)

    async def send(self, message: dict[str, Any]) -> None:
        if self.closed:
            return
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await self.ws.send_json(message)

    async def close(self, code: int, reason: str = "") -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(RuntimeError):
                await self.ws.close(code=code, reason=reason)

    def context(self, caller: Caller, headers: Mapping[str, str]) -> dict[str, Any]:
        return {
            "caller": caller,
            "headers": dict(headers),
            "loaders": {},
            "request": self.ws,
            "subscribed": asyncio.Event(),
        }

    def start(self, operation_id: str, coroutine: Any) -> None:
        task = asyncio.create_task(self._guarded(operation_id, coroutine))
        self.operations[operation_id] = task
        task.add_done_callback(lambda _: self.operations.pop(operation_id, None))

    async def _guarded(self, operation_id: str, coroutine: Any) -> None:
        """An emulator bug ends the operation with an InternalError, never the connection."""
        try:
            await coroutine
        except Exception:
            log.exception("websocket operation %s failed", operation_id)
            await self.on_errors(operation_id, [GraphQLError("Internal error in the local emulator", path=[])])

    async def execute(
        self, operation_id: str, request: Mapping[str, Any], context: dict[str, Any], *, subscriptions_only: bool
    ) -> None:
        """Run one operation to its end, sending its results through the protocol's hooks."""
        options = {
            "variable_values": request.get("variables") or None,
            "context_value": context,
            "operation_name": request.get("operationName"),
        }
        query = request.get("query")
        if subscriptions_only:
            stream = await self.schema.subscribe(query, **options)
        else:
            stream = await self.schema.stream(query, **options)
        async with aclosing(stream):
            first = asyncio.ensure_future(anext(stream))
            ready = asyncio.ensure_future(context["subscribed"].wait())
            try:
                await asyncio.wait({first, ready}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                ready.cancel()
            if context["subscribed"].is_set():
                await self.on_subscribed(operation_id)
            try:
                result = await first
            except StopAsyncIteration:
                await self.on_complete(operation_id)
                return
            if isinstance(result, PreExecutionError):
                await self.on_errors(operation_id, result.errors or [])
                return
            while True:
                await self.on_result(operation_id, result.data, result.errors or [])
                try:
                    result = await anext(stream)
                except StopAsyncIteration:
                    break
        await self.on_complete(operation_id)

    async def on_subscribed(self, operation_id: str) -> None:
        """The subscription is registered: events from now on reach it."""

    async def on_result(self, operation_id: str, data: Any, errors: list[GraphQLError]) -> None:
        raise NotImplementedError

    async def on_errors(self, operation_id: str, errors: list[GraphQLError]) -> None:
        raise NotImplementedError

    async def on_complete(self, operation_id: str) -> None:
        raise NotImplementedError


class GraphQLTransportWs(_Connection):
    """The graphql-transport-ws protocol (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md)."""

    protocol = GRAPHQL_TRANSPORT_WS

    caller: Caller | None = None
    headers: dict[str, str]

    async def opened(self) -> None:
        self.background.append(asyncio.create_task(self._init_timeout()))

    async def _init_timeout(self) -> None:
        await asyncio.sleep(INIT_TIMEOUT_SECONDS)
        if self.caller is None:
            await self.close(4408, "Connection initialisation timeout")

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init":
            await self._init(message.get("payload") or {})
        elif kind == "ping":
            await self.send({"type": "pong", **({"payload": message["payload"]} if "payload" in message else {})})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            task = self.operations.pop(str(message.get("id")), None)
            if task:
                task.cancel()
        else:
            await self.invalid(f"Unknown message type: {kind}")

    async def _init(self, payload: Any) -> None:
        if self.caller is not None:
            await self.close(4429, "Too many initialisation requests")
            return
        if not isinstance(payload, dict):
            await self.close(4400, "Invalid connection init payload")
            return
        # Credentials as connection params; GraphiQL sends its headers editor's content here.
        headers = _headers({**payload, **(payload.get("headers") if isinstance(payload.get("headers"), dict) else {})})
        try:
            self.caller = self.authenticator.caller(headers, self.client_ip)
        except Unauthenticated:
            await self.close(4403, "Forbidden")
            return
        self.headers = headers
        await self.send({"type": "connection_ack"})

    async def _subscribe(self, message: dict[str, Any]) -> None:
        if self.caller is None:
            await self.close(4401, "Unauthorized")
            return
        operation_id, payload = message.get("id"), message.get("payload")
        if not isinstance(operation_id, str) or not isinstance(payload, dict):
            await self.invalid("A subscribe message needs an id and a payload")
            return
        if operation_id in self.operations:
            await self.close(4409, f"Subscriber for {operation_id} already exists")
            return
        context = self.context(self.caller, self.headers)
        self.start(operation_id, self.execute(operation_id, payload, context, subscriptions_only=False))

    async def on_result(self, operation_id: str, data: Any, errors: list[GraphQLError]) -> None:
        payload: dict[str, Any] = {"data": data}
        if errors:
            payload["errors"] = [appsync.appsync_error(e) for e in errors]
        await self.send({"id": operation_id, "type": "next", "payload": payload})

    async def on_errors(self, operation_id: str, errors: list[GraphQLError]) -> None:
        await self.send({"id": operation_id, "type": "error", "payload": [appsync.appsync_error(e) for e in errors]})

    async def on_complete(self, operation_id: str) -> None:
        await self.send({"id": operation_id, "type": "complete"})


class AppSyncRealtime(_Connection):
    """AppSync's real-time protocol, as its real-time endpoint serves it."""

    protocol = APPSYNC_REALTIME

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init":
            await self._init()
        elif kind == "start":
            await self._start(message)
        elif kind == "stop":
            operation_id = str(message.get("id"))
            task = self.operations.pop(operation_id, None)
            if task:
                task.cancel()
            await self.send({"type": "complete", "id": operation_id})
        elif kind == "connection_terminate":
            await self.close(1000)
        else:
            await self.invalid(f"Unknown message type: {kind}")

    async def invalid(self, reason: str) -> None:
        await self.send(
            {"type": "error", "payload": {"errors": [{"errorType": "UnsupportedOperation", "message": reason}]}}
        )

    def _connection_caller(self) -> Caller:
        """Who opened the connection: from the `header-…` subprotocol (Amplify) or the `header` parameter (gql)."""
        offered = self.ws.scope.get("subprotocols") or []
        encoded = next((p.removeprefix(HEADER_SUBPROTOCOL) for p in offered if p.startswith(HEADER_SUBPROTOCOL)), None)
        encoded = encoded or self.ws.query_params.get("header")
        if not encoded:
            raise Unauthenticated("No authorization: neither a header- subprotocol nor a header parameter")
        try:
            # Base64url without padding in the subprotocol; standard base64 in the query parameter.
            decoded = base64.urlsafe_b64decode(encoded.translate(TO_URLSAFE) + "=" * (-len(encoded) % 4))
            headers = json.loads(decoded)
        except (binascii.Error, ValueError):
            raise Unauthenticated("The connection's authorization header is not base64-encoded JSON") from None
        if not isinstance(headers, dict):
            raise Unauthenticated("The connection's authorization header is not a JSON object")
        return self.authenticator.caller(_headers(headers), self.client_ip)

    async def _init(self) -> None:
        try:
            self._connection_caller()
        except Unauthenticated as refusal:
            error = {"errorType": "UnauthorizedException", "errorCode": 401, "message": str(refusal)}
            await self.send({"type": "connection_error", "payload": {"errors": [error]}})
            await self.close(1000)
            return
        await self.send({"type": "connection_ack", "payload": {"connectionTimeoutMs": CONNECTION_TIMEOUT_MS}})
        if not self.background:
            self.background.append(asyncio.create_task(self._keep_alive()))

    async def _keep_alive(self) -> None:
        while not self.closed:
            await self.send({"type": "ka"})
            await asyncio.sleep(KEEP_ALIVE_SECONDS)

    async def _start(self, message: dict[str, Any]) -> None:
        operation_id, payload = message.get("id"), message.get("payload")
        if not isinstance(operation_id, str) or not isinstance(payload, dict):
            await self.invalid("A start message needs an id and a payload")
            return
        if operation_id in self.operations:
            await self._error(operation_id, "DuplicatedOperationError", f"Subscription {operation_id} already exists")
            return
        authorization = (payload.get("extensions") or {}).get("authorization")
        try:
            if not isinstance(authorization, dict):
                raise Unauthenticated("The start message has no extensions.authorization")
            headers = _headers(authorization)
            caller = self.authenticator.caller(headers, self.client_ip)
        except Unauthenticated as refusal:
            await self._error(operation_id, "UnauthorizedException", str(refusal))
            return
        try:
            request = json.loads(payload.get("data") or "")
        except ValueError:
            request = None
        if not isinstance(request, dict):
            await self._error(operation_id, "ValidationError", "payload.data must be the request as a JSON string")
            return
        context = self.context(caller, headers)
        self.start(operation_id, self.execute(operation_id, request, context, subscriptions_only=True))

    async def _error(self, operation_id: str, error_type: str, message: str) -> None:
        await self.send(
            {
                "type": "error",
                "id": operation_id,
                "payload": {"errors": [{"errorType": error_type, "message": message}]},
            }
        )

    async def on_subscribed(self, operation_id: str) -> None:
        await self.send({"type": "start_ack", "id": operation_id})

    async def on_result(self, operation_id: str, data: Any, errors: list[GraphQLError]) -> None:
        payload: dict[str, Any] = {"data": data}
        if errors:
            payload["errors"] = [appsync.appsync_error(e) for e in errors]
        await self.send({"type": "data", "id": operation_id, "payload": payload})

    async def on_errors(self, operation_id: str, errors: list[GraphQLError]) -> None:
        await self.send(
            {"type": "error", "id": operation_id, "payload": {"errors": [appsync.appsync_error(e) for e in errors]}}
        )

    async def on_complete(self, operation_id: str) -> None:
        await self.send({"type": "complete", "id": operation_id})
