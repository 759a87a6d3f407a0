"""Open JTalk's text analysis, in process: how a text will be read, and its words.

The renderer speaks through the ``open_jtalk`` program; this module runs the same front end
(MeCab with the same NAIST dictionary, then NJD) through pyopenjtalk, so what it reports is
what the voice will say. It never uses pyopenjtalk's own dictionary (which it would try to
download): it is pointed at the dictionary the renderer uses.

An engine offers ``name``, ``g2p(text)`` (the reading in katakana, long vowels as ー) and
``words(text)`` (the words, each with its place in the text). Another speech engine can offer
the same three and share the pronunciation dictionary and the caption layout.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.rendering import tools

PAUSE = "、"  # NJD's pronunciation of punctuation (a short pause)


@dataclass(frozen=True)
class Word:
    """One word of a text, as the front end analysed it."""

    start: int  # index in the text
    end: int
    pos: str  # part of speech: 名詞, 動詞, 助詞, 記号 …
    detail: str  # its first sub-class: 一般, 数, 接尾, 非自立, 括弧開 …
    base: str  # dictionary form (する for さ, れ …)
    morae: int
    pause: bool  # punctuation the voice pauses at

    @property
    def text_range(self) -> range:
        return range(self.start, self.end)


def _fold(char: str) -> str:
    """Full-width and half-width forms compare equal (NJD writes ASCII digits full-width)."""
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def align(text: str, features: list[dict]) -> list[Word]:
    """Place the front end's words on the text.

    NJD rewrites some words (``8050`` becomes 八 千 五 十, spaces vanish); the text between
    two words that are found is given to the words that were not, as one word, so a number is
    always one piece.
    """
    folded = "".join(_fold(c) for c in text)
    words: list[Word] = []
    pos = 0
    pending: list[dict] = []

    def flush(until: int) -> None:
        if until > pos:
            first = (
                pending[0]
                if pending
                else {"pos": "記号", "pos_group1": "空白", "orig": "", "mora_size": 0, "pron": ""}
            )
            morae = sum(int(f.get("mora_size", 0)) for f in pending)
            words.append(
                Word(
                    pos,
                    until,
                    first["pos"],
                    first["pos_group1"],
                    first["orig"],
                    morae,
                    first["pron"] == PAUSE,
                )
            )
        pending.clear()

    for feature in features:
        string = "".join(_fold(c) for c in feature["string"])
        spelled_out = feature["pos_group1"] == "数" and pos < len(folded) and folded[pos].isdigit()
        found = -1 if spelled_out or not string else folded.find(string, pos)
        if found < 0 or found - pos > 24:  # far ahead: more likely a later repeat of the word
            pending.append(feature)
            continue
        flush(found)
        pos = found
        end = pos + len(string)
        words.append(
            Word(
                pos,
                end,
                feature["pos"],
                feature["pos_group1"],
                feature["orig"],
                int(feature["mora_size"]),
                feature["pron"] == PAUSE,
            )
        )
        pos = end
    flush(len(text))
    return words


class OpenJTalkFrontend:
    """pyopenjtalk's front end on the renderer's dictionary; one analysis at a time."""

    name = "open_jtalk"

    def __init__(self, dictionary: Path):
        from pyopenjtalk.openjtalk import OpenJTalk

        self.dictionary = dictionary
        self._jtalk = OpenJTalk(dn_mecab=str(dictionary).encode("utf-8"))
        self._lock = threading.Lock()

    def features(self, text: str) -> list[dict]:
        with self._lock:
            return self._jtalk.run_frontend(text)

    def g2p(self, text: str) -> str:
        """The reading in katakana, as the voice will say it (long vowels written ー)."""
        with self._lock:
            return self._jtalk.g2p(text, kana=True)

    def words(self, text: str) -> list[Word]:
        return align(text, self.features(text))


@lru_cache(maxsize=4)
def _frontend(dictionary: str) -> OpenJTalkFrontend:
    return OpenJTalkFrontend(Path(dictionary))


def open_jtalk() -> OpenJTalkFrontend:
    """The front end of the installed Open JTalk (raises ``ToolMissing`` without its dictionary)."""
    return _frontend(str(tools.dictionary()))
