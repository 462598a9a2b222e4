"""Upload audio through a presigned POST; the pipeline makes the song playable, or says why not."""

from __future__ import annotations

import time
import urllib.request
import uuid
from typing import Any

import boto3
import pytest
import requests
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Api, Run, unique
from tests.media_files import mp3, png, wav

CREATE_SONG = "mutation($i: CreateSongInput!) { createSong(input: $i) { id status } }"
REQUEST_UPLOAD = """mutation($i: UploadRequestInput!) {
  requestUpload(input: $i) { url key expiresAt maxSizeBytes fields { name value } }
}"""
SONG = """query($id: ID!) {
  song(id: $id) { id status durationSeconds failureReason streamUrl audio { format sizeBytes bitrate sampleRate channels } }
}"""
PIPELINE_SECONDS = 20


@pytest.fixture
def song(admin: Run) -> dict[str, Any]:
    artist = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique("Uploader"))
    return admin(CREATE_SONG, i={"title": unique("Take"), "artistId": artist["createArtist"]["id"], "genre": "rock"})[
        "createSong"
    ]


def upload(admin: Run, song_id: str, content: bytes, content_type: str, declared_size: int | None = None) -> str:
    """Ask for a presigned POST and send the file as a browser form would; returns the object key."""
    target = admin(
        REQUEST_UPLOAD,
        i={"kind": "AUDIO", "songId": song_id, "contentType": content_type, "sizeBytes": declared_size or len(content)},
    )["requestUpload"]
    fields = {f["name"]: f["value"] for f in target["fields"]}
    response = requests.post(target["url"], data=fields, files={"file": ("upload", content, content_type)}, timeout=30)
    assert response.status_code in (200, 204), response.text
    return target["key"]


def settled(reader: Run, song_id: str, *, waiting_for: tuple[str, ...] = ("READY", "FAILED")) -> dict[str, Any]:
    deadline = time.monotonic() + PIPELINE_SECONDS
    while time.monotonic() < deadline:
        song = reader(SONG, id=song_id)["song"]
        if song["status"] in waiting_for:
            return song
        time.sleep(0.2)
    pytest.fail(f"song {song_id} did not reach {waiting_for}: {song}")


def test_wav_upload_becomes_a_playable_song(admin: Run, listener: Run, song: dict[str, Any]) -> None:
    audio = wav(3.0)
    assert song["status"] == "DRAFT"
    upload(admin, song["id"], audio, "audio/wav")
    assert listener(SONG, id=song["id"])["song"]["status"] in ("PENDING", "READY")
    ready = settled(listener, song["id"])
    assert ready["status"] == "READY", ready["failureReason"]
    assert ready["durationSeconds"] == 3
    assert ready["audio"] == {
        "format": "WAV",
        "sizeBytes": len(audio),
        "bitrate": 128000,
        "sampleRate": 8000,
        "channels": 1,
    }

    ranged = urllib.request.Request(ready["streamUrl"], headers={"Range": "bytes=100-199"})
    with urllib.request.urlopen(ranged, timeout=10) as response:  # a player seeking
        assert response.status == 206
        assert response.read() == audio[100:200]


def test_mp3_upload_reads_duration_and_bitrate(admin: Run, song: dict[str, Any]) -> None:
    upload(admin, song["id"], mp3(4.0), "audio/mpeg")
    ready = settled(admin, song["id"])
    assert ready["status"] == "READY", ready["failureReason"]
    assert ready["durationSeconds"] == 4
    assert (ready["audio"]["format"], ready["audio"]["bitrate"], ready["audio"]["sampleRate"]) == ("MP3", 128000, 44100)


def test_text_renamed_mp3_fails_with_a_reason_and_is_removed(admin: Run, song: dict[str, Any]) -> None:
    upload(admin, song["id"], b"Definitely not audio, just text. " * 20, "audio/mpeg")
    failed = settled(admin, song["id"])
    assert failed["status"] == "FAILED"
    assert "not MP3" in failed["failureReason"]
    assert failed["streamUrl"] is None


def test_a_file_larger_than_declared_is_refused(admin: Run, song: dict[str, Any]) -> None:
    # The local S3 does not enforce the form's size policy: the processor's own check must hold.
    upload(admin, song["id"], wav(2.0), "audio/wav", declared_size=1000)
    failed = settled(admin, song["id"])
    assert failed["status"] == "FAILED"
    assert "declared" in failed["failureReason"]


