"""A broken content file is an error message, never a crash: every format's validator is given a
valid file with one value replaced by something of another shape, and must answer with problems."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.courses import content as courses
from app.quizzes import content as quizzes
from app.rendering import script as scripts
from app.scenarios import content as scenarios
from app.videos import content as videos

PROJECT = Path(__file__).resolve().parents[2]

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from(["", " ", "x", "職員", "../x", "a b", "0:00", "ja"]),
    st.lists(st.sampled_from([None, 1, "x", {"ja": "x"}]), max_size=2),
    st.dictionaries(st.sampled_from(["ja", "en", "id", "x"]), st.sampled_from([None, 1, "x"])),
)


def _paths(node, prefix=()):
    """Every place in a loaded file a value can be replaced."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _replace(data, path, value):
    changed = copy.deepcopy(data)
    if not path:
        return value
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return changed


def _mutations(data):
    places = list(_paths(data))
    return st.tuples(st.sampled_from(places), JUNK).map(lambda m: _replace(data, *m))


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


SCENARIO = yaml.safe_load((PROJECT / "scenarios" / "tax-desk-8050.yaml").read_text("utf-8"))
QUIZ = yaml.safe_load((PROJECT / "quizzes" / "tsunagu-basics.yaml").read_text("utf-8"))
VIDEO = yaml.safe_load((PROJECT / "videos" / "after-referral" / "video.yaml").read_text("utf-8"))
SCRIPT = yaml.safe_load((PROJECT / "videos" / "after-referral" / "script.yaml").read_text("utf-8"))
COURSE_TEXT = (PROJECT / "courses" / "all-staff-tsunagu.md").read_text("utf-8")
COURSE_FRONT, COURSE_BODY = COURSE_TEXT.split("\n---\n", 1)
COURSE = yaml.safe_load(COURSE_FRONT.removeprefix("---\n"))

FAST = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("content")


def _written(tmp_path_factory, relative: str, text: str) -> tuple[Path, Path]:
    """A fresh content root holding ``text`` at ``relative``: (the file, the root)."""
    root = _root(tmp_path_factory)
    path = root / relative
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path, root


@FAST
@given(data=_mutations(SCENARIO))
def test_scenarios(tmp_path_factory, data):
    path, root = _written(tmp_path_factory, "scenarios/tax-desk-8050.yaml", _dump(data))
    problems, _data = scenarios.check_file(path, root)
    assert all(p.message for p in problems)


@FAST
@given(data=_mutations(QUIZ))
def test_quizzes(tmp_path_factory, data):
    path, root = _written(tmp_path_factory, "quizzes/tsunagu-basics.yaml", _dump(data))
    problems, _data = quizzes.check_file(path, root)
    assert all(p.message for p in problems)


@FAST
@given(data=_mutations(COURSE))
def test_courses(tmp_path_factory, data):
    text = f"---\n{_dump(data)}---\n{COURSE_BODY}"
    path, root = _written(tmp_path_factory, "courses/all-staff-tsunagu.md", text)
    assert all(p.message for p in courses.check_file(path, root))


@FAST
@given(data=_mutations(VIDEO))
def test_videos(tmp_path_factory, data):
    folder = _root(tmp_path_factory) / "videos" / "after-referral"
    folder.mkdir(parents=True)
    for name in ("captions.ja.vtt", "captions.en.vtt"):
        source = PROJECT / "videos" / "after-referral" / name
        if source.exists():
            shutil.copy(source, folder / name)
    (folder / "video.yaml").write_text(_dump(data), encoding="utf-8")
    spec, problems = videos.load_spec(folder / "video.yaml", check_captions=False)
    assert spec is not None or any(p.severity == "error" for p in problems)


@FAST
@given(data=_mutations(SCRIPT))
def test_scripts(tmp_path_factory, data):
    path, _root_folder = _written(
        tmp_path_factory, "videos/after-referral/script.yaml", _dump(data)
    )
    script, problems = scripts.parse(path)
    assert script is not None or any(p.severity == "error" for p in problems)
