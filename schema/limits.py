"""Limits AppSync applies to this API, read by the CDK stack and the local emulator alike."""

QUERY_DEPTH_LIMIT = 10
RESOLVER_COUNT_LIMIT = 1000
# AppSync BatchInvoke: how many parent objects one Lambda call resolves a nested field for.
MAX_BATCH_SIZE = 100
