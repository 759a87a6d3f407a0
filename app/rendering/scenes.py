"""Scene frames: the setting with its people in it, the speaker marked, and no spoken words.

While a line is spoken the frame shows the scene's backdrop and everyone present in it; the
speaker stands out (full colour, a ring in their colour, a name plate with name and role) and
the others are dimmed. The words themselves are only in the captions, which the player shows
over the bottom fifth of the frame; that band is the floor and stays clear. A line of the
narrator shows everyone in full colour and a small plate naming the narrator. A scene opens
with its title over the dimmed scene.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from app.rendering import cards, illustrations, scenery
from app.rendering.illustrations import FLOOR_Y, SEATED_UNITS, STANDING_UNITS
from app.rendering.script import CastMember, Scene, Script

FIGURE_SCALE = 3.7  # design units per figure unit: a standing figure is 370 units tall
INSET_SCALE = 5.2  # the caller on the phone, seen closer
DIM_TOWARDS = (236, 232, 224)
DIM_AMOUNT = 0.58
PLATE_INK = (31, 41, 51)
PLATE_MUTED = (84, 96, 110)

# Where people stand, in design units at 1280 wide: (first x, step) for residents and staff,
# the floor they stand on, and whether they are seated.
LAYOUTS = {
    "counter": {"resident": (440, -150), "staff": (840, 150), "floor": {}, "seated": False},
    "home": {
        "resident": (420, -150),
        "staff": (900, 140),
        "floor": {"resident": FLOOR_Y - 36},
        "seated": False,
    },
    "consultation-booth": {
        "resident": (470, -140),
        "staff": (810, 140),
        "floor": {},
        "seated": True,
    },
    "office": {"resident": (320, -140), "staff": (850, 170), "floor": {}, "seated": {"staff"}},
}
LAYOUTS["phone"] = LAYOUTS["office"]
LAYOUTS["neutral"] = LAYOUTS["counter"]
INSET = (300, 318, 138)  # the phone inset: centre x, centre y, radius


@dataclass(frozen=True)
class Placement:
    member: CastMember
    x: float  # design units from the left
    floor: float  # design units from the top
    seated: bool
    inset: bool = False


def _slots(start: float, step: float, count: int, width: float) -> list[float]:
    """``count`` positions from ``start`` by ``step``, squeezed to stay inside the frame."""
    if count <= 1:
        return [start] * count
    room = (start - 70) if step < 0 else (width - 70 - start)
    step = (1 if step > 0 else -1) * min(abs(step), room / (count - 1))
    return [start + i * step for i in range(count)]


def layout(key: str, members: list[CastMember], width: float) -> list[Placement]:
    """Where each present cast member appears in the setting ``key``."""
    ratio = width / 1280
    if key == "meeting-room":  # everyone seated along the table, residents first
        ordered = sorted(members, key=lambda m: m.look.side != "resident")
        n = len(ordered)
        return [
            Placement(m, width * (0.14 + 0.72 * (i + 0.5) / n), FLOOR_Y, True)
            for i, m in enumerate(ordered)
        ]
    spec = LAYOUTS.get(key, LAYOUTS["counter"])
    groups = {side: [m for m in members if m.look.side == side] for side in scenery.SIDES}
    if key in ("consultation-booth", "neutral") and not groups["resident"]:
        # Colleagues talking face each other across the table rather than sitting in a row.
        groups = {"resident": groups["staff"][1::2], "staff": groups["staff"][0::2]}
    placements = []
    for side in scenery.SIDES:
        group = groups[side]
        if key == "phone" and side == "resident":
            placements += [
                Placement(m, INSET[0] * ratio, FLOOR_Y, False, inset=True) for m in group[:1]
            ]
            group = group[1:]
        start, step = spec[side]
        seated = spec["seated"] if isinstance(spec["seated"], bool) else side in spec["seated"]
        floor = spec["floor"].get(side, FLOOR_Y)
        for member, x in zip(
            group, _slots(start * ratio, step * ratio, len(group), width), strict=True
        ):
            placements.append(Placement(member, x, floor, seated))
    return placements


def _dim(layer: Image.Image) -> Image.Image:
    rgb = Image.blend(layer.convert("RGB"), Image.new("RGB", layer.size, DIM_TOWARDS), DIM_AMOUNT)
    rgb.putalpha(layer.getchannel("A"))
    return rgb


def _ring(layer: Image.Image, colour, thickness: int) -> Image.Image:
    """A band of ``colour`` around the figure's outline (its alpha grown by ``thickness``)."""
    size = 2 * thickness + 1
    pad = thickness + 2
    alpha = ImageOps.expand(layer.getchannel("A"), border=pad, fill=0)
    grown = alpha.filter(ImageFilter.MaxFilter(size))
    ring = Image.new("RGBA", grown.size, (*colour, 0))
    ring.putalpha(grown)
    return ring


