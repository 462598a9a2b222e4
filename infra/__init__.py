"""CDK constructs of the Cloud Music Platform, one per concern; `infra.stack` composes them."""
