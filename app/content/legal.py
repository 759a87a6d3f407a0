"""Legal statements in training content, marked for the city's legal office.

Every line of content that cites a law, or says what a desk may or may not pass on, ends with a
marker naming the clauses of ``docs/consent-model.md`` it relies on::

    text: {ja: "税の窓口で聞いた家族の事情も、地方税法第22条で守られます。"}  # legal: tax-secrecy
    税の窓口で聞いたことは、同意がなければ伝えません。<!-- legal: tax-secrecy, no-consent -->

:func:`statements` lists them all (``flask --app app content legal``) so the legal office can sign
them off in one place; :func:`check` reports a law cited without a marker and a marker naming a
clause the model does not have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from app.content import registry
from app.content.registry import Problem

MODEL_FILE = Path("docs") / "consent-model.md"
CLAUSE = re.compile(r"^###\s*\[([a-z0-9-]+)\]\s*(.+?)\s*$", re.M)
MARKER = re.compile(r"(?:#|<!--)\s*legal:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(?:-->)?\s*$")
# What makes a line a legal statement that must be marked.
CITATION = re.compile(
    r"法第\s*[0-9０-９一二三四五六七八九十百]+\s*条|守秘義務|地方税法|地方公務員法|個人情報保護法|"
    r"児童虐待防止法|高齢者虐待防止法|障害者虐待防止法|配偶者暴力防止法|社会福祉法|生活困窮者自立支援法|国民健康保険法"
)
QUOTED = re.compile(r'"((?:[^"\\]|\\.)+)"')


def register_source(app, path: Path) -> None:
    """Add a file whose wording is legal (defaults of settings shown to staff)."""
    from app.core import registries

    registries.add(app, registries.LEGAL_SOURCES, Path(path))


@dataclass(frozen=True)
class Statement:
    path: Path
    line: int
    clauses: tuple[str, ...]
    text: str


def clauses(root: Path) -> dict[str, str]:
    """Clause id → heading, from the consent model beside the content (or the project's own)."""
    from app.config import PROJECT_ROOT

    for base in (root, PROJECT_ROOT):
        model = base / MODEL_FILE
        if model.is_file():
            return dict(CLAUSE.findall(model.read_text(encoding="utf-8")))
    return {}


def _is_comment(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("#") or (stripped.startswith("<!--") and stripped.endswith("-->"))


def _spoken(line: str) -> str:
    """The text a reader sees on a content line: its quoted strings, or the line itself."""
    quoted = [q for q in QUOTED.findall(line) if not q.startswith(("ja", "en"))]
    text = " ".join(quoted) if quoted else line.strip().lstrip("-").strip()
    return text.replace('\\"', '"')


def _text_lines(path: Path) -> list[str]:
    if path.suffix not in {".yaml", ".yml", ".md", ".py"}:
        return []
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def scan(paths: list[Path]) -> tuple[list[Statement], list[tuple[Path, int, str]]]:
    """Marked statements, and lines that cite a law without a marker (path, line, text)."""
    marked, unmarked = [], []
    for path in paths:
        for number, line in enumerate(_text_lines(path), start=1):
            match = MARKER.search(line)
            body = line[: match.start()] if match else line
            if match:
                ids = tuple(i.strip() for i in match.group(1).split(","))
                marked.append(Statement(path, number, ids, _spoken(body)))
            elif CITATION.search(body) and not _is_comment(body):
                unmarked.append((path, number, _spoken(body)))
    return marked, unmarked


def content_files(selection: registry.Selection) -> list[Path]:
    """The prose files of ``selection``, and, for a whole tree, the app's legal wording."""
    prose = registry.prose_kinds()
    files = [p for kind, paths in selection.files.items() if kind in prose for p in paths]
    if selection.whole_tree:
        from flask import has_app_context

        from app.core import registries

        if has_app_context():
            files += [p for p in registries.entries(registries.LEGAL_SOURCES) if p.is_file()]
    return sorted(set(files))


def statements(root: Path) -> list[Statement]:
    return scan(content_files(registry.whole_tree(root)))[0]


def check(selection: registry.Selection) -> list[Problem]:
    known = clauses(selection.root)
    marked, unmarked = scan(content_files(selection))
    problems = [
        Problem(
            path,
            number,
            _("a legal statement without a `legal:` marker: %(text)s", text=text[:60]),
            _(
                "Check the sentence against docs/consent-model.md and end the line with `# legal: <clause id>` (Markdown: `<!-- legal: <clause id> -->`)."
            ),
        )
        for path, number, text in unmarked
    ]
    for statement in marked:
        for clause in statement.clauses:
            if clause not in known:
                problems.append(
                    Problem(
                        statement.path,
                        statement.line,
                        _("unknown clause `%(id)s` in the `legal:` marker", id=clause),
                        _(
                            "Use the id of a clause of docs/consent-model.md: %(ids)s.",
                            ids=", ".join(sorted(known)),
                        ),
                    )
                )
    return problems
