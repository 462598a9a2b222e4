"""What the request selects: a route reads a nested field's items only when it is asked for."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.appsync import Router


def selects(router: Router, *paths: str) -> bool:
    """Whether the selection holds one of these paths (`items/song`, `playlists/songCount`) or
    anything under one."""
    selected = router.current_event.info.selection_set_list
    return any(path == wanted or path.startswith(f"{wanted}/") for path in selected for wanted in paths)
