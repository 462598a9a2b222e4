"""moto's server finds a request's service without listing its own package directory each time,
and answers the JSON-protocol services our code calls without going through Flask.

moto 5.2.5's `DomainDispatcherApplication.get_backend_for_host` (moto/moto_server/werkzeug_app.py)
asks `backends.list_of_moto_modules()`, which lists moto's package directory and checks each
entry with `os.path.isdir`, for every request, under the dispatcher's lock: with 20 listeners
(`python -m bench.load`) that was 10 % of the emulator's CPU, and every request of every
service queued on it. The directory does not change while the process runs: it is listed once.

Then every request went through a Flask app per service: its request context, its URL map
(werkzeug's routing matcher was 5 % of the emulator's CPU during an import, on its own), CORS
hooks, and a Flask response built from what moto's handler returned. For DynamoDB, SQS and
Cognito, whose JSON protocol names the action in `X-Amz-Target` and always posts to `/`,
moto's Flask view (`convert_to_flask_response`) only hands the handler the request, its URL
and headers, and wraps the result: that is done here directly, with the same request class,
arguments and response (CORS header included). A browser's call (it sends `Origin`) still
goes through Flask, whose CORS extension answers it, as does every other request (S3, SNS's
query protocol, moto's own API). moto's request recorder, off unless asked for, is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from botocore.exceptions import ClientError
from moto import backends
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import BackendRequest, DomainDispatcherApplication
from moto.sqs.responses import SQSResponse
from werkzeug.wrappers import Response

from emulator.moto_fixes.patching import Patch, Patches

CORS_HEADER = "Access-Control-Allow-Origin"
# X-Amz-Target's prefix -> the callable moto's Flask route for that service calls (moto/<service>/urls.py).
JSON_SERVICES: dict[str, Callable[..., Any]] = {
    "DynamoDB_20120810": DynamoHandler.dispatch,
    "AmazonSQS": SQSResponse.dispatch,
    "AWSCognitoIdentityProviderService": CognitoIdpResponse.dispatch,
}


@cache
def list_of_moto_modules() -> tuple[str, ...]:
    """moto's service modules, as moto lists them, once."""
    return tuple(PATCHES[0].original())


def serve(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """moto's WSGI entry point; a JSON-protocol call of ours goes straight to its service's handler."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    handler = JSON_SERVICES.get(target.partition(".")[0])
    direct = environ.get("PATH_INFO") == "/" and environ.get("REQUEST_METHOD") == "POST"
    if handler is None or not direct or "HTTP_ORIGIN" in environ:  # a browser's call: Flask-CORS answers it
        return PATCHES[1].original(self, environ, start_response)
    request = BackendRequest(environ)
    try:  # what convert_to_flask_response does around moto's handler
        result = handler(request, request.raw_url, dict(request.headers))
    except ClientError as error:
        result = 400, {}, error.response["Error"]["Message"]
    status, headers, content = result if len(result) == 3 else (200, {}, result)
    response = Response(response=content, status=status, headers=headers)
    response.headers[CORS_HEADER] = "*"  # what Flask-CORS adds to every answer to a call without Origin
    return response(environ, start_response)


PATCHES = Patches(
    Patch(backends, "list_of_moto_modules", list_of_moto_modules),  # type: ignore[arg-type]
    Patch(DomainDispatcherApplication, "__call__", serve),
)


install, uninstall = PATCHES.install, PATCHES.uninstall
