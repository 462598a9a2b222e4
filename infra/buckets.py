"""Every bucket of the stack is private, encrypted, TLS-only, and kept in production."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.names import Stage


def private_bucket(scope: Construct, construct_id: str, *, stage: Stage, **settings: Any) -> s3.Bucket:
    """A bucket no one reaches without credentials or a presigned URL; `settings` add to it."""
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.RETAIN if stage.production else RemovalPolicy.DESTROY,
        auto_delete_objects=not stage.production,
        **settings,
    )
