"""Who may call what: the schema's auth directives, enforced by the emulator as AppSync does."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Api, Run

CREATE = 'mutation { createArtist(input: {name: "Nope"}) { id } }'


def post(local_api: Api, body: dict, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(
        local_api.url, json.dumps(body).encode(), {"content-type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.parametrize("who", ["guest", "listener"])
def test_only_admins_write_the_catalog(who: str, request: pytest.FixtureRequest) -> None:
    caller: Run = request.getfixturevalue(who)
    with pytest.raises(TransportQueryError) as raised:
        caller(CREATE)
    assert raised.value.errors[0]["errorType"] == "Unauthorized"


def test_guests_cannot_browse(guest: Run) -> None:
    with pytest.raises(TransportQueryError) as raised:
        guest("{ songs { items { id } } }")
    assert raised.value.errors[0]["errorType"] == "Unauthorized"


def test_signed_in_callers_cannot_use_guest_only_types(listener: Run) -> None:
    with pytest.raises(TransportQueryError) as raised:
        listener('mutation { login(email: "a@example.com", password: "x") { idToken } }')
    assert raised.value.errors[0]["errorType"] == "Unauthorized"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-api-key": "da2-wrong"},
        {"authorization": "not.a.jwt"},
        {"authorization": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."},
    ],
)
def test_requests_without_valid_credentials_get_401(local_api: Api, headers: dict[str, str]) -> None:
    status, body = post(local_api, {"query": "{ genres { id } }"}, headers)
    assert status == 401
    assert body["errors"][0]["errorType"] == "UnauthorizedException"


def test_tampered_token_is_rejected(local_api: Api, guest: Run) -> None:
    token = guest('mutation { login(email: "listener@example.com", password: "Listener123!") { idToken } }')["login"][
        "idToken"
    ]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["cognito:groups"] = ["admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    status, _ = post(local_api, {"query": CREATE}, {"authorization": f"{header}.{forged}.{signature}"})
    assert status == 401


def test_graphiql_page_and_bundle_are_served_offline(local_api: Api) -> None:
    local_api.local_only()
    with urllib.request.urlopen(local_api.url, timeout=10) as response:
        page = response.read().decode()
    assert "/graphiql/graphiql.min.js" in page
    assert local_api.config["apiKey"] in page
    for asset in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"):
        with urllib.request.urlopen(f"{local_api.base}/graphiql/{asset}", timeout=10) as response:
            assert response.status == 200


def test_cors_preflight_allows_a_browser_frontend(local_api: Api) -> None:
    local_api.local_only()
    request = urllib.request.Request(
        local_api.url,
        method="OPTIONS",
        headers={
            "origin": "http://localhost:5173",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization,content-type",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")


def test_cors_preflight_allows_amplify_auth_on_the_user_pool_endpoint(local_api: Api) -> None:
    """A browser's Amplify Auth posts Cognito's JSON-RPC to `userPoolEndpoint` with these headers."""
    local_api.local_only()
    request = urllib.request.Request(
        local_api.config["userPoolEndpoint"],
        method="OPTIONS",
        headers={
            "origin": "http://localhost:5173",
            "access-control-request-method": "POST",
            "access-control-request-headers": "cache-control,content-type,x-amz-target,x-amz-user-agent",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")
