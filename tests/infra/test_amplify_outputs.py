"""The outputs tools/amplify_outputs.py reads are the ones the stack states."""

from __future__ import annotations

from tests.infra.conftest import Synthesized
from tools.amplify_outputs import STACK_OUTPUTS


def test_the_stack_states_every_output_amplify_outputs_reads(dev: Synthesized) -> None:
    assert set(STACK_OUTPUTS) <= set(dev.template.find_outputs("*"))
