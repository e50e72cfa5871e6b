"""The committed schema.graphql is the printed schema: contract changes are reviewed diffs."""

from pathlib import Path

from graph.schema.root import schema

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_sdl_matches_the_schema() -> None:
    printed = schema.as_str() + "\n"
    assert SDL.read_text(encoding="utf-8") == printed, (
        "schema.graphql is out of date: run `esatis schema > schema.graphql` and review the diff"
    )


def test_every_type_and_operation_is_described() -> None:
    query = schema.get_type_by_name("Query")
    assert query is not None
    missing = [f.name for f in query.fields if not f.description]
    assert missing == []
