"""Japanese captions by subtitle practice: short lines broken between phrases, read in time.

- A cue has at most two lines of at most 20 full-width characters.
- Lines break between phrases (文節): before a content word, never inside a word, a number
  or a pronunciation-dictionary term, and never so that a line starts with 。、」ー or a
  small kana (kinsoku).
- A long spoken line becomes several cues, ending at sentence ends where it can; the line's
  measured speech time is shared between them by their morae.
- Reading speed, counted without punctuation and spaces: every cue at most 6 characters a
  second, the median at most 5. A cue may stay up into the silence after its line to get
  there, and may start up to half a second after its words are spoken.
"""

from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _

from app.rendering.cards import NO_END, NO_START, wrap
from app.rendering.frontend import Word

LINE_WIDTH = 20.0  # full-width characters
MAX_LINES = 2
MAX_CPS = 6.0  # characters a second, for every cue
MEDIAN_CPS = 5.0  # … and for the median cue
TARGET_CPS = 5.0  # what the timing aims for when there is time to spare
MAX_LAG = 0.5  # seconds a cue may start after its words

# Seconds of speech per mora, per pause and per line at speed 1.0, measured on the Mei voice
# over the starter scripts (within 3 % on nine lines in ten). Used where nothing was
# synthesised yet: ``flask content check`` estimates a line's speech with them.
SECONDS_PER_MORA = 0.1256
SECONDS_PER_PAUSE = 0.441
SECONDS_PER_LINE = 0.579

CONTENT_WORDS = {
    "名詞",
    "動詞",
    "形容詞",
    "副詞",
    "連体詞",
    "接続詞",
    "感動詞",
    "接頭詞",
    "フィラー",
}
SENTENCE_END = set("。！？!?")
PAUSE_END = set("、，,…‥")


@dataclass(frozen=True)
class CaptionCue:
    start: float
    end: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(self.lines)

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def cps(self) -> float:
        return counted(self.text) / self.seconds if self.seconds > 0 else float("inf")


