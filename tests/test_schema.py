"""The committed AppSync SDL is current and valid as AppSync will read it."""

from pathlib import Path

from graphql import assert_valid_schema, build_schema

from schema import SDL_PATH
from schema.export import appsync_sdl
from schema.scalars import AWS_SCALARS

APPSYNC_DEFINITIONS = Path(__file__).with_name("appsync_definitions.graphql").read_text()


def test_committed_sdl_is_current() -> None:
    assert SDL_PATH.read_text() == appsync_sdl(), "schema/schema.graphql is stale: run `make schema`"


def test_sdl_is_valid_against_appsync_definitions() -> None:
    built = build_schema(APPSYNC_DEFINITIONS + SDL_PATH.read_text())
    assert_valid_schema(built)
    assert built.query_type and built.query_type.name == "Query"
    assert built.mutation_type and built.mutation_type.name == "Mutation"


def test_sdl_does_not_redeclare_what_appsync_provides() -> None:
    sdl = SDL_PATH.read_text()
    assert "directive @" not in sdl
    for scalar in AWS_SCALARS:
        assert f"scalar {scalar}" not in sdl


def test_auth_is_in_the_sdl() -> None:
    sdl = SDL_PATH.read_text()
    assert 'createSong(input: CreateSongInput!): Song! @aws_cognito_user_pools(cognito_groups: ["admin"])' in sdl
    assert "type AuthSession @aws_api_key" in sdl
