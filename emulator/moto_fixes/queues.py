"""An SQS receive reads each message's retention period, not every attribute of its queue per message.

moto 5.2.5's `SQSBackend.is_message_valid_based_on_retention_period` runs for each message a
receive looks at, and asks `get_queue_attributes(queue, ["MessageRetentionPeriod"])`, which
builds the queue's whole attribute dict three times, its approximate message counts walking
every message: a receive cost O(messages²). Under `python -m bench.load` that was 6 % of the
emulator's CPU. Here the retention period is read from the queue itself, the attribute that
dict is built from; the check is moto's.
"""

from __future__ import annotations

from moto.core.utils import unix_time
from moto.sqs.models import Message, SQSBackend

from emulator.moto_fixes.patching import Patch


def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message: Message) -> bool:
    retention_period = getattr(self.get_queue(queue_name), "message_retention_period", None)
    if retention_period is None:  # not among the queue's attributes: moto's own lookup and its error
        return PATCH.original(self, queue_name, message)
    return retention_period + message.sent_timestamp / 1000 > unix_time()


PATCH = Patch(SQSBackend, "is_message_valid_based_on_retention_period", is_message_valid_based_on_retention_period)


install, uninstall = PATCH.install, PATCH.uninstall