def width(text: str) -> float:
    """Full-width characters count 1, half-width ones ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in text)


def counted(text: str) -> int:
    """Characters that are read: punctuation, brackets and spaces do not count."""
    return sum(1 for c in text if not (c.isspace() or unicodedata.category(c)[0] == "P"))


def _starts_phrase(before: Word | None, word: Word) -> bool:
    """Whether a phrase (文節) begins at ``word``."""
    if word.pos == "記号":
        return word.detail == "括弧開" and before is not None and before.detail != "括弧開"
    if before is None or word.pos not in CONTENT_WORDS or word.detail in ("接尾", "非自立"):
        return False
    if before.pos == "接頭詞" or before.detail == "括弧開":
        return False
    if before.pos == "名詞" and word.pos == "名詞":
        return False  # a compound: 福祉 相談 室, 8050 問題
    return not (
        before.pos == "名詞" and word.pos == "動詞" and word.base in ("する", "できる")
    )  # 希望 される


def phrases(text: str, words: list[Word], keep: list[tuple[int, int]] = ()) -> list[str]:
    """``text`` cut into phrases; nothing is cut inside a ``keep`` span (a dictionary term)."""
    cuts = [0]
    before = None
    for word in words:
        if (
            _starts_phrase(before, word)
            and word.start > 0
            and not any(a < word.start < b for a, b in keep)
            and text[word.start] not in NO_START
            and text[word.start - 1] not in NO_END
        ):
            cuts.append(word.start)
        if word.pos != "記号" or word.detail == "括弧開":
            before = word
    cuts.append(len(text))
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if a < b]


def _word_pieces(phrase: str, offset: int, words: list[Word], keep) -> list[str]:
    """A phrase wider than a line, cut between its words (or, for one long word, anywhere
    kinsoku allows)."""
    cuts = [w.start - offset for w in words if offset < w.start < offset + len(phrase)]
    cuts = [
        c
        for c in cuts
        if not any(a < c + offset < b for a, b in keep)
        and phrase[c] not in NO_START
        and phrase[c - 1] not in NO_END
    ]
    pieces, current = [], ""
    for a, b in zip([0, *cuts], [*cuts, len(phrase)], strict=True):
        part = phrase[a:b]
        if current and width(current + part) > LINE_WIDTH:
            pieces.append(current)
            current = ""
        current += part
    pieces.append(current)
    return [
        line
        for piece in pieces
        for line in (wrap(piece, width, LINE_WIDTH) if width(piece) > LINE_WIDTH else [piece])
    ]


def _atoms(text: str, words: list[Word], keep) -> list[str]:
    """Phrases, with any phrase wider than a line cut smaller."""
    atoms, offset = [], 0
    for phrase in phrases(text, words, keep):
        atoms += (
            _word_pieces(phrase, offset, words, keep) if width(phrase) > LINE_WIDTH else [phrase]
        )
        offset += len(phrase)
    return atoms


def _break_cost(before: str, after: str, cue: bool) -> float:
    """How bad it is to end a line (or, dearer, a cue) between ``before`` and ``after``:
    best at a sentence end, then after a comma; worst inside 「…」."""
    stripped = before.rstrip("」』）)】")
    end = stripped[-1:]
    cost = (
        0 if end in SENTENCE_END else (5 if cue else 1) if end in PAUSE_END else (10 if cue else 3)
    )
    if _open_brackets(before) > 0 and after:
        cost += 8 if cue else 4
    return cost


def _open_brackets(text: str) -> int:
    return sum(text.count(c) for c in "「『（(【") - sum(text.count(c) for c in "」』）)】")


def _two_lines(atoms: list[str], before: str = "") -> tuple[tuple[str, ...], float] | None:
    """The best way to show ``atoms`` in one cue (lines and a cost), or None if they do not fit.
    ``before`` is the text of the earlier cues (for brackets left open)."""
    whole = "".join(atoms)
    if width(whole) <= LINE_WIDTH:
        return (whole,), 0.0
    best = None
    for k in range(1, len(atoms)):
        first, second = "".join(atoms[:k]), "".join(atoms[k:])
        if width(first) > LINE_WIDTH or width(second) > LINE_WIDTH:
            continue
        cost = abs(width(first) - width(second)) / 6 + _break_cost(
            before + first, second, cue=False
        )
        if best is None or cost < best[1]:
            best = ((first, second), cost)
    return best


def layout(text: str, words: list[Word], keep: list[tuple[int, int]] = ()) -> list[tuple[str, ...]]:
    """``text`` as cues of at most two lines, with as few cues (ending at sentence ends where
    it can) as the rule allows."""
    atoms = _atoms(text, words, keep)
    if not atoms:
        return []
    # best[j]: the cheapest way to show atoms[:j]; a cue costs 10, a poor place to end it more.
    best: list[tuple[float, int, tuple[str, ...]] | None] = [(0.0, 0, ())] + [None] * len(atoms)
    for j in range(1, len(atoms) + 1):
        for i in range(j - 1, -1, -1):
            if best[i] is None:
                continue
            shown = _two_lines(atoms[i:j], "".join(atoms[:i])) or (
                ((atoms[i],), 50.0) if j - i == 1 else None
            )
            if shown is None:
                if j - i > 1:
                    break  # a longer run of atoms fits even less
                continue
            lines, cost = shown
            ending = 0 if j == len(atoms) else _break_cost("".join(atoms[:j]), atoms[j], cue=True)
            total = (
                best[i][0]
                + 10
                + ending
                + cost
                + (4 if counted("".join(lines)) < 4 and len(atoms) > 1 else 0)
            )
            if best[j] is None or total < best[j][0]:
                best[j] = (total, i, lines)
    cues, j = [], len(atoms)
    while j > 0:
        _cost, i, lines = best[j]
        cues.append(lines)
        j = i
    return cues[::-1]


def weight(words: list[Word], start: int, end: int) -> float:
    """Estimated seconds (at speed 1) to speak the words between ``start`` and ``end``:
    their morae, and a pause for each run of punctuation between spoken words."""
    spoken = [w for w in words if w.morae]
    first, last = (spoken[0].start, spoken[-1].start) if spoken else (0, 0)
    seconds, pausing = 0.0, False
    for word in words:
        if start <= word.start < end:
            seconds += word.morae * SECONDS_PER_MORA
            if word.pause and not pausing and first < word.start < last:
                seconds += SECONDS_PER_PAUSE
        pausing = word.pause
    return seconds


def estimate_seconds(words: list[Word], speed: float) -> float:
    """The speech time of a whole line, before it is synthesised."""
    return (weight(words, 0, words[-1].end if words else 0) + SECONDS_PER_LINE) / speed


def schedule(
    pieces: list[tuple[str, ...]], shares: list[float], start: float, speech: float, window: float
) -> list[CaptionCue]:
    """Times for the cues of one spoken line.

    ``shares`` divide the ``speech`` seconds between the cues: that is when each cue's words
    are said, and when it is shown. A cue that would be read faster than :data:`TARGET_CPS`
    takes more time: the next cue starts up to :data:`MAX_LAG` later (if the rest can spare
    it), and the last one stays up into the line's pause, at most until ``window`` seconds
    after ``start``.
    """
    total = sum(shares) or 1.0
    said, t = [], start
    for share in shares:
        said.append(t)
        t += speech * share / total
    counts = [max(1, counted("".join(lines))) for lines in pieces]
    limit = start + max(window, speech)
    end = min(max(start + speech, start + sum(counts) / TARGET_CPS), limit)
    bounds = [start]
    for n in range(1, len(pieces)):
        wanted = bounds[-1] + counts[n - 1] / TARGET_CPS
        latest = end - sum(counts[n:]) / TARGET_CPS  # leave the rest its time
        bounds.append(max(said[n], bounds[-1], min(wanted, said[n] + MAX_LAG, latest)))
    bounds.append(min(limit, max(end, bounds[-1] + counts[-1] / TARGET_CPS)))
    return [
        CaptionCue(round(a, 3), round(b, 3), lines)
        for a, b, lines in zip(bounds[:-1], bounds[1:], pieces, strict=True)
    ]


def line_cues(
    text: str, words: list[Word], keep, start: float, speech: float, window: float
) -> list[CaptionCue]:
    """The cues of one spoken line whose caption is ``text`` (analysed into ``words``)."""
    pieces = layout(text, words, keep)
    shares, offset = [], 0
    for lines in pieces:
        joined = "".join(lines)
        found = text.find(joined, offset)
        end = (found if found >= 0 else offset) + len(joined)
        shares.append(weight(words, offset, end) or counted(joined) * SECONDS_PER_MORA)
        offset = end
    return schedule(pieces, shares, start, speech, max(window, speech))


def cues_for(
    caption: str, engine, dictionary, start: float, speech: float, window: float
) -> list[CaptionCue]:
    """The cues of one spoken line, analysed by ``engine``; ``dictionary`` terms stay whole."""
    caption = " ".join(caption.split())
    return line_cues(
        caption, engine.words(caption), dictionary.spans(caption), start, speech, window
    )


@dataclass(frozen=True)
class Finding:
    """A cue that breaks a rule; ``fits`` says whether all the time available would do."""

    message: str
    cue: CaptionCue | None
    fits: bool = True


def line_findings(cues: list[CaptionCue], window: float) -> list[Finding]:
    """The rules each cue of one spoken line breaks."""
    findings = []
    characters = sum(counted(c.text) for c in cues)
    fits = window <= 0 or characters / window <= MAX_CPS
    for cue in cues:
        if len(cue.lines) > MAX_LINES:
            findings.append(
                Finding(
                    _(
                        "a caption of %(n)d lines (at most %(most)d)",
                        n=len(cue.lines),
                        most=MAX_LINES,
                    ),
                    cue,
                )
            )
        for line in cue.lines:
            if width(line) > LINE_WIDTH:
                findings.append(
                    Finding(
                        _(
                            "a caption line of %(n)g characters (at most %(most)g): %(line)s",
                            n=width(line),
                            most=LINE_WIDTH,
                            line=line,
                        ),
                        cue,
                    )
                )
        if cue.cps > MAX_CPS:
            findings.append(
                Finding(
                    _(
                        "%(cps).1f characters a second (at most %(most)g): %(text)s",
                        cps=cue.cps,
                        most=MAX_CPS,
                        text=cue.text,
                    ),
                    cue,
                    fits,
                )
            )
    return findings


def median_cps(cues: list[CaptionCue]) -> float:
    return statistics.median(c.cps for c in cues) if cues else 0.0