class ScenePainter(cards.CardPainter):
    """Draws the scene frames of one script at one size (the other cards come from CardPainter)."""

    def __init__(self, width: int, height: int, script: Script):
        super().__init__(width, height)
        self.script = script
        self.design_width = 720 * width / height
        self._rooms: dict[tuple[str, str], tuple[Image.Image, Image.Image | None, bool]] = {}
        self._figures: dict[tuple, Image.Image] = {}

    # --- parts ------------------------------------------------------------------------------

    def room(self, scene: Scene) -> tuple[Image.Image, Image.Image | None, bool]:
        """(backdrop, what stands in front of the people, whether it is the portal's drawing)."""
        sign = scenery.sign_text(scene.setting)
        cache_key = (scene.backdrop, sign)
        if cache_key not in self._rooms:
            city = (
                scenery.city_backdrop(self.script.path, scene.backdrop)
                if self.script.path
                else None
            )
            if city is not None:
                with Image.open(city) as image:
                    back = ImageOps.fit(
                        image.convert("RGB"), (self.width, self.height), Image.LANCZOS
                    )
                self._rooms[cache_key] = (back, None, False)
            else:
                key = scene.backdrop if scene.backdrop in illustrations.DRAWERS else scenery.NEUTRAL
                self._check(sign)
                back, front = illustrations.backdrop(
                    key, self.width, self.height, sign, str(self.bold_path)
                )
                self._rooms[cache_key] = (back, front, True)
        return self._rooms[cache_key]

    def figure(self, member: CastMember, seated: bool, scale: float) -> Image.Image:
        cache_key = (member.key, seated, scale)
        if cache_key not in self._figures:
            units = SEATED_UNITS if seated else STANDING_UNITS
            if member.look.image is not None:
                with Image.open(member.look.image) as image:
                    image = image.convert("RGBA")
                    height = round(units * scale * self.scale)
                    layer = image.resize(
                        (max(1, round(image.width * height / image.height)), height), Image.LANCZOS
                    )
            else:
                layer = illustrations.person(
                    member.look, member.colour, member.key, scale * self.scale, seated
                )
            self._figures[cache_key] = layer
        return self._figures[cache_key]

    def _paste_figure(
        self, frame: Image.Image, layer: Image.Image, x: float, floor: float, state: str, colour
    ) -> tuple[float, float]:
        """Paste a figure with its feet at (x, floor) in design units; returns its top centre in pixels."""
        px, py = x * self.scale, floor * self.scale
        left, top = round(px - layer.width / 2), round(py - layer.height)
        if state == "speaker":
            thickness = max(2, round(6 * self.scale))
            ring = _ring(layer, colour, thickness)
            ring_top = top - thickness - 2
            ring = ring.crop(
                (0, 0, ring.width, max(1, round(py) - ring_top))
            )  # not below the floor
            frame.alpha_composite(ring, (left - thickness - 2, ring_top))
        shown = _dim(layer) if state == "dimmed" else layer
        frame.alpha_composite(shown, (left, top))
        return px, top

    def _inset(
        self, frame: Image.Image, placement: Placement, state: str, colour
    ) -> tuple[float, float]:
        """The caller on the phone, in a round frame: a bust seen closer."""
        s = self.scale
        cx, cy, r = placement.x * s, INSET[1] * s, INSET[2] * s
        layer = self.figure(placement.member, False, INSET_SCALE)
        inner = Image.new("RGBA", (round(2 * r), round(2 * r)), (241, 231, 213, 255))
        inner.alpha_composite(
            _dim(layer) if state == "dimmed" else layer,
            (round(r - layer.width / 2), round(0.22 * r)),
        )
        mask = Image.new("L", inner.size, 0)
        ImageDraw.Draw(mask).ellipse((0, 0, inner.width - 1, inner.height - 1), fill=255)
        draw = ImageDraw.Draw(frame)
        border = max(2, round((8 if state == "speaker" else 5) * s))
        draw.ellipse(
            (cx - r - border, cy - r - border, cx + r + border, cy + r + border),
            fill=(*colour, 255) if state == "speaker" else (255, 255, 255, 255),
        )
        frame.paste(inner, (round(cx - r), round(cy - r)), mask)
        self._pill(
            draw,
            (cx - 60 * s, cy + r + 14 * s),
            "電話の相手",
            self._font(22),
            (255, 255, 255),
            PLATE_INK,
            pad_x=14,
            pad_y=5,
        )
        return cx, cy - r - border

    def plate(
        self, draw: ImageDraw.ImageDraw, anchor: tuple[float, float], member: CastMember
    ) -> None:
        """A name plate (name and role) above the speaker, pointing down at them."""
        s = self.scale
        name_font, role_font = self._font(28, bold=True), self._font(21)
        width = (
            max(
                name_font.getlength(member.name),
                role_font.getlength(member.role) if member.role else 0,
            )
            + 44 * s
        )
        height = (88 if member.role else 58) * s
        x, bottom = anchor[0], anchor[1] - 16 * s
        left = min(max(16 * s, x - width / 2), self.width - 16 * s - width)
        top = max(8 * s, bottom - height)
        colour = cards.CHIP.get(member.colour, cards.CHIP["grey"])
        draw.polygon(
            [
                (x - 12 * s, top + height - 1),
                (x + 12 * s, top + height - 1),
                (x, top + height + 12 * s),
            ],
            fill=(255, 255, 255),
        )
        draw.rounded_rectangle(
            (left, top, left + width, top + height),
            radius=10 * s,
            fill=(255, 255, 255),
            outline=colour,
            width=max(2, round(4 * s)),
        )
        draw.rectangle(
            (left + 4 * s, top + 10 * s, left + 12 * s, top + height - 10 * s), fill=colour
        )
        draw.text((left + 24 * s, top + 10 * s), member.name, font=name_font, fill=PLATE_INK)
        if member.role:
            draw.text((left + 24 * s, top + 52 * s), member.role, font=role_font, fill=PLATE_MUTED)

    # --- frames -----------------------------------------------------------------------------

    def compose(
        self, scene: Scene, speaker: str | None, everyone_dimmed: bool = False
    ) -> Image.Image:
        """The scene with its people; ``speaker`` marked (a cast key, the narrator, or None)."""
        self._check(
            scene.setting,
            *(m.name for m in self.script.cast.values()),
            *(m.role for m in self.script.cast.values()),
        )
        back, front, drawn = self.room(scene)
        frame = back.convert("RGBA")
        members = [self.script.cast[k] for k in scenery.present(scene, self.script.narrator)]
        placements = layout(scene.backdrop, members, self.design_width)
        speaking = speaker is not None and any(p.member.key == speaker for p in placements)
        anchors = {}
        for p in placements:
            state = (
                "dimmed"
                if everyone_dimmed or (speaking and p.member.key != speaker)
                else ("speaker" if speaking else "plain")
            )
            colour = cards.CHIP.get(p.member.colour, cards.CHIP["grey"])
            if p.inset:
                anchors[p.member.key] = self._inset(frame, p, state, colour)
            else:
                layer = self.figure(p.member, p.seated, FIGURE_SCALE)
                anchors[p.member.key] = self._paste_figure(
                    frame, layer, p.x, p.floor, state, colour
                )
        if front is not None:
            frame.alpha_composite(front)
        draw = ImageDraw.Draw(frame)
        if not (drawn and scenery.SETTINGS[scene.backdrop].sign):
            self._pill(
                draw,
                (24 * self.scale, 24 * self.scale),
                scene.setting,
                self._font(24),
                cards.NAVY,
                cards.PAPER,
                pad_x=16,
                pad_y=6,
            )
        if speaking and not everyone_dimmed:
            self.plate(draw, anchors[speaker], self.script.cast[speaker])
        elif speaker is not None and speaker in self.script.cast and not everyone_dimmed:
            narrator = self.script.cast[speaker]
            font = self._font(26, bold=True)
            x = self.width - 24 * self.scale - font.getlength(narrator.name) - 36 * self.scale
            self._pill(
                draw,
                (x, 24 * self.scale),
                narrator.name,
                font,
                cards.CHIP.get(narrator.colour, cards.CHIP["grey"]),
                cards.CHIP_INK,
            )
        return frame.convert("RGB")

    def scene_line(self, path: Path, scene: Scene, speaker: str) -> Path:
        """The frame shown while ``speaker`` says a line of ``scene`` (the same for all their lines)."""
        return self._save(self.compose(scene, speaker), path)

    def scene_opening(self, path: Path, scene: Scene, label: str) -> Path:
        """The scene's title over the dimmed scene."""
        self._check(scene.title, scene.setting, label)
        s = self.scale
        frame = self.compose(scene, None, everyone_dimmed=True).convert("RGBA")
        overlay = Image.new("RGBA", frame.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        draw.rounded_rectangle(
            (70 * s, 150 * s, self.width - 70 * s, 470 * s), radius=18 * s, fill=(*cards.NAVY, 228)
        )
        self._pill(draw, (110 * s, 182 * s), label, self._font(28), cards.NAVY_LIGHT, cards.MUTED)
        y = self._text_block(
            draw,
            scene.title,
            (110 * s, 250 * s, self.width - 110 * s, 390 * s),
            (54, 46, 40),
            cards.PAPER,
            bold=True,
            spacing=1.3,
        )
        self._text_block(
            draw,
            scene.setting,
            (110 * s, y + 14 * s, self.width - 110 * s, 460 * s),
            (34, 30, 26),
            cards.CHIP["teal"],
        )
        frame.alpha_composite(overlay)
        return self._save(frame.convert("RGB"), path)
