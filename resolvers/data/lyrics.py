"""Lyrics: one item per source of a song (`SONG#s` / `LYRICS#EDITED|EMBEDDED|TRANSCRIBED`), and
the song's lyrics state on the song item itself.

The song item carries `lyricsStatus`, `lyricsSource` (the source shown, by precedence),
`lyricsFailureReason` and `lyricsJob` (the transcription job being waited for). Keeping the
shown source on the song lets `Song.lyrics` for a page of songs be one BatchGetItem of
exactly the items shown. Every change of a source moves the song's state in the same
transaction, conditional on the song existing (and, for a job's result, on the song still
waiting for that very job), so the state never names an item that is not there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from resolvers.data.table import batch_get_raw, client, song_key, table_name, to_item, to_raw, transact
from resolvers.table_layout import PARTITION_KEY, SORT_KEY

SOURCES = ("EDITED", "EMBEDDED", "TRANSCRIBED")  # in order of precedence
LYRICS_PREFIX = "LYRICS#"


def lyrics_key(song_id: str, source: str) -> dict[str, str]:
    return {PARTITION_KEY: f"SONG#{song_id}", SORT_KEY: f"{LYRICS_PREFIX}{source}"}


def sources_of(song_id: str) -> dict[str, dict[str, Any]]:
    """Every stored source of a song's lyrics (one strongly consistent Query of its partition)."""
    response = client().query(
        TableName=table_name(),
        KeyConditionExpression="#pk = :pk AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames={"#pk": PARTITION_KEY, "#sk": SORT_KEY},
        ExpressionAttributeValues=to_raw({":pk": f"SONG#{song_id}", ":prefix": LYRICS_PREFIX}),
        ConsistentRead=True,
    )
    return {item["source"]: item for item in map(to_item, response["Items"])}


def shown(pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Lyrics by (song, source): one BatchGetItem for a page of songs."""
    found = batch_get_raw([lyrics_key(song_id, source) for song_id, source in pairs])
    return {(item["songId"], item["source"]): item for item in map(to_item, found)}


def write(
    song_id: str,
    *,
    state: Mapping[str, Any],
    puts: Sequence[Mapping[str, Any]] = (),
    deletes: Sequence[str] = (),
    updated_at: str,
    waiting_for: str | None = None,
    no_job: bool = False,
) -> dict[str, Any] | None:
    """Put and delete lyrics items and set the song's lyrics state (None values are removed),
    in one transaction. Returns None when written, else the song as it was when refused
    (`{}` when it does not exist): `waiting_for` requires the song to wait for that job,
    `no_job` requires it not to be waiting for any."""
    sets = {**{k: v for k, v in state.items() if v is not None}, "updatedAt": updated_at}
    removes = [k for k, v in state.items() if v is None]
    names = {f"#a{n}": name for n, name in enumerate([*sets, *removes])}
    alias = {name: a for a, name in names.items()}
    expression = "SET " + ", ".join(f"{alias[k]} = :v{n}" for n, k in enumerate(sets))
    if removes:
        expression += " REMOVE " + ", ".join(alias[k] for k in removes)
    values: dict[str, Any] = {f":v{n}": v for n, v in enumerate(sets.values())}
    condition = "attribute_exists(PK)"
    if waiting_for is not None:
        names["#job"] = "lyricsJob"
        values[":job"] = waiting_for
        condition += " AND #job = :job"
    if no_job:
        names["#job"] = "lyricsJob"
        condition += " AND attribute_not_exists(#job)"
    update = {
        "Update": {
            "TableName": table_name(),
            "Key": to_raw(song_key(song_id)),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_raw(values),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }
    actions = [update]
    actions += [
        {
            "Put": {
                "TableName": table_name(),
                "Item": to_raw({**lyrics_key(song_id, item["source"]), "kind": "LYRICS", "songId": song_id, **item}),
            }
        }
        for item in puts
    ]
    actions += [{"Delete": {"TableName": table_name(), "Key": to_raw(lyrics_key(song_id, s))}} for s in deletes]
    failed = transact(actions)
    return failed[0] if failed else None


def forget_song(song_id: str) -> int:
    """Delete the lyrics of a deleted song (the cleanup, off the request path); how many there were."""
    keys = [lyrics_key(song_id, source) for source in SOURCES]
    client().transact_write_items(
        TransactItems=[{"Delete": {"TableName": table_name(), "Key": to_raw(key)}} for key in keys]
    )
    return len(keys)
