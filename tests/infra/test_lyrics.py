"""The lyrics infrastructure: the Transcribe state-change rule, its function's DLQ and alarms,
and Transcribe permissions scoped to our jobs and the transcripts folder."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match

from tests.infra.conftest import Synthesized

HANDLER = "resolvers.handlers.lyrics.handler"


def _function_id(dev: Synthesized) -> str:
    functions = dev.template.find_resources("AWS::Lambda::Function", {"Properties": {"Handler": HANDLER}})
    (logical_id,) = functions
    return logical_id


def _statements(dev: Synthesized, action: str) -> list[dict[str, Any]]:
    found = []
    for policy in dev.template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if action in actions:
                found.append(statement)
    return found


def test_finished_lyrics_jobs_invoke_the_function_with_retries_and_a_dead_letter_queue(dev: Synthesized) -> None:
    dev.template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.transcribe"],
                "detail-type": ["Transcribe Job State Change"],
                "detail": {
                    "TranscriptionJobStatus": ["COMPLETED", "FAILED"],
                    "TranscriptionJobName": [{"prefix": "lyrics-"}],
                },
            },
            "Targets": [
                Match.object_like(
                    {
                        "Arn": {"Fn::GetAtt": [_function_id(dev), "Arn"]},
                        "DeadLetterConfig": {"Arn": Match.any_value()},
                        "RetryPolicy": Match.object_like({"MaximumRetryAttempts": 4}),
                    }
                )
            ],
        },
    )


def test_the_function_and_its_dead_letters_raise_alarms(dev: Synthesized) -> None:
    alarms = dev.template.find_resources("AWS::CloudWatch::Alarm")
    names = json.dumps(alarms)
    assert "LyricsErrors" in names and "LyricsDlqDepth" in names


def test_transcribe_permissions_name_only_our_jobs_and_the_transcripts_folder(dev: Synthesized) -> None:
    for action in ("transcribe:StartTranscriptionJob", "transcribe:GetTranscriptionJob"):
        statements = _statements(dev, action)
        assert statements, action
        for statement in statements:
            assert "transcription-job/lyrics-*" in json.dumps(statement["Resource"]), statement
    starts = _statements(dev, "transcribe:StartTranscriptionJob")
    assert len(starts) == 2, "the API function and the media processor (automatic transcription)"
    transcripts = [s for s in _statements(dev, "s3:PutObject") if "transcripts/*" in json.dumps(s["Resource"])]
    assert len(transcripts) == 2


def test_automatic_transcription_is_off_unless_the_stage_asks(dev: Synthesized, prod: Synthesized) -> None:
    """Transcribe bills per minute: the processor transcribes first uploads only with
    `-c autoTranscribeLyrics=true` (app.py), never by default in any stage."""
    for synthesized in (dev, prod):
        synthesized.template.has_resource_properties(
            "AWS::Lambda::Function",
            {
                "Handler": "resolvers.handlers.media_processor.handler",
                "Environment": {"Variables": Match.object_like({"AUTO_TRANSCRIBE_LYRICS": "false"})},
            },
        )
