"""How the voice will read things, for ``flask --app app videos readings``: the dictionary's
terms, a text, or every line of a script, checked before anything is rendered."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _

from app.rendering import frontend, pronunciation, tools
from app.rendering.script import parse


class ReadingsUnavailable(RuntimeError):
    """The engine, the dictionary or the script cannot be used (the message says why)."""


def _setup(dictionary_path: Path):
    try:
        engine = frontend.open_jtalk()
    except tools.ToolMissing as exc:
        raise ReadingsUnavailable(str(exc)) from None
    dictionary, problems = pronunciation.load(dictionary_path)
    if dictionary is None:
        raise ReadingsUnavailable("\n".join(str(p) for p in problems))
    return engine, dictionary, dictionary.for_engine(engine)


def dictionary_readings(root: Path) -> list[str]:
    """One row per term: what the voice says after the dictionary, and whether the term is
    replaced (the engine alone reads it otherwise) or already read so."""
    path = pronunciation.path_for(root)
    engine, dictionary, active = _setup(path)
    rows = [
        _(
            "%(path)s: %(terms)d terms, %(replaced)d replaced for %(engine)s",
            path=path,
            terms=len(dictionary.readings),
            replaced=len(active.readings),
            engine=engine.name,
        )
    ]
    for term, reading in dictionary.readings.items():
        spoken = engine.g2p(active.apply(term))
        if term in active.readings:
            note = _(
                "replaced; %(engine)s alone reads %(own)s", engine=engine.name, own=engine.g2p(term)
            )
        else:
            note = _("read so without replacing")
        if pronunciation.sound(spoken) != pronunciation.sound(reading):
            note = _("DIFFERS from %(reading)s", reading=reading) + "; " + note
        rows.append(f"{term}\t{spoken}\t({note})")
    return rows


def text_readings(text: str, root: Path) -> list[str]:
    """The text for the voice and how it will be read."""
    engine, _dictionary, active = _setup(pronunciation.path_for(root))
    spoken = active.apply(text)
    return [
        text,
        f"  → {spoken}" if spoken != text else "  → " + _("(unchanged by the dictionary)"),
        f"  {engine.g2p(spoken)}",
    ]


def engine_readings(text: str, root: Path) -> list[str]:
    """How each installed speech engine reads ``text`` once the whole dictionary is applied
    (engines other than Open JTalk are given every term)."""
    from app.rendering import engines

    dictionary, _problems = pronunciation.load(pronunciation.path_for(root))
    spoken = dictionary.apply(text) if dictionary is not None else text
    installed = [e for e in sorted(engines.ENGINES.values(), key=lambda e: e.name) if e.installed()]
    return [f"  {engine.name}: {engine.reading(engines.prepare(spoken))}" for engine in installed]


def script_readings(path: Path) -> list[str]:
    """Every line of a script: where it is, who says it, its text and how it will be read."""
    engine, _dictionary, active = _setup(pronunciation.beside(path))
    script, problems = parse(path)
    if script is None:
        raise ReadingsUnavailable("\n".join(str(p) for p in problems if p.severity == "error"))
    rows = []
    for scene in script.scenes:
        for line in script.utterances(scene):
            spoken = active.spoken(line.text, line.reading)
            source = (
                _("reading:") if line.reading else (_("dictionary") if spoken != line.text else "")
            )
            rows.append(f"{path}:{line.source_line}\t{script.cast[line.speaker].name}\t{line.text}")
            rows.append(f"    {engine.g2p(spoken)}" + (f"\t({source})" if source else ""))
    return rows