def test_replacing_audio_keeps_the_old_one_until_the_new_one_is_ready(admin: Run, song: dict[str, Any]) -> None:
    upload(admin, song["id"], wav(2.0), "audio/wav")
    first = settled(admin, song["id"])
    assert first["durationSeconds"] == 2
    upload(admin, song["id"], b"broken replacement " * 10, "audio/wav")
    time.sleep(0.5)
    still = settled(admin, song["id"])
    deadline = time.monotonic() + PIPELINE_SECONDS
    while still["failureReason"] is None and time.monotonic() < deadline:
        time.sleep(0.2)
        still = admin(SONG, id=song["id"])["song"]
    assert still["status"] == "READY"
    assert still["durationSeconds"] == 2
    assert "not WAV" in still["failureReason"]
    with urllib.request.urlopen(still["streamUrl"], timeout=10) as response:
        assert response.status == 200


@pytest.mark.parametrize(
    ("content_type", "size", "error"),
    [
        ("text/plain", 100, "ValidationError"),
        ("audio/wav", 0, "ValidationError"),
        ("audio/wav", 300 * 2**20, "ValidationError"),
    ],
)
def test_bad_upload_requests_are_refused(
    admin: Run, song: dict[str, Any], content_type: str, size: int, error: str
) -> None:
    with pytest.raises(TransportQueryError) as raised:
        admin(REQUEST_UPLOAD, i={"kind": "AUDIO", "songId": song["id"], "contentType": content_type, "sizeBytes": size})
    assert raised.value.errors[0]["errorType"] == error


def test_uploads_are_for_admins_and_existing_songs(admin: Run, listener: Run, song: dict[str, Any]) -> None:
    request = {"kind": "AUDIO", "songId": song["id"], "contentType": "audio/wav", "sizeBytes": 10}
    with pytest.raises(TransportQueryError) as raised:
        listener(REQUEST_UPLOAD, i=request)
    assert raised.value.errors[0]["errorType"] == "Unauthorized"
    with pytest.raises(TransportQueryError) as raised:
        admin(REQUEST_UPLOAD, i={**request, "songId": str(uuid.uuid4())})
    assert raised.value.errors[0]["errorType"] == "NotFoundError"


