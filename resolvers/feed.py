"""The personalized feed: new releases from what a listener follows, mixed with songs picked for them.

Picking is the expensive part, so it happens on write: a rating or a follow queues the
listener's id (`taste_changed`), and the feed function recomputes their picks (`refresh`)
into one item. A request (`page`) then reads that item, the newest song releases of the
inbox (written by the release fan-out), and the page's songs with the caller's ratings of
them: four DynamoDB calls, whatever the listener's history. A listener with no picks yet
(no ratings, no follows, or not computed yet) gets popular and new songs read live.

Every candidate gets a score in [0, 1] from its source, so the sources mix in one order:
a fresh release from a followed artist (0.6 to 1.0) comes before songs like the ones the
listener rated highly (0.5 to 0.95), songs of the artists they play most (0.5 to 0.85) and
those liked by listeners who rate alike (0.45 to 0.8), then the popular (the most played of
the last 30 days, then the top rated: 0.15 to 0.4) and the recently added (0.1 to 0.4).
Plays move the picks at the next recomputation (a rating, a like, a follow, or a day), never
per play: a hit is played thousands of times a second, a recomputation reads about 110
items. A song seen from several sources keeps its best score. `nextToken` is the (score,
song) of the last item shown, so later pages continue below it even as new releases arrive
above.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, NamedTuple

from resolvers import aws_clients, charts
from resolvers.catalog import present_song
from resolvers.clock import now_iso
from resolvers.data import discover as discover_data
from resolvers.data import feed as feed_data
from resolvers.data import follows as follows_data
from resolvers.data import inbox as inbox_data
from resolvers.data import likes as likes_data
from resolvers.data import plays as plays_data
from resolvers.data import ratings as ratings_data
from resolvers.data import table
from resolvers.errors import ValidationError
from resolvers.genres import GENRES
from resolvers.observability import logger
from resolvers.settings import settings
from resolvers.validation import identifier, page_size

# What one refresh reads, bounded whatever the listener's history.
TASTE_RATINGS = 500  # the latest ratings a taste is made of
TASTE_LIKES = 100  # the latest liked songs a taste is made of (a like counts as five stars)
LIKED_STARS = 4  # a rating that says "more like this"
MAX_STARS = 5
TASTES = 3  # top genres and top artists the picks come from
TASTE_SONGS = 25  # top-rated songs read per genre or artist
SEEDS = 5  # latest liked songs whose other fans are looked up
FANS_PER_SEED = 50
NEIGHBOURS = 10  # listeners whose ratings resemble the caller's, most alike first
NEIGHBOUR_RATINGS = 50
FOLLOWS_READ = 50  # latest follows whose newest songs are picked
SONGS_PER_FOLLOW = 3
CATALOG_SONGS = 30  # popular and newest songs, for everyone
PLAYED_ARTISTS_READ = 100  # the listener's per-artist play counts read (one Query page)
OFTEN_PLAYED = 3  # plays of an artist that make it "often"
MAX_ENTRIES = 300
# What one request reads.
INBOX_RELEASES = 50
SLACK = 10  # extra entries checked per page, so a page is rarely short
REFRESH_AFTER_DAYS = 1  # picks older than this are recomputed when read
SCALE = 1_000_000_000  # scores are stored as whole numbers: releases a second apart still differ
FRESH_DAYS = 14


class Entry(NamedTuple):
    """A song in the feed, its score (0..SCALE) and why."""

    song_id: str
    score: int
    source: str
    reason: str

    def key(self) -> tuple[int, str]:
        """Feed order: best score first, then by song id so the order is total."""
        return (-self.score, self.song_id)


# -- queued on write ----------------------------------------------------------------------------


@cache
def _sqs() -> Any:
    return aws_clients.client("sqs")


def taste_changed(user_id: str) -> None:
    """Queue a recomputation of the listener's picks. Best effort: the change itself is already
    stored, and a failed send only leaves the picks a change behind until the next one (or a day)."""
    body = json.dumps({"userId": user_id, "changedAt": now_iso()})
    try:
        _sqs().send_message(QueueUrl=settings().feed_queue, MessageBody=body)
    except Exception:
        logger.exception("could not queue a feed refresh", extra={"userId": user_id})


# -- scores and reasons -------------------------------------------------------------------------


def _age_days(moment: str, now: datetime) -> float:
    try:
        then = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return float(FRESH_DAYS * 10)
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return max(0.0, (now - then).total_seconds() / 86400)


def _freshness(moment: str, now: datetime) -> float:
    """1 for today, halving about every ten days."""
    return math.exp(-_age_days(moment, now) / FRESH_DAYS)


def _quality(song: Mapping[str, Any]) -> float:
    """Average stars out of 5, trusted as the ratings add up (ten make it count fully)."""
    count = song.get("ratingCount", 0)
    return (song.get("ratingSum", 0) / count / 5) * min(count, 10) / 10 if count else 0.0


def _scaled(score: float) -> int:
    return round(min(max(score, 0.0), 1.0) * SCALE)


def _genre_name(genre: str) -> str:
    return GENRES.get(genre, genre)


def release_entry(song_id: str, artist_name: str, published_at: str, now: datetime) -> Entry:
    return Entry(song_id, _scaled(0.6 + 0.4 * _freshness(published_at, now)), "NEW_RELEASE", f"New from {artist_name}")


def genre_release_entry(song: Mapping[str, Any], now: datetime) -> Entry:
    score = _scaled(0.6 + 0.4 * _freshness(song["createdAt"], now))
    return Entry(song["id"], score, "NEW_RELEASE", f"New in {_genre_name(song['genre'])}")


def taste_entry(song: Mapping[str, Any], share: float, seed: Mapping[str, Any]) -> Entry:
    """A song from a genre or artist the listener rated highly; `seed` is the rating that says so."""
    score = _scaled(0.5 + 0.3 * share + 0.15 * _quality(song))
    if seed.get("liked"):
        return Entry(song["id"], score, "TASTE", f"Because you liked {seed['title']}")
    return Entry(song["id"], score, "TASTE", f"Because you rated {seed['title']} {seed['stars']} stars")


def neighbour_entry(song_id: str, share: float, seed_title: str) -> Entry:
    reason = f"Liked by listeners who like {seed_title}"
    return Entry(song_id, _scaled(0.45 + 0.35 * share), "SIMILAR_LISTENERS", reason)


def played_entry(song: Mapping[str, Any], share: float, artist_name: str) -> Entry:
    """A song of an artist the listener plays often; `share` is that artist's part of their plays."""
    score = _scaled(0.5 + 0.25 * share + 0.1 * _quality(song))
    return Entry(song["id"], score, "PLAYED", f"Because you often play {artist_name}")


