"""Hosting for the web client: a private bucket behind CloudFront with origin access control.

The React/Angular client is built and deployed separately into the bucket; CloudFront
serves it over HTTPS and falls back to index.html so client-side routes work.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.buckets import private_bucket
from infra.nag import acknowledge
from infra.names import Stage


class WebHosting(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage, access_logs: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Site",
            stage=stage,
            versioned=stage.production,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="web-bucket/",
        )
        spa_fallback = [
            cloudfront.ErrorResponse(
                http_status=status, response_http_status=200, response_page_path="/index.html", ttl=Duration.seconds(0)
            )
            for status in (403, 404)
        ]
        self.distribution = cloudfront.Distribution(
            self,
            "Cdn",
            comment=f"{stage.prefix} web client",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            ),
            error_responses=spa_fallback,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="web-cdn/",
        )
        acknowledge(self.distribution, "CFR1", "A streaming catalog for every country; licensing is enforced per song")
        acknowledge(self.distribution, "CFR2", "AWS WAF is a per-deployment cost decision; add a web ACL in front")
        acknowledge(
            self.distribution,
            "CFR4",
            "The default *.cloudfront.net certificate fixes the viewer TLS policy; a custom domain's certificate "
            "allows TLS 1.2+ (`minimum_protocol_version` has no effect without one)",
        )

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"
