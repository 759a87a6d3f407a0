"""The still cards of a role-play video, drawn with Pillow in Noto Sans CJK.

Calm, high-contrast colours; the spoken line in large text, wrapped by Japanese line-breaking
rules (kinsoku: no line starts with 。、」 and the like, none ends with 「（). The bottom fifth
of every card stays clear for the player's captions. Every character is checked against the
font's character map first, so a missing glyph is an error, never a blank box on screen.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

from app.rendering import tools

# Characters that must not begin a line (行頭禁則) and that must not end one (行末禁則).
NO_START = set(
    "、。，．,.)）]］}｝〕〉》」』】〙〗〟’”｠»ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ"
    "々〻‐゠–〜～？！?!‼⁇⁈⁉・:;：；…‥"
)
NO_END = set("([（［｛〔〈《「『【〘〖〝‘“｟«")

NAVY = (22, 38, 58)
NAVY_LIGHT = (36, 56, 80)
PAPER = (247, 245, 239)
MUTED = (196, 205, 214)
CREAM = (253, 246, 227)
INK = (31, 41, 51)
AMBER = (180, 83, 9)
CHIP = {
    "blue": (142, 197, 255),
    "green": (155, 224, 176),
    "orange": (255, 197, 138),
    "purple": (212, 184, 255),
    "teal": (143, 227, 220),
    "grey": (208, 213, 219),
}
CHIP_INK = (16, 32, 47)


class GlyphMissing(ValueError):
    """The font has no glyph for a character of the text."""

    def __init__(self, chars: list[str], font_path: Path):
        self.chars = chars
        listed = " ".join(f"{c} (U+{ord(c):04X})" for c in chars)
        super().__init__(
            _("The font %(font)s has no glyph for: %(chars)s", font=font_path.name, chars=listed)
        )


@lru_cache(maxsize=8)
def _cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with open(path, "rb") as fh:
        font = TTFont(
            fh, fontNumber=0 if path.lower().endswith((".ttc", ".otc")) else -1, lazy=True
        )
        cmap = frozenset(font.getBestCmap())
        font.close()
    return cmap


def missing_glyphs(text: str, font_path: Path | None = None) -> list[str]:
    """Characters of ``text`` the font cannot draw (whitespace aside), in order of appearance."""
    cmap = _cmap(str(font_path or tools.font()))
    missing: list[str] = []
    for char in text:
        if char.isspace() or ord(char) in cmap or char in missing:
            continue
        missing.append(char)
    return missing


def ensure_glyphs(text: str, font_path: Path) -> None:
    missing = missing_glyphs(text, font_path)
    if missing:
        raise GlyphMissing(missing, font_path)


_UNIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-.,%]*|\s+|.", re.DOTALL)


def wrap(text: str, measure, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (by ``measure(str) -> px``).

    Latin words stay whole; a character that may not start a line hangs at the end of the
    previous one (ぶら下げ); an opening bracket that would end a line moves to the next.
    """
    lines: list[str] = []
    current = ""
    for unit in _UNIT.findall(text):
        if not current and unit.isspace():
            continue
        if not current and lines and unit[0] in NO_START:
            lines[-1] += unit  # the break fell on a space: hang the punctuation anyway
            continue
        if measure(current + unit) <= width or not current:
            current += unit
            continue
        if unit[0] in NO_START:
            current += unit  # hang the punctuation rather than start a line with it
            continue
        body, carry = current.rstrip(), ""
        while body and body[-1] in NO_END:  # an opening bracket moves to the next line
            carry = body[-1] + carry
            body = body[:-1].rstrip()
        if not body:
            current += unit  # nothing but opening brackets: keep them with what follows
            continue
        lines.append(body)
        current = carry + ("" if unit.isspace() else unit)
    if current.strip():
        lines.append(current.rstrip())
    return lines


