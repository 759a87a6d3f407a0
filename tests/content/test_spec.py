"""The declarative format engine (app/content/spec.py): one format described as data, checked
with ``file:line`` messages in Japanese (the default) and English."""

from pathlib import Path

import pytest
from flask_babel import force_locale

from app.content import spec
from app.content.spec import Bool, Enum, Field, Int, ListOf, MapOf, Ref, Spec, Text, Unique
from app.content.yamlfile import load_text

PART = Spec(
    {
        "id": Field(spec.ID, required=True),
        "count": Field(Int(minimum=1), default=1),
        "spare": Field(Bool(), default=False),
    }
)
SHELF = Spec(
    {
        "id": Field(spec.SLUG, required=True),
        "title": Field(Text(), required=True),
        "colour": Field(Enum(("red", "green", "blue")), required=True),
        "parts": Field(
            ListOf(PART, label=spec.item_label("part"), unique=Unique("id", "part")),
            required=True,
        ),
        "first": Field(Ref(lambda ctx: [p.get("id") for p in ctx.data.get("parts") or []], "part")),
        "rooms": Field(MapOf(Int())),
    }
)
GOOD = """\
id: shelf
title: {ja: "棚", en: "Shelf"}
colour: green
parts:
  - {id: board, count: 4}
  - {id: screw, count: 16}
first: board
rooms: {kitchen: 1}
"""


def check(text: str, locale: str = "en") -> list[tuple[int, str, str]]:
    ctx = spec.Context(Path("shelf.yaml"), Path("."))
    with force_locale(locale):
        spec.check_mapping(ctx, load_text(text), SHELF, spec._("the shelf"))
    return [(p.line, p.message, p.hint) for p in ctx.problems]


@pytest.fixture(autouse=True)
def _context(app):
    with app.app_context():
        yield


def test_a_valid_mapping_has_no_problems_and_its_values_are_usable():
    ctx = spec.Context(Path("shelf.yaml"))
    data = load_text(GOOD)
    spec.check_mapping(ctx, data, SHELF, "the shelf")
    assert ctx.problems == []
    assert ctx.value(data, "colour") == "green"
    assert ctx.value(data["parts"][0], "spare", PART.fields["spare"].default) is False
    assert PART.defaults() == {"count": 1, "spare": False}


def test_a_wrong_type_names_the_line_in_both_languages():
    text = GOOD.replace("count: 16", "count: many")
    assert check(text) == [
        (
            6,
            "part `screw`: `count` must be a whole number, not 'many'",
            "Write `count: 3` (digits only).",
        )
    ]
    assert check(text, "ja") == [
        (
            6,
            "part `screw` の `count` は整数で書いてください（'many' になっています）",
            "`count: 3` のように数字だけで書いてください。",
        )
    ]


def test_a_missing_required_field():
    text = GOOD.replace("colour: green\n", "")
    assert check(text) == [
        (1, "the shelf: `colour` is missing", "Add `colour:` with one of: red, green, blue.")
    ]
    [(line, message, hint)] = check(text, "ja")
    assert (line, message) == (1, "the shelf の `colour` がありません")
    assert "red, green, blue" in hint


def test_an_unknown_key_gets_the_closest_known_one():
    text = GOOD + "titel: {ja: 棚}\n"
    assert check(text) == [(9, "the shelf: unknown key `titel`", "Did you mean `title`?")]
    assert check(text, "ja") == [
        (9, "the shelf: `titel` という項目はありません", "`title` の誤りではありませんか？")
    ]


def test_a_reference_to_nothing_gets_the_closest_name():
    text = GOOD.replace("first: board", "first: bord")
    assert check(text) == [
        (
            7,
            "the shelf: `first` names part `bord`, which does not exist",
            "Did you mean `board`?",
        )
    ]
    assert check(text, "ja") == [
        (7, "the shelf の `first`: part `bord` がありません", "`board` の誤りではありませんか？")
    ]


def test_a_value_outside_the_choices():
    text = GOOD.replace("colour: green", "colour: gren")
    assert check(text) == [(3, "the shelf: `colour` is 'gren'", "Did you mean `green`?")]
    text = GOOD.replace("colour: green", "colour: purple")
    assert check(text, "ja") == [
        (
            3,
            "the shelf の `colour` の 'purple' は使えない値です",
            "次のいずれかにしてください: red, green, blue。",
        )
    ]


def test_texts_lists_and_ids():
    text = (
        GOOD.replace('title: {ja: "棚", en: "Shelf"}', "title: 棚")
        .replace("id: screw", "id: board")
        .replace("rooms: {kitchen: 1}", "rooms: {kitchen: 1, hall: 0.5}")
    )
    assert check(text) == [
        (
            2,
            "the shelf: `title` must give the language: {ja: …}",
            'Write {ja: "棚…"} (add `en:` for English if you like).',
        ),
        (
            6,
            "the shelf: part id `board` is used twice (first on line 5)",
            "Give each its own id.",
        ),
        (
            8,
            "the shelf: `rooms`: `hall` must be a whole number, not 0.5",
            "Write `hall: 3` (digits only).",
        ),
    ]
