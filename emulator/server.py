"""The local API server: GraphQL over HTTP and websockets at /graphql, GraphiQL on GET.

Websockets at /graphql speak graphql-transport-ws or AppSync's real-time protocol, chosen
by the subprotocol the client offers; /graphql/realtime is AppSync's real-time endpoint
where AppSync clients derive it (Amplify appends `/realtime` to a non-AppSync host), in
AppSync's protocol only (emulator/realtime.py). The same app is served over HTTP and over
HTTPS/WSS with the local CA (emulator/tls.py), which Amplify needs. Also: `GET /config`
(what the CDK stack's outputs say on AWS: the client's settings), `GET /amplify_outputs.json`
(Amplify's whole configuration, its URLs the HTTPS ones), `GET /local-ca.pem` (the CA to
trust), `GET /outbox` (mail that AWS would have sent) and `GET /subscriptions` (what is
subscribed right now). Binds to 127.0.0.1 only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cross_web import HTTPException
from graphql import ExecutionResult
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import DisableIntrospection, ParserCache, QueryDepthLimiter, ValidationCache

from emulator import appsync, realtime, user_pool_endpoint
from emulator.auth import Authenticator, Caller, SignedRequest, Unauthenticated
from emulator.aws import REGION, LocalStack
from emulator.lambdas import Function
from emulator.outbox import Outbox
from schema import build_schema
from schema.limits import QUERY_DEPTH_LIMIT
from tools import amplify_outputs

ROOT = Path(__file__).resolve().parent.parent
GRAPHIQL_ASSETS = {
    "graphiql.min.js": ROOT / "node_modules/graphiql/graphiql.min.js",
    "graphiql.min.css": ROOT / "node_modules/graphiql/graphiql.min.css",
    "react.production.min.js": ROOT / "node_modules/react/umd/react.production.min.js",
    "react-dom.production.min.js": ROOT / "node_modules/react-dom/umd/react-dom.production.min.js",
}
GRAPHIQL_PAGE = Path(__file__).with_name("static") / "graphiql.html"
DOCUMENTS_CACHED = 256  # distinct GraphQL documents kept parsed and validated


@dataclass(frozen=True)
class Frontend:
    """What a frontend is told to use: the HTTPS origin (Amplify opens wss:// only) and the CA to trust."""

    https_origin: str
    ca_file: Path


class AppSyncView(GraphQL):
    """strawberry's ASGI view, answering as AppSync does."""

    def __init__(self, authenticator: Authenticator, stack: LocalStack, api: Function, *, introspection: bool) -> None:
        # The stack's AppSync settings (infra/api.py): its depth limit, and introspection off in production.
        # strawberry counts the levels below the top-level field; AppSync's limit counts "nested levels",
        # read here strictly (the top-level field is level 1), so a query that passes here passes there.
        limits = [QueryDepthLimiter(max_depth=QUERY_DEPTH_LIMIT - 1)]
        # A client sends the same few documents again and again: parse and validate each once
        # (strawberry's bounded LRU caches): validation was 3 % of the emulator's CPU under load, and
        # ~10 ms per publishNewContent of the release fan-out on graphql-core 3.3.
        caches = [ParserCache(maxsize=DOCUMENTS_CACHED), ValidationCache(maxsize=DOCUMENTS_CACHED)]
        extensions = [*limits, *([] if introspection else [DisableIntrospection()]), *caches]
        schema = build_schema(extensions=extensions)
        self.subscriptions = appsync.bind(schema, api)
        # Websockets are served by emulator/realtime.py, in AppSync's protocol as well.
        super().__init__(schema, allow_queries_via_get=False, graphql_ide=None, subscription_protocols=())
        self.authenticator = authenticator
        self.stack = stack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            websocket = WebSocket(scope, receive, send)
            appsync_only = scope["path"].rstrip("/").endswith("/realtime")
            await realtime.serve(websocket, self.schema, self.authenticator, appsync_only=appsync_only)
            return
        if scope["type"] == "http" and scope["method"] == "GET":
            await self._graphiql(scope, receive, send)
            return
        if scope["type"] == "http" and scope["method"] == "POST":
            request = Request(scope, receive)
            body = await request.body()  # a SigV4 signature covers the body
            try:
                caller = self.authenticator.caller(
                    request.headers, _client_ip(request), SignedRequest(request.method, str(request.url), body)
                )
            except Unauthenticated as refusal:
                error = {"errors": [{"errorType": "UnauthorizedException", "message": str(refusal)}]}
                await JSONResponse(error, status_code=401)(scope, receive, send)
                return
            scope.setdefault("state", {})["caller"] = caller
            response = await self._answer(Request(scope, _replay(body, receive)), body)
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def _answer(self, request: Request, body: bytes) -> Response:
        """The GraphQL answer; a request that is not one gets AppSync's 400, in GraphQL's shape."""
        if not body.strip():
            return _malformed("Request body is empty.")
        try:
            envelope = json.loads(body)
        except ValueError:  # not JSON, or not UTF-8
            envelope = None
        if not isinstance(envelope, dict):  # strawberry would fail on it with a 500
            return _malformed("Unable to parse GraphQL query.")
        try:
            return await self.run(request)
        except HTTPException as refusal:  # no query, variables not an object, unknown operation...
            return _malformed(refusal.reason, refusal.status_code)

    async def _graphiql(self, scope: Scope, receive: Receive, send: Send) -> None:
        page = GRAPHIQL_PAGE.read_text().replace("__API_KEY__", json.dumps(self.stack.api_key))
        await HTMLResponse(page)(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> dict[str, Any]:
        caller: Caller | None = request.state.caller if hasattr(request.state, "caller") else None
        return {"caller": caller, "headers": dict(request.headers), "loaders": {}, "request": request}

    async def process_result(self, request: Request, result: ExecutionResult) -> dict[str, Any]:
        response: dict[str, Any] = {"data": result.data}
        if result.errors:
            response["errors"] = [appsync.appsync_error(error) for error in result.errors]
        return response


def _malformed(reason: str, status: int = 400) -> JSONResponse:
    """AppSync's answer to an HTTP request that holds no GraphQL request it can read."""
    return JSONResponse({"errors": [{"errorType": "MalformedHttpRequestException", "message": reason}]}, status)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The request's body once more, for the GraphQL view, after the auth check read it."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "127.0.0.1"


def create_app(
    stack: LocalStack, api: Function, outbox: Outbox, frontend: Frontend, *, introspection: bool = True
) -> Starlette:
    view = AppSyncView(Authenticator(stack), stack, api, introspection=introspection)
    outputs = amplify_outputs.document(
        region=REGION,
        graphql_url=f"{frontend.https_origin}/graphql",
        api_key=stack.api_key,
        user_pool_id=stack.user_pool_id,
        user_pool_client_id=stack.user_pool_client_id,
    )

    async def amplify(_: Request) -> JSONResponse:
        return JSONResponse(outputs)

    async def local_ca(_: Request) -> Response:
        # Public by nature (a certificate); served on plain HTTP so it can be fetched before it is trusted.
        return Response(frontend.ca_file.read_bytes(), media_type="application/x-pem-file")

    async def config(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "region": "us-east-1",
                "graphqlUrl": "/graphql",
                "apiKey": stack.api_key,
                "userPoolId": stack.user_pool_id,
                "userPoolClientId": stack.user_pool_client_id,
                # Amplify Auth's `userPoolEndpoint`: the local user pool, on this server's origin.
                "userPoolEndpoint": str(request.url_for("pool")),
                "awsEndpoint": stack.endpoint,
                "mediaBucket": stack.media_bucket,
            }
        )

    async def mail(request: Request) -> JSONResponse:
        return JSONResponse(outbox.messages(request.query_params.get("to")))

    async def subscriptions(_: Request) -> JSONResponse:
        return JSONResponse(view.subscriptions.active())

    async def asset(request: Request) -> Response:
        path = GRAPHIQL_ASSETS.get(request.path_params["name"])
        if path is None or not path.exists():
            return Response("not found: run `make setup` to install the GraphiQL bundle", status_code=404)
        return FileResponse(path)

    return Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            WebSocketRoute("/graphql/realtime", view),
            Route("/graphiql/{name}", asset),
            Route("/config", config),
            Route(user_pool_endpoint.PATH, user_pool_endpoint.endpoint(stack.endpoint), methods=["POST"], name="pool"),
            Route("/amplify_outputs.json", amplify),
            Route("/local-ca.pem", local_ca),
            Route("/outbox", mail),
            Route("/subscriptions", subscriptions),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["authorization", "x-api-key", "content-type", *user_pool_endpoint.REQUEST_HEADERS],
            )
        ],
    )