def popular_entry(song: Mapping[str, Any], strength: float | None = None) -> Entry:
    """`strength`: the song's plays against the chart's top (0..1); top rated songs use their rating."""
    score = _scaled(0.15 + 0.25 * (_quality(song) if strength is None else strength))
    return Entry(song["id"], score, "POPULAR", f"Popular in {_genre_name(song['genre'])}")


def newest_entry(song: Mapping[str, Any], now: datetime) -> Entry:
    score = _scaled(0.1 + 0.3 * _freshness(song["createdAt"], now))
    return Entry(song["id"], score, "NEW_IN_CATALOG", f"New in {_genre_name(song['genre'])}")


def _best(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per song (its best), in feed order."""
    best: dict[str, Entry] = {}
    for entry in entries:
        if entry.song_id not in best or entry.key() < best[entry.song_id].key():
            best[entry.song_id] = entry
    return sorted(best.values(), key=Entry.key)


# -- computed in the background -----------------------------------------------------------------


def _playable(songs: Iterable[Mapping[str, Any]], rated: set[str]) -> list[Mapping[str, Any]]:
    return [song for song in songs if song.get("status") == "READY" and song["id"] not in rated]


def _listed(scope: str, scope_id: str | None, order: str, limit: int) -> list[dict[str, Any]]:
    return discover_data.list_page(
        "SONG", scope, scope_id, order, discover_data.Narrowing(), limit=limit, next_token=None
    ).items


def _taste_picks(liked: Sequence[Mapping[str, Any]], rated: set[str]) -> list[Entry]:
    """Top-rated songs of the genres and artists the listener rated highly, weighted by how much."""
    picks: list[Entry] = []
    for field, scope in (("genre", "GENRE"), ("artistId", "ARTIST")):
        weights: Counter[str] = Counter()
        seeds: dict[str, Mapping[str, Any]] = {}
        for rating in liked:  # latest first: the seed is the latest of the highest-rated
            weights[rating[field]] += rating["stars"] - LIKED_STARS + 1
            if rating[field] not in seeds or rating["stars"] > seeds[rating[field]]["stars"]:
                seeds[rating[field]] = rating
        total = sum(weights.values())
        for value, weight in weights.most_common(TASTES):
            for song in _playable(_listed(scope, value, "TOP_RATED", TASTE_SONGS), rated):
                picks.append(taste_entry(song, weight / total, seeds[value]))
    return picks


def _neighbour_picks(user_id: str, liked: Sequence[Mapping[str, Any]], rated: set[str]) -> list[Entry]:
    """Songs liked by the listeners who liked the same recent songs, most alike listeners first."""
    overlap: Counter[str] = Counter()
    seed_of: dict[str, str] = {}
    for seed in liked[:SEEDS]:
        for fan in ratings_data.raters(seed["songId"], FANS_PER_SEED):
            if fan["userId"] != user_id and fan["stars"] >= LIKED_STARS:
                overlap[fan["userId"]] += 1
                seed_of.setdefault(fan["userId"], seed["title"])
    votes: Counter[str] = Counter()
    voted_by: dict[str, str] = {}
    for neighbour, alike in overlap.most_common(NEIGHBOURS):
        for rating in ratings_data.latest_ratings(neighbour, NEIGHBOUR_RATINGS):
            if rating["stars"] >= LIKED_STARS and rating["songId"] not in rated:
                votes[rating["songId"]] += alike
                voted_by.setdefault(rating["songId"], seed_of[neighbour])
    if not votes:
        return []
    top = votes.most_common(table.BATCH_GET_LIMIT)
    songs = table.batch_get("SONG", [song_id for song_id, _ in top])
    most = top[0][1]
    return [
        neighbour_entry(song_id, count / most, voted_by[song_id])
        for song_id, count in top
        if song_id in songs and _playable([songs[song_id]], rated)
    ]


def _follow_picks(user_id: str, rated: set[str], now: datetime) -> list[Entry]:
    """The newest songs of the latest followed artists and genres (the inbox has what came after)."""
    follows = sorted(follows_data.all_follows(user_id), key=lambda f: f["followedAt"], reverse=True)[:FOLLOWS_READ]
    artist_ids = [f["artistId"] for f in follows if f.get("artistId")]
    artists = table.batch_get("ARTIST", artist_ids) if artist_ids else {}
    picks: list[Entry] = []
    for follow in follows:
        if follow.get("artistId"):
            artist = artists.get(follow["artistId"])
            if artist is None:
                continue
            for song in _playable(_listed("ARTIST", artist["id"], "NEWEST", SONGS_PER_FOLLOW), rated):
                picks.append(release_entry(song["id"], artist["name"], song["createdAt"], now))
        else:
            for song in _playable(_listed("GENRE", follow["genre"], "NEWEST", SONGS_PER_FOLLOW), rated):
                picks.append(genre_release_entry(song, now))
    return picks


def _played_picks(user_id: str, rated: set[str]) -> list[Entry]:
    """The most played songs of the artists the listener plays most, minus what they played already."""
    counts = sorted(plays_data.artist_counts(user_id, PLAYED_ARTISTS_READ), key=lambda c: -c["plays"])
    total = sum(c["plays"] for c in counts)
    often = [c for c in counts if c["plays"] >= OFTEN_PLAYED][:TASTES]
    if not often:
        return []
    artists = table.batch_get("ARTIST", [c["targetId"] for c in often])
    candidates: list[tuple[Mapping[str, Any], float, str]] = []
    for count in often:
        artist = artists.get(count["targetId"])
        if artist is not None:
            for song in _playable(_listed("ARTIST", artist["id"], "MOST_PLAYED", TASTE_SONGS), rated):
                candidates.append((song, count["plays"] / total, artist["name"]))
    known = plays_data.my_counts([(user_id, song["id"]) for song, _, _ in candidates])
    return [played_entry(song, share, name) for song, share, name in candidates if (user_id, song["id"]) not in known]


def popular_songs() -> list[tuple[dict[str, Any], float | None]]:
    """The catalog's most played songs of the last 30 days, then its top rated: (song, strength)."""
    chart = charts.kept("MONTH", None, CATALOG_SONGS)
    top = chart[0][1] if chart else 1
    played: list[tuple[dict[str, Any], float | None]] = [(song, plays / top) for song, plays in chart]
    seen = {song["id"] for song, _ in played}
    rated = [(song, None) for song in _listed("ALL", None, "TOP_RATED", CATALOG_SONGS) if song["id"] not in seen]
    return (played + rated)[:CATALOG_SONGS]


def catalog_songs() -> tuple[list[tuple[dict[str, Any], float | None]], list[dict[str, Any]]]:
    """The popular songs (with their strength) and the newest of the whole catalog."""
    return popular_songs(), _listed("ALL", None, "NEWEST", CATALOG_SONGS)


def catalog_picks(
    popular: Sequence[tuple[Mapping[str, Any], float | None]],
    newest: Sequence[Mapping[str, Any]],
    rated: set[str],
    now: datetime,
) -> list[Entry]:
    """Popular and recently added songs: everyone's feed has them, a new listener's only them
    (read live until their picks are computed, and scored alike, so pages do not reshuffle)."""
    picks = [popular_entry(song, strength) for song, strength in popular if _playable([song], rated)]
    return picks + [newest_entry(song, now) for song in _playable(newest, rated)]


def compute(user_id: str, now: datetime) -> list[Entry]:
    """The listener's picks from their ratings, their follows and the catalog, best first."""
    ratings = ratings_data.latest_ratings(user_id, TASTE_RATINGS)
    rated = {r["songId"] for r in ratings}
    high = [rating for rating in ratings if rating["stars"] >= LIKED_STARS]
    # A liked song says "more like this" as five stars do; the reason names the like.
    likes = likes_data.latest_likes(user_id, "SONG", TASTE_LIKES)
    rated_high = {rating["songId"] for rating in high}
    high += [
        {"songId": one["itemId"], "stars": MAX_STARS, "liked": True} for one in likes if one["itemId"] not in rated_high
    ]
    songs = table.batch_get("SONG", [rating["songId"] for rating in high])
    liked = [  # latest first, with what the picks are made of; deleted songs drop out
        {**rating, "genre": song["genre"], "artistId": song["artistId"], "title": song["title"]}
        for rating in high
        if (song := songs.get(rating["songId"])) is not None
    ]
    picks = _taste_picks(liked, rated) + _neighbour_picks(user_id, liked, rated) + _played_picks(user_id, rated)
    picks += _follow_picks(user_id, rated, now) + catalog_picks(*catalog_songs(), rated, now)
    return _best(picks)[:MAX_ENTRIES]


def refresh(user_id: str, changed_at: str) -> bool:
    """Recompute and store the listener's picks unless a computation after `changed_at` did;
    True when it computed. Several changes queued together cost one computation."""
    current = feed_data.get_feed(user_id)
    if current is not None and current["computedAt"] > changed_at:
        return False
    started = now_iso()
    entries = compute(user_id, datetime.now(UTC))
    stored = [{"songId": e.song_id, "score": e.score, "source": e.source, "reason": e.reason} for e in entries]
    feed_data.put_feed(user_id, stored, started)
    logger.info("feed computed", extra={"userId": user_id, "entries": len(entries)})
    return True


def parse_change(message: Any) -> tuple[str, str]:
    """A queued change, checked: a malformed one is a poison message (retried, then dead-lettered)."""
    if not isinstance(message, dict) or not isinstance(message.get("changedAt"), str):
        raise ValidationError("message: expected {userId, changedAt}")
    return identifier(message.get("userId"), "userId"), message["changedAt"]


# -- read per request ---------------------------------------------------------------------------


def _encode(entry: Entry) -> str:
    return base64.urlsafe_b64encode(json.dumps([entry.score, entry.song_id]).encode()).decode().rstrip("=")


def _after(token: str | None) -> tuple[int, str] | None:
    """The feed-order key after which a page starts; refuses tokens we did not issue."""
    if token is None:
        return None
    try:
        score, song_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if isinstance(score, int) and not isinstance(score, bool) and 0 <= score <= SCALE:
            return (-score, identifier(song_id))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, ValidationError):
        pass
    raise ValidationError("Invalid nextToken: pass back the value a previous page returned")


