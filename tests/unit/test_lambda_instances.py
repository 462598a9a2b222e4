"""Local functions run as Lambda runs them: concurrent instances, each a process with its own state.

The handlers are in tests/lambda_probe.py; each instance imports it afresh.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from emulator.instances import ConcurrentFunction
from emulator.lambdas import LambdaError

PROBE = "tests.lambda_probe"


@pytest.fixture
def functions() -> Iterator[list[ConcurrentFunction]]:
    """Functions made by a test; their worker processes are stopped after it."""
    made: list[ConcurrentFunction] = []
    yield made
    for function in made:
        function.stop()


def function(made: list[ConcurrentFunction], handler: str, **options: float) -> ConcurrentFunction:
    made.append(ConcurrentFunction(f"probe-{handler}", f"{PROBE}.{handler}", **options))  # type: ignore[arg-type]
    return made[-1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_events_run_side_by_side_on_separate_instances(functions: list, tmp_path: Path) -> None:
    meeting = function(functions, "rendezvous", max_instances=3)
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(meeting.invoke, [{"folder": str(tmp_path), "expected": 3}] * 3))
    assert [a["seen"] for a in answers] == [3, 3, 3]  # all three were in at once
    assert len({a["pid"] for a in answers}) == 3
    assert os.getpid() not in {a["pid"] for a in answers}


def test_each_instance_keeps_its_own_module_state(functions: list, tmp_path: Path) -> None:
    meeting = function(functions, "rendezvous", max_instances=2)
    counting = function(functions, "count", max_instances=2)
    with ThreadPoolExecutor(2) as pool:
        first = list(pool.map(counting.invoke, [{}] * 2))
        list(pool.map(meeting.invoke, [{"folder": str(tmp_path), "expected": 2}] * 2))
    warm = [counting.invoke({}) for _ in range(3)]
    by_instance: dict[int, list[int]] = {}
    for answer in [*first, *warm]:
        by_instance.setdefault(answer["pid"], []).append(answer["invocations"])
    assert sum(len(counts) for counts in by_instance.values()) == 5
    for counts in by_instance.values():
        assert counts == list(range(1, len(counts) + 1))  # one count per instance, never shared


def test_instances_are_started_lazily_and_bounded(functions: list) -> None:
    counting = function(functions, "count", max_instances=2)
    assert counting.instances == 0
    counting.invoke({})
    assert counting.instances == 1  # one event at a time needs one instance
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(counting.invoke, [{}] * 24))
    assert len({a["pid"] for a in answers}) <= 2
    assert counting.instances <= 2


def test_a_timed_out_instance_is_stopped_and_the_next_event_gets_a_fresh_one(functions: list) -> None:
    counting = function(functions, "count", timeout_seconds=0.5, max_instances=1)
    before = counting.invoke({})
    with pytest.raises(LambdaError) as timed_out:
        counting.invoke({"hang": True})
    assert timed_out.value.error_type == "Sandbox.Timedout"
    assert timed_out.value.message == "Task timed out after 0.50 seconds"
    assert not alive(before["pid"])
    after = counting.invoke({})
    assert after["pid"] != before["pid"]
    assert after["invocations"] == 1  # a new instance: its module state starts over
    assert 0 < after["remainingMs"] <= 500


def test_errors_come_back_as_lambda_reports_them(functions: list) -> None:
    with pytest.raises(LambdaError) as failed:
        function(functions, "fail").invoke({})
    assert (failed.value.error_type, failed.value.message) == ("KeyError", "'no such song'")
    with pytest.raises(LambdaError) as unmarshalled:
        function(functions, "unmarshallable").invoke({})
    assert unmarshalled.value.error_type == "Runtime.MarshalError"
    with pytest.raises(LambdaError) as not_imported:
        ConcurrentFunction("missing", "tests.no_such_module.handler").invoke({})
    assert not_imported.value.error_type == "Runtime.ImportModuleError"


def test_an_instance_that_exits_fails_its_event_and_is_replaced(functions: list) -> None:
    exiting = function(functions, "exit_hard", max_instances=1)
    with pytest.raises(LambdaError) as exited:
        exiting.invoke({})
    assert exited.value.error_type == "Runtime.ExitError"
    assert "exit status 3" in exited.value.message
    assert exiting.instances == 0
    with pytest.raises(LambdaError):
        exiting.invoke({})  # served (and failed the same way) by a fresh instance, not a dead one


def test_instances_see_the_emulator_environment_and_a_json_copy_of_the_event(
    functions: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    environment = function(functions, "environment")
    assert environment.invoke({"names": ("AWS_ENDPOINT_URL",)}) == {"AWS_ENDPOINT_URL": "http://127.0.0.1:1"}
    with pytest.raises(TypeError):
        environment.invoke({"names": {"AWS_ENDPOINT_URL"}})  # not JSON: Lambda could not receive it


def test_stopping_ends_every_instance(functions: list) -> None:
    counting = function(functions, "count", max_instances=2)
    with ThreadPoolExecutor(2) as pool:
        pids = {a["pid"] for a in pool.map(counting.invoke, [{}] * 4)}
    counting.stop()
    assert not any(alive(pid) for pid in pids)
    with pytest.raises(LambdaError):
        counting.invoke({})


def test_a_warmed_instance_serves_the_first_event(functions: list) -> None:
    counting = function(functions, "count", max_instances=2)
    counting.warm()
    assert counting.instances == 1
    first = counting.invoke({})
    assert first["invocations"] == 1
    assert counting.instances == 1  # no second instance: the warm one was free
