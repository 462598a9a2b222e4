"""Settings for every test process."""

import os

# The pinned CDK libraries warn loudly on Node 20 at import; the machine's Node is 20.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
