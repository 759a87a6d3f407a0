import pytest

from app.content.yamlfile import YamlError, load_text


def test_lines_of_keys_and_items():
    data = load_text(
        "id: x\nnodes:\n  a:\n    text: hi\n  b:\n    choices:\n      - to: a\n      - to: c\n"
    )
    assert data.line_of("nodes") == 2
    assert data["nodes"].line_of("b") == 5
    assert data["nodes"]["b"]["choices"].line_of(1) == 8


def test_duplicate_keys_and_syntax_errors_have_lines():
    with pytest.raises(YamlError) as exc:
        load_text("a: 1\nb: 2\na: 3\n")
    assert exc.value.line == 3
    with pytest.raises(YamlError) as exc:
        load_text("a: [1, 2\nb: 3\n")
    assert exc.value.line is not None