def test_deleting_a_song_removes_its_files_asynchronously(local_api: Api, admin: Run, song: dict[str, Any]) -> None:
    local_api.local_only()  # reads the emulated bucket directly
    upload(admin, song["id"], wav(1.0), "audio/wav")
    stream_url = settled(admin, song["id"])["streamUrl"]
    s3 = boto3.client(
        "s3",
        endpoint_url=local_api.config["awsEndpoint"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    bucket = local_api.config["mediaBucket"]
    assert s3.list_objects_v2(Bucket=bucket, Prefix=f"songs/{song['id']}/")["KeyCount"] == 1

    assert admin("mutation($id: ID!) { deleteSong(id: $id) }", id=song["id"])["deleteSong"] == song["id"]
    deadline = time.monotonic() + PIPELINE_SECONDS
    while s3.list_objects_v2(Bucket=bucket, Prefix=f"songs/{song['id']}/")["KeyCount"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert s3.list_objects_v2(Bucket=bucket, Prefix=f"songs/{song['id']}/")["KeyCount"] == 0
    assert requests.get(stream_url, timeout=10).status_code == 404


def test_album_cover_and_artist_image_uploads(local_api: Api, admin: Run, listener: Run) -> None:
    artist = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique("Painter"))[
        "createArtist"
    ]
    album = admin(
        'mutation($a: ID!) { createAlbum(input: {artistId: $a, title: "Covered", genre: "rock"}) { id coverUrl } }',
        a=artist["id"],
    )["createAlbum"]
    assert album["coverUrl"] is None
    cover, image = png(4, 4), png(8, 8)
    for kind, field, item_id, content in (
        ("COVER", "albumId", album["id"], cover),
        ("IMAGE", "artistId", artist["id"], image),
    ):
        target = admin(
            REQUEST_UPLOAD, i={"kind": kind, field: item_id, "contentType": "image/png", "sizeBytes": len(content)}
        )["requestUpload"]
        fields = {f["name"]: f["value"] for f in target["fields"]}
        assert requests.post(target["url"], data=fields, files={"file": ("x.png", content, "image/png")}, timeout=30).ok

    read = "query($a: ID!, $r: ID!) { album(id: $a) { coverUrl failureReason } artist(id: $r) { imageUrl } }"
    deadline = time.monotonic() + PIPELINE_SECONDS
    urls = listener(read, a=album["id"], r=artist["id"])
    while not (urls["album"]["coverUrl"] and urls["artist"]["imageUrl"]) and time.monotonic() < deadline:
        time.sleep(0.2)
        urls = listener(read, a=album["id"], r=artist["id"])
    assert requests.get(urls["album"]["coverUrl"], timeout=10).content == cover
    assert requests.get(urls["artist"]["imageUrl"], timeout=10).content == image

    target = admin(
        REQUEST_UPLOAD, i={"kind": "COVER", "albumId": album["id"], "contentType": "image/jpeg", "sizeBytes": 100}
    )["requestUpload"]
    fields = {f["name"]: f["value"] for f in target["fields"]}
    requests.post(
        target["url"], data=fields, files={"file": ("x.jpg", b"<html>not a jpeg</html>", "image/jpeg")}, timeout=30
    )
    deadline = time.monotonic() + PIPELINE_SECONDS
    while not listener(read, a=album["id"], r=artist["id"])["album"]["failureReason"] and time.monotonic() < deadline:
        time.sleep(0.2)
    after = listener(read, a=album["id"], r=artist["id"])["album"]
    assert "not JPEG" in after["failureReason"]
    assert requests.get(after["coverUrl"], timeout=10).content == cover  # the accepted cover stays

    with pytest.raises(TransportQueryError) as raised:
        admin(REQUEST_UPLOAD, i={"kind": "COVER", "albumId": album["id"], "contentType": "audio/wav", "sizeBytes": 10})
    assert raised.value.errors[0]["errorType"] == "ValidationError"
    with pytest.raises(TransportQueryError) as raised:
        admin(
            REQUEST_UPLOAD,
            i={"kind": "IMAGE", "artistId": artist["id"], "contentType": "image/png", "sizeBytes": 6 * 2**20},
        )
    assert raised.value.errors[0]["errorType"] == "ValidationError"

    if local_api.base is None:
        return
    s3 = boto3.client(
        "s3",
        endpoint_url=local_api.config["awsEndpoint"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    admin("mutation($id: ID!) { deleteAlbum(id: $id) }", id=album["id"])
    deadline = time.monotonic() + PIPELINE_SECONDS
    while s3.list_objects_v2(Bucket=local_api.config["mediaBucket"], Prefix=f"albums/{album['id']}/")["KeyCount"]:
        assert time.monotonic() < deadline, "the deleted album's cover was not removed"
        time.sleep(0.2)


def test_presigned_urls_answer_a_browser_on_another_origin(local_api: Api, admin: Run, song: dict[str, Any]) -> None:
    """What a browser checks before and after cross-origin uploads and plays (preflight, allow-origin)."""
    local_api.local_only()  # the deployed bucket allows only the web client's origin
    origin = "http://localhost:5173"
    target = admin(
        REQUEST_UPLOAD, i={"kind": "AUDIO", "songId": song["id"], "contentType": "audio/wav", "sizeBytes": 20000}
    )["requestUpload"]
    preflight = requests.options(
        target["url"],
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=10,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    fields = {f["name"]: f["value"] for f in target["fields"]}
    posted = requests.post(
        target["url"],
        data=fields,
        files={"file": ("a.wav", wav(1.0), "audio/wav")},
        headers={"Origin": origin},
        timeout=30,
    )
    assert posted.headers["Access-Control-Allow-Origin"] == origin
    ready = settled(admin, song["id"])
    played = requests.get(ready["streamUrl"], headers={"Origin": origin, "Range": "bytes=0-9"}, timeout=10)
    assert (played.status_code, played.content) == (206, wav(1.0)[:10])
    assert played.headers["Access-Control-Allow-Origin"] == origin
    assert "Content-Range" in played.headers["Access-Control-Expose-Headers"]


def test_a_songs_first_ready_is_a_release_its_artists_followers_hear_of(admin: Run, listener: Run) -> None:
    """The whole path: upload → processor → new-content queue → fan-out → the follower's inbox."""
    artist = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique("Released"))
    artist_id = artist["createArtist"]["id"]
    listener("mutation($i: FollowInput!) { follow(input: $i) { artistId } }", i={"artistId": artist_id})
    song = admin(CREATE_SONG, i={"title": unique("Single"), "artistId": artist_id, "genre": "rock"})["createSong"]
    inbox = "{ notifications(limit: 50) { items { contentId title } } }"
    upload(admin, song["id"], wav(1.0), "audio/wav")
    assert settled(admin, song["id"])["status"] == "READY"
    deadline = time.monotonic() + PIPELINE_SECONDS
    while song["id"] not in [n["contentId"] for n in listener(inbox)["notifications"]["items"]]:
        assert time.monotonic() < deadline, "the follower was not told about the release"
        time.sleep(0.2)
    upload(admin, song["id"], wav(2.0), "audio/wav")  # a replaced file is not a new release
    deadline = time.monotonic() + PIPELINE_SECONDS
    while admin(SONG, id=song["id"])["song"]["durationSeconds"] != 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    told = [n for n in listener(inbox)["notifications"]["items"] if n["contentId"] == song["id"]]
    assert len(told) == 1
    listener("mutation($i: FollowInput!) { unfollow(input: $i) }", i={"artistId": artist_id})