def balanced_wrap(text: str, measure, width: float) -> list[str]:
    """:func:`wrap`, narrowed a little when that avoids a last line of a few characters."""
    lines = wrap(text, measure, width)
    if len(lines) > 1 and len(lines[-1]) <= 3:
        for shrink in (0.96, 0.92, 0.88, 0.84):
            candidate = wrap(text, measure, width * shrink)
            if len(candidate) == len(lines) and len(candidate[-1]) > 3:
                return candidate
    return lines


class CardPainter:
    """Draws the cards of one video at one size."""

    def __init__(self, width: int, height: int):
        self.width = width
        self.height = height
        self.scale = height / 720
        self.regular_path = tools.font()
        self.bold_path = tools.font(bold=True)

    def _font(self, size: float, bold: bool = False) -> ImageFont.FreeTypeFont:
        return _load_font(
            str(self.bold_path if bold else self.regular_path), max(8, round(size * self.scale))
        )

    def _canvas(self, colour) -> tuple[Image.Image, ImageDraw.ImageDraw]:
        image = Image.new("RGB", (self.width, self.height), colour)
        return image, ImageDraw.Draw(image)

    def _check(self, *texts: str) -> None:
        for text in texts:
            ensure_glyphs(text, self.regular_path)
            ensure_glyphs(text, self.bold_path)

    def _fit(
        self,
        text: str,
        width: float,
        max_height: float,
        sizes: tuple[int, ...],
        bold=False,
        spacing=1.45,
    ):
        """The largest size at which ``text`` wraps into ``max_height``: (font, lines, line height)."""
        for size in sizes:
            font = self._font(size, bold)
            lines = balanced_wrap(text, font.getlength, width)
            line_height = font.size * spacing
            if len(lines) * line_height <= max_height:
                return font, lines, line_height
        return font, lines, line_height

    def _text_block(self, draw, text, box, sizes, colour, bold=False, align="left", spacing=1.45):
        left, top, right, bottom = box
        font, lines, line_height = self._fit(text, right - left, bottom - top, sizes, bold, spacing)
        y = top
        for line in lines:
            x = left
            if align == "center":
                x = left + (right - left - font.getlength(line)) / 2
            draw.text((x, y), line, font=font, fill=colour)
            y += line_height
        return y

    def _pill(self, draw, xy, text, font, fill, ink, pad_x=18, pad_y=8):
        x, y = xy
        s = self.scale
        text_width = font.getlength(text)
        ascent, descent = font.getmetrics()
        box = (x, y, x + text_width + 2 * pad_x * s, y + ascent + descent + 2 * pad_y * s)
        draw.rounded_rectangle(box, radius=10 * s, fill=fill)
        draw.text((x + pad_x * s, y + pad_y * s), text, font=font, fill=ink)
        return box

    def _save(self, image: Image.Image, path: Path) -> Path:
        image.save(path, format="PNG", optimize=False)
        return path

    # --- the cards -------------------------------------------------------------------------

    def title(self, path: Path, title_ja: str, title_en: str, kicker: str) -> Path:
        self._check(title_ja, title_en, kicker)
        s = self.scale
        image, draw = self._canvas(NAVY)
        draw.rectangle((0, 0, self.width, 14 * s), fill=CHIP["teal"])
        self._text_block(
            draw,
            kicker,
            (90 * s, 150 * s, self.width - 90 * s, 210 * s),
            (30, 26),
            MUTED,
            align="center",
        )
        # 「本題 ― 副題」: the subtitle goes on its own line rather than breaking a word.
        main, dash, subtitle = title_ja.partition("―")
        if not (dash and main.strip() and subtitle.strip()):
            main, subtitle = title_ja, ""
        y = self._text_block(
            draw,
            main.strip(),
            (90 * s, 230 * s, self.width - 90 * s, 400 * s),
            (64, 56, 48, 40),
            PAPER,
            bold=True,
            align="center",
            spacing=1.35,
        )
        if subtitle:
            y = self._text_block(
                draw,
                "― " + subtitle.strip(),
                (90 * s, y + 4 * s, self.width - 90 * s, y + 130 * s),
                (40, 34, 30),
                PAPER,
                bold=True,
                align="center",
                spacing=1.35,
            )
        if title_en:
            self._text_block(
                draw,
                title_en,
                (90 * s, y + 24 * s, self.width - 90 * s, y + 120 * s),
                (30, 26),
                MUTED,
                align="center",
            )
        return self._save(image, path)

    def setting(self, path: Path, scene_title: str, setting: str, label: str) -> Path:
        self._check(scene_title, setting, label)
        s = self.scale
        image, draw = self._canvas(NAVY)
        self._pill(draw, (90 * s, 200 * s), label, self._font(28), NAVY_LIGHT, MUTED)
        y = self._text_block(
            draw,
            scene_title,
            (90 * s, 270 * s, self.width - 90 * s, 440 * s),
            (54, 46, 40),
            PAPER,
            bold=True,
            spacing=1.35,
        )
        self._text_block(
            draw,
            setting,
            (90 * s, y + 20 * s, self.width - 90 * s, y + 100 * s),
            (36, 30),
            CHIP["teal"],
        )
        return self._save(image, path)

    def line(self, path: Path, setting: str, name: str, role: str, colour: str, text: str) -> Path:
        self._check(setting, name, role, text)
        s = self.scale
        image, draw = self._canvas(NAVY)
        self._pill(
            draw, (90 * s, 36 * s), setting, self._font(26), NAVY_LIGHT, MUTED, pad_x=16, pad_y=6
        )
        box = self._pill(
            draw,
            (90 * s, 112 * s),
            name,
            self._font(34, bold=True),
            CHIP.get(colour, CHIP["grey"]),
            CHIP_INK,
        )
        if role:
            draw.text((box[2] + 20 * s, 112 * s + 14 * s), role, font=self._font(28), fill=MUTED)
        draw.rectangle((90 * s, 200 * s, 96 * s, 560 * s), fill=CHIP.get(colour, CHIP["grey"]))
        self._text_block(
            draw,
            text,
            (124 * s, 200 * s, self.width - 90 * s, 570 * s),
            (50, 46, 42, 38, 34),
            PAPER,
            spacing=1.5,
        )
        return self._save(image, path)

    def key_points(self, path: Path, heading: str, points: tuple[str, ...]) -> Path:
        self._check(heading, *points)
        s = self.scale
        image, draw = self._canvas(CREAM)
        draw.rectangle((0, 0, 18 * s, self.height), fill=AMBER)
        self._pill(
            draw,
            (80 * s, 60 * s),
            heading,
            self._font(40, bold=True),
            AMBER,
            (255, 255, 255),
            pad_x=22,
            pad_y=10,
        )
        top = 170 * s
        room = (570 * s - top) / max(1, len(points))
        for point in points:
            draw.ellipse((84 * s, top + 16 * s, 100 * s, top + 32 * s), fill=AMBER)
            bottom = self._text_block(
                draw,
                point,
                (124 * s, top, self.width - 90 * s, top + room - 12 * s),
                (40, 36, 32, 28),
                INK,
                spacing=1.45,
            )
            top = max(bottom, top) + 14 * s
        return self._save(image, path)

    def end(self, path: Path, heading: str, credit_lines: list[str]) -> Path:
        self._check(heading, *credit_lines)
        s = self.scale
        image, draw = self._canvas(NAVY)
        self._text_block(
            draw,
            heading,
            (90 * s, 110 * s, self.width - 90 * s, 200 * s),
            (48, 40),
            PAPER,
            bold=True,
            align="center",
        )
        y = 240 * s
        for credit in credit_lines:
            y = (
                self._text_block(
                    draw,
                    credit,
                    (140 * s, y, self.width - 140 * s, y + 90 * s),
                    (24, 22, 20),
                    MUTED,
                    align="center",
                    spacing=1.4,
                )
                + 6 * s
            )
        return self._save(image, path)


@lru_cache(maxsize=64)
def _load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size=size, index=0)
