"""emulator/moto_fixes/dispatch.py: moto's server finds each request's service as before, without listing its package."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from emulator.moto_fixes import dispatch


@pytest.fixture
def fixed() -> Iterator[None]:
    dispatch.install()
    try:
        yield
    finally:
        dispatch.uninstall()


def test_the_modules_are_motos_and_listed_once(fixed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = list(dispatch.PATCH.original())
    assert list(backends.list_of_moto_modules()) == expected

    def no_listing(path: str) -> list[str]:
        raise AssertionError(f"listed {path} again")

    monkeypatch.setattr(os, "listdir", no_listing)
    assert list(backends.list_of_moto_modules()) == expected


def test_requests_still_reach_their_service(fixed: None) -> None:
    app = DomainDispatcherApplication(create_backend_app)
    signed = "AWS4-HMAC-SHA256 Credential=local/20261201/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=x"
    for service, expected in (("dynamodb", "dynamodb"), ("s3", "s3"), ("sqs", "sqs")):
        environ = {
            "PATH_INFO": "/",
            "HTTP_AUTHORIZATION": signed.format(service),
            "HTTP_HOST": "127.0.0.1",
            "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.Query",
        }
        assert app.get_application(environ).service == expected
