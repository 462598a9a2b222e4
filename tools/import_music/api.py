"""The API as the importer uses it: GraphQL over HTTP, sign-in, and presigned uploads.

The same calls work locally and on a deployed stack: sign-in goes through the API's own
`login` mutation (an API key admits it), or a token is given. One requests session with a
connection pool as large as the number of workers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter

TIMEOUT_SECONDS = 60
LOGIN = "mutation($e: AWSEmail!, $p: String!) { login(email: $e, password: $p) { idToken } }"
REQUEST_UPLOAD = """mutation($i: UploadRequestInput!) {
  requestUpload(input: $i) { url fields { name value } }
}"""
UPLOAD_ID_ARGUMENT = {"AUDIO": "songId", "COVER": "albumId", "IMAGE": "artistId"}


class ApiError(Exception):
    """A GraphQL error: its errorType (ConflictError, ValidationError, ...) and message."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message


@dataclass(frozen=True)
class Endpoint:
    url: str
    api_key: str | None


def local_endpoint(base: str) -> Endpoint:
    """A local emulator's GraphQL URL and API key, from its /config."""
    response = requests.get(f"{base.rstrip('/')}/config", timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
    config = response.json()
    return Endpoint(base.rstrip("/") + config["graphqlUrl"], config["apiKey"])


class Api:
    def __init__(self, endpoint: Endpoint, workers: int) -> None:
        self.endpoint = endpoint
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(workers, 4) * 2)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.headers: dict[str, str] = {}

    def sign_in(self, email: str, password: str) -> None:
        if not self.endpoint.api_key:
            raise ApiError("Usage", "signing in with email and password needs the API key (--api-key)")
        answer = self._post(LOGIN, {"e": email, "p": password}, {"x-api-key": self.endpoint.api_key})
        self.headers = {"authorization": answer["login"]["idToken"]}

    def use_token(self, token: str) -> None:
        self.headers = {"authorization": token}

    def __call__(self, document: str, **variables: Any) -> dict[str, Any]:
        return self._post(document, variables, self.headers)

    def _post(self, document: str, variables: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        response = self.session.post(
            self.endpoint.url,
            data=json.dumps({"query": document, "variables": variables}),
            headers={"content-type": "application/json", **headers},
            timeout=TIMEOUT_SECONDS,
        )
        try:
            answer = response.json()
        except ValueError:
            raise ApiError(f"HTTP {response.status_code}", response.text[:200]) from None
        if answer.get("errors"):
            first = answer["errors"][0]
            raise ApiError(first.get("errorType") or "Error", first.get("message", ""))
        if response.status_code != 200:
            raise ApiError(f"HTTP {response.status_code}", response.text[:200])
        return answer["data"]

    def upload(self, kind: str, item_id: str, data: bytes, content_type: str) -> None:
        """Ask for a presigned POST for this item's file (AUDIO, COVER) and send it, as a browser form would."""
        request = {UPLOAD_ID_ARGUMENT[kind]: item_id, "kind": kind, "contentType": content_type, "sizeBytes": len(data)}
        presigned = self(REQUEST_UPLOAD, i=request)["requestUpload"]
        fields = {f["name"]: f["value"] for f in presigned["fields"]}
        response = self.session.post(
            presigned["url"], data=fields, files={"file": ("upload", data, content_type)}, timeout=TIMEOUT_SECONDS
        )
        if response.status_code not in (200, 201, 204):
            raise ApiError(f"HTTP {response.status_code}", f"upload refused by storage: {response.text[:200]}")