def page(user_id: str, limit: Any, next_token: str | None) -> dict[str, Any]:
    """One page of the caller's feed: never a song they rated, never an unplayable one."""
    size, after = page_size(limit), _after(next_token)
    now = datetime.now(UTC)
    feed = feed_data.get_feed(user_id)
    listed: dict[str, dict[str, Any]] = {}
    if feed is None:
        taste_changed(user_id)  # so that the next request reads picks instead of the catalog
        popular, newest = catalog_songs()
        listed = {song["id"]: song for song in [song for song, _ in popular] + newest}
        picks = catalog_picks(popular, newest, set(), now)
    else:
        if _age_days(feed["computedAt"], now) > REFRESH_AFTER_DAYS:
            taste_changed(user_id)
        picks = [Entry(e["songId"], e["score"], e["source"], e["reason"]) for e in feed["entries"]]
    releases = [
        release_entry(note["contentId"], note["artistName"], note["publishedAt"], now)
        for note in inbox_data.song_releases(user_id, INBOX_RELEASES)
    ]
    ordered = [entry for entry in _best(picks + releases) if after is None or entry.key() > after]
    window = ordered[: size + SLACK]
    songs, rated = feed_data.songs_and_ratings(user_id, [entry.song_id for entry in window], have=listed.keys())
    songs |= listed
    items: list[dict[str, Any]] = []
    last: Entry | None = None
    for entry in window:
        last = entry
        song = songs.get(entry.song_id)
        if song is None or song.get("status") != "READY" or entry.song_id in rated:
            continue
        items.append({"song": present_song(song), "source": entry.source, "reason": entry.reason})
        if len(items) == size:
            break
    more = last is not None and last is not ordered[-1]
    return {"items": items, "nextToken": _encode(last) if more and last else None}
