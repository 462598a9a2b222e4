"""Time limits agree: AWS clients give up before their function does, and the emulator times
functions out as the stack does, so a dead dependency reads the same locally and on AWS."""

from __future__ import annotations

from emulator.aws import API_FUNCTION, FUNCTIONS
from resolvers import aws_clients
from tests.infra.conftest import Synthesized

# AppSync stops waiting for a Lambda data source after 30 s, whatever the function's timeout.
APPSYNC_RESOLVER_SECONDS = 30


def _stack_timeouts(synthesized: Synthesized) -> dict[str, int]:
    """Our functions' timeouts by handler (CDK's own helper functions left out)."""
    functions = synthesized.template.find_resources("AWS::Lambda::Function")
    return {
        f["Properties"]["Handler"]: f["Properties"]["Timeout"]
        for f in functions.values()
        if f["Properties"].get("Handler", "").startswith("resolvers.")
    }


def test_the_emulator_times_functions_out_as_the_stack_does(dev: Synthesized) -> None:
    assert {spec.handler: spec.timeout_seconds for spec in FUNCTIONS} == _stack_timeouts(dev)


def test_a_hung_aws_call_gives_up_before_its_function_times_out(dev: Synthesized) -> None:
    """Else the caller gets a bare Lambda timeout instead of UnavailableError."""
    shortest = min(_stack_timeouts(dev).values())
    assert aws_clients.longest_call_seconds() < shortest


def test_the_api_function_times_out_before_appsync_stops_waiting() -> None:
    (api,) = (spec for spec in FUNCTIONS if spec.name == API_FUNCTION)
    assert api.timeout_seconds < APPSYNC_RESOLVER_SECONDS
