"""The portal's own illustrations: flat drawings of the settings and of the people in them.

Everything is drawn with Pillow from plain shapes, in a design space 720 units tall (1280 wide
at 16:9), at twice the final size and then reduced, which smooths the edges. The floor starts
at y = 576: the bottom fifth of every backdrop is an even floor colour, left clear for the
player's captions. People are simple, friendly figures: one face for everyone, no caricature;
age shows only in the hair colour (and a cane when the script asks for one), clothes take the
cast member's colour, staff wear an ID card on a lanyard.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

from app.rendering import scenery

FLOOR_Y = 576
WALL = (238, 233, 222)
SKIRTING = (214, 206, 192)
FLOOR = (92, 104, 120)
WOOD = (199, 163, 120)
WOOD_DARK = (160, 124, 86)
COUNTER_TOP = (222, 205, 178)
COUNTER_FRONT = (184, 164, 140)
COUNTER_PANEL = (170, 150, 126)
SKY = (198, 223, 240)
FRAME = (250, 250, 247)
LEAF = (92, 146, 100)
LEAF_DARK = (70, 120, 82)
POT = (176, 118, 88)
METAL = (196, 202, 210)
METAL_DARK = (150, 158, 170)
SIGN_INK = (255, 255, 255)
SIGN_COLOURS = {
    "tax-counter": (31, 78, 121),
    "water-counter": (24, 104, 160),
    "resident-counter": (44, 118, 86),
    "consultation-booth": (92, 84, 150),
    "meeting-room": (60, 70, 84),
    "office": (60, 70, 84),
    "phone": (92, 84, 150),
}

CLOTHES = {
    "blue": (78, 126, 190),
    "green": (74, 150, 104),
    "orange": (214, 128, 62),
    "purple": (134, 104, 180),
    "teal": (48, 150, 144),
    "grey": (122, 130, 142),
}
SKIN = ((243, 208, 182), (228, 187, 152), (204, 158, 122))
TROUSERS = {"staff": (58, 66, 82), "resident": (96, 90, 84)}
SHOES = (52, 50, 54)
FACE_INK = (60, 44, 40)
LANYARD = (40, 96, 160)
CANE = (120, 84, 50)
CHAIR = (118, 128, 146)


class Pen:
    """ImageDraw in design units: ``k`` pixels per unit, the origin moved by (ox, oy) units."""

    def __init__(self, image: Image.Image, k: float, ox: float = 0, oy: float = 0):
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.k = k
        self.ox = ox
        self.oy = oy

    def _xy(self, *values: float) -> list[float]:
        return [(v + (self.ox if i % 2 == 0 else self.oy)) * self.k for i, v in enumerate(values)]

    def rect(self, box, fill) -> None:
        self.draw.rectangle(self._xy(*box), fill=fill)

    def rrect(self, box, radius, fill) -> None:
        self.draw.rounded_rectangle(self._xy(*box), radius=radius * self.k, fill=fill)

    def ellipse(self, box, fill) -> None:
        self.draw.ellipse(self._xy(*box), fill=fill)

    def pie(self, box, start, end, fill) -> None:
        self.draw.pieslice(self._xy(*box), start, end, fill=fill)

    def arc(self, box, start, end, fill, width) -> None:
        self.draw.arc(self._xy(*box), start, end, fill=fill, width=max(1, round(width * self.k)))

    def polygon(self, points, fill) -> None:
        self.draw.polygon([tuple(self._xy(x, y)) for x, y in points], fill=fill)

    def line(self, points, fill, width) -> None:
        self.draw.line(
            [tuple(self._xy(x, y)) for x, y in points],
            fill=fill,
            width=max(1, round(width * self.k)),
        )

    def text(self, xy, text, font, fill) -> None:
        self.draw.text(tuple(self._xy(*xy)), text, font=font, fill=fill)


def shade(colour, factor: float):
    return tuple(max(0, min(255, round(c * factor))) for c in colour[:3])


# --- parts of the rooms ---------------------------------------------------------------------


def room(pen: Pen, width: float, wall=WALL) -> None:
    pen.rect((0, 0, width, FLOOR_Y), wall)
    pen.rect((0, FLOOR_Y - 18, width, FLOOR_Y), SKIRTING)
    pen.rect((0, FLOOR_Y, width, 720), FLOOR)


def window(pen: Pen, box, blinds: bool = False) -> None:
    x0, y0, x1, y1 = box
    pen.rect((x0 - 10, y0 - 10, x1 + 10, y1 + 10), FRAME)
    pen.rect(box, SKY)
    if blinds:
        for y in range(int(y0) + 6, int(y1), 16):
            pen.rect((x0, y, x1, y + 9), (232, 236, 238))
        return
    pen.ellipse((x0 + 30, y1 - 70, x0 + 130, y1 + 10), (168, 204, 170))  # a tree outside
    pen.rect((x0, y1 - 24, x1, y1), (176, 208, 178))
    pen.rect(((x0 + x1) / 2 - 4, y0, (x0 + x1) / 2 + 4, y1), FRAME)
    pen.rect((x0, (y0 + y1) / 2 - 4, x1, (y0 + y1) / 2 + 4), FRAME)


def plant(pen: Pen, x: float, floor: float = FLOOR_Y, size: float = 1.0) -> None:
    s = size
    for dx, dy, r, colour in (
        (-26, -150, 34, LEAF_DARK),
        (24, -140, 32, LEAF_DARK),
        (0, -178, 36, LEAF),
        (-14, -118, 30, LEAF),
        (16, -112, 28, LEAF),
    ):
        pen.ellipse(
            (
                x + dx * s - r * s,
                floor + dy * s - r * s,
                x + dx * s + r * s,
                floor + dy * s + r * s,
            ),
            colour,
        )
    pen.polygon(
        [
            (x - 30 * s, floor - 84 * s),
            (x + 30 * s, floor - 84 * s),
            (x + 22 * s, floor),
            (x - 22 * s, floor),
        ],
        POT,
    )


def clock(pen: Pen, cx: float, cy: float, r: float = 34) -> None:
    pen.ellipse((cx - r - 5, cy - r - 5, cx + r + 5, cy + r + 5), (90, 96, 104))
    pen.ellipse((cx - r, cy - r, cx + r, cy + r), FRAME)
    pen.line([(cx, cy), (cx, cy - r * 0.7)], (60, 60, 66), 4)
    pen.line([(cx, cy), (cx + r * 0.5, cy + r * 0.1)], (60, 60, 66), 5)


def poster(pen: Pen, box, accent) -> None:
    x0, y0, x1, y1 = box
    pen.rect(box, FRAME)
    pen.rect((x0, y0, x1, y0 + 24), accent)
    for n, y in enumerate(range(int(y0) + 40, int(y1) - 10, 18)):
        pen.rect((x0 + 14, y, x1 - 14 - (n % 2) * 30, y + 6), (206, 210, 214))


def counter(pen: Pen, cx: float) -> None:
    """A service counter seen from the side: the resident stands left of it, staff right."""
    top = FLOOR_Y - 186
    pen.rect((cx - 92, top + 16, cx + 92, FLOOR_Y), COUNTER_FRONT)
    pen.rect((cx - 74, top + 36, cx + 74, FLOOR_Y - 16), COUNTER_PANEL)
    pen.rect((cx - 114, top, cx + 114, top + 16), COUNTER_TOP)
    pen.rect((cx - 80, top - 12, cx - 10, top), (246, 246, 242))  # a document tray
    pen.rect((cx - 84, top - 6, cx - 6, top), METAL_DARK)
    pen.rect((cx + 44, top - 46, cx + 82, top), METAL)  # a pamphlet stand
    for y in (top - 40, top - 22):
        pen.rect((cx + 48, y, cx + 78, y + 12), (250, 236, 200))


def cabinet_row(pen: Pen, x0: float, x1: float, top: float = FLOOR_Y - 110) -> None:
    pen.rect((x0, top, x1, FLOOR_Y), METAL)
    for x in range(int(x0) + 8, int(x1) - 60, 80):
        pen.rect((x, top + 12, x + 72, FLOOR_Y - 10), (210, 215, 222))
        pen.rect((x + 28, top + 24, x + 44, top + 30), METAL_DARK)


def sign(pen: Pen, cx: float, text: str, fill, font_path: str) -> None:
    """A sign hanging from the ceiling with the setting's name."""
    if not text:
        return
    font = ImageFont.truetype(font_path, size=max(8, round(30 * pen.k)), index=0)
    width = font.getlength(text) / pen.k
    half = width / 2 + 26
    for x in (cx - half + 30, cx + half - 30):
        pen.line([(x, 0), (x, 28)], METAL_DARK, 3)
    pen.rrect((cx - half, 26, cx + half, 84), 8, fill)
    ascent, descent = font.getmetrics()
    pen.text((cx - width / 2, 55 - (ascent + descent) / 2 / pen.k), text, font, SIGN_INK)


# --- the settings ---------------------------------------------------------------------------


def _tax_counter(pen: Pen, front: Pen, width: float) -> None:
    room(pen, width)
    window(pen, (70, 150, 300, 390))
    clock(pen, width - 140, 150)
    cabinet_row(pen, width / 2 + 150, width - 30)
    counter(pen, width / 2)
    plant(pen, 40 + 10, size=0.8)


def _water_counter(pen: Pen, front: Pen, width: float) -> None:
    room(pen, width, (234, 238, 236))
    window(pen, (70, 150, 300, 390))
    poster(pen, (width - 300, 140, width - 150, 340), (24, 104, 160))
    cx, cy = width - 225, 250  # a water drop on the poster
    pen.polygon([(cx, cy - 50), (cx - 34, cy + 6), (cx + 34, cy + 6)], (92, 170, 224))
    pen.ellipse((cx - 36, cy - 20, cx + 36, cy + 50), (92, 170, 224))
    cabinet_row(pen, width / 2 + 150, width - 30)
    counter(pen, width / 2)
    plant(pen, width - 50, size=0.8)


def _resident_counter(pen: Pen, front: Pen, width: float) -> None:
    room(pen, width, (240, 236, 228))
    window(pen, (60, 150, 260, 360))
    x0 = width - 330  # the called-number display
    pen.rrect((x0, 120, x0 + 220, 214), 8, (52, 58, 66))
    for n in range(3):
        pen.rrect((x0 + 16 + n * 68, 136, x0 + 68 + n * 68, 198), 6, (30, 34, 40))
        pen.rect((x0 + 30 + n * 68, 146, x0 + 54 + n * 68, 188), (255, 183, 77))
    pen.rrect((170, FLOOR_Y - 220, 250, FLOOR_Y), 8, METAL)  # the ticket machine
    pen.rrect((180, FLOOR_Y - 206, 240, FLOOR_Y - 160), 6, (70, 150, 200))
    pen.rect((196, FLOOR_Y - 140, 224, FLOOR_Y - 134), (60, 60, 66))
    cabinet_row(pen, width / 2 + 150, width - 30)
    counter(pen, width / 2)


def _home(pen: Pen, front: Pen, width: float) -> None:
    step = FLOOR_Y - 36  # the raised hall floor (上がり框)
    door = width * 0.6
    pen.rect((0, 0, door, step), (241, 231, 213))
    pen.rect((door, 0, width, FLOOR_Y), SKY)  # outside the open door
    pen.rect((door, FLOOR_Y - 140, width, FLOOR_Y), (128, 176, 120))  # a hedge
    for x in range(int(door) + 10, int(width), 60):
        pen.ellipse((x - 10, FLOOR_Y - 170, x + 60, FLOOR_Y - 110), (128, 176, 120))
    pen.rect((door - 22, 0, door, FLOOR_Y), WOOD_DARK)  # the door frame
    pen.rect((door, 0, width, 40), WOOD_DARK)
    panel = width - 150  # the sliding door, pushed open
    pen.rect((panel, 40, width, FLOOR_Y), WOOD)
    for y in range(60, FLOOR_Y - 20, 46):
        pen.rect((panel + 12, y, width - 12, y + 36), (236, 226, 204))
    pen.rect((0, step - 16, door, step), (214, 182, 140))  # the hall floor
    pen.rect((0, step, door, FLOOR_Y), WOOD)  # the step's face
    pen.rect((0, step, door, step + 6), WOOD_DARK)
    pen.rect((60, step - 16 - 150, 270, step - 16), WOOD_DARK)  # the shoe cabinet
    pen.rect((72, step - 16 - 138, 162, step - 28), WOOD)
    pen.rect((170, step - 16 - 138, 258, step - 28), WOOD)
    pen.rect((100, 190, 232, 290), FRAME)  # a framed picture
    pen.rect((110, 200, 222, 280), (200, 222, 206))
    pen.polygon([(120, 272), (160, 226), (190, 256), (212, 236), (212, 272)], (120, 168, 132))
    pen.ellipse((200, step - 16 - 196, 240, step - 16 - 150), (226, 120, 120))  # flowers in a vase
    pen.rect((212, step - 16 - 162, 228, step - 16 - 150), (90, 140, 180))
    pen.rect((0, FLOOR_Y, width, 720), (112, 116, 124))  # the entrance's tiled floor (土間)


def _booth(pen: Pen, front: Pen, width: float) -> None:
    room(pen, width, (232, 230, 226))
    pen.rect((110, 110, width - 110, FLOOR_Y), (200, 212, 222))  # the booth's partitions
    pen.rect((124, 124, width - 124, FLOOR_Y - 10), (214, 224, 232))
    pen.rect((width / 2 - 3, 124, width / 2 + 3, FLOOR_Y - 10), (200, 212, 222))
    cx = width / 2
    pen.rect((cx - 130, FLOOR_Y - 124, cx + 130, FLOOR_Y - 108), WOOD)  # a round table, side view
    pen.rect((cx - 9, FLOOR_Y - 108, cx + 9, FLOOR_Y - 8), METAL_DARK)
    pen.rect((cx - 60, FLOOR_Y - 10, cx + 60, FLOOR_Y), METAL_DARK)
    pen.rrect((cx - 40, FLOOR_Y - 154, cx + 10, FLOOR_Y - 124), 4, (240, 240, 244))  # tissues
    pen.ellipse((cx - 26, FLOOR_Y - 166, cx - 4, FLOOR_Y - 146), FRAME)
    pen.rrect((cx + 30, FLOOR_Y - 150, cx + 56, FLOOR_Y - 124), 4, (120, 170, 200))  # a cup
    plant(pen, width - 60, size=0.9)


def _meeting_room(pen: Pen, front: Pen, width: float) -> None:
    room(pen, width)
    pen.rect((width * 0.22 - 8, 112, width * 0.68 + 8, 322), METAL_DARK)  # a whiteboard
    pen.rect((width * 0.22, 120, width * 0.68, 314), (252, 252, 250))
    for n, y in enumerate((196, 226, 256)):
        pen.rect((width * 0.25, y, width * (0.52 - 0.06 * n), y + 6), (170, 190, 214))
    window(pen, (width - 250, 130, width - 70, 360), blinds=True)
    front.rect((120, FLOOR_Y - 112, width - 120, FLOOR_Y - 96), WOOD)  # the table, in front
    front.rect((140, FLOOR_Y - 96, width - 140, FLOOR_Y), WOOD_DARK)
    for x in range(200, int(width) - 200, 220):
        front.rrect((x, FLOOR_Y - 124, x + 60, FLOOR_Y - 112), 2, (246, 246, 242))  # papers


def _office(pen: Pen, front: Pen, width: float) -> None:
    room(pen, width)
    window(pen, (70, 110, 400, 380), blinds=True)
    cabinet_row(pen, width - 190, width - 40, top=FLOOR_Y - 250)
    plant(pen, 470, size=0.7)
    desk = (width * 0.48, width * 0.86)
    front.rect(
        (desk[0], FLOOR_Y - 136, desk[1], FLOOR_Y - 120), (214, 216, 220)
    )  # the desk, in front
    front.rect((desk[0] + 16, FLOOR_Y - 120, desk[1] - 16, FLOOR_Y), METAL)
    front.rect((desk[0] + 30, FLOOR_Y - 104, desk[1] - 30, FLOOR_Y - 20), (206, 212, 220))
    mx = desk[0] + 20  # a monitor at the left end of the desk, turned aside
    front.rect((mx + 34, FLOOR_Y - 160, mx + 46, FLOOR_Y - 136), (60, 64, 72))
    front.rrect((mx, FLOOR_Y - 250, mx + 80, FLOOR_Y - 160), 4, (60, 64, 72))
    front.rect((mx + 6, FLOOR_Y - 244, mx + 74, FLOOR_Y - 166), (120, 160, 200))
    px = desk[1] - 110  # the phone at the right end
    front.rrect((px, FLOOR_Y - 160, px + 70, FLOOR_Y - 136), 6, (70, 74, 82))
    front.rrect((px + 6, FLOOR_Y - 176, px + 64, FLOOR_Y - 160), 8, (50, 54, 60))


def _neutral(pen: Pen, front: Pen, width: float) -> None:
    top, bottom = (228, 234, 240), (204, 214, 224)
    for y in range(0, FLOOR_Y, 8):
        t = y / FLOOR_Y
        pen.rect(
            (0, y, width, y + 8),
            tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    pen.rect((0, FLOOR_Y, width, 720), FLOOR)


DRAWERS: dict[str, Callable[[Pen, Pen, float], None]] = {
    "tax-counter": _tax_counter,
    "water-counter": _water_counter,
    "resident-counter": _resident_counter,
    "home": _home,
    "consultation-booth": _booth,
    "meeting-room": _meeting_room,
    "office": _office,
    "phone": _office,
    "neutral": _neutral,
}
assert set(DRAWERS) == set(scenery.SETTINGS)


def backdrop(
    key: str, width: int, height: int, sign_text: str, font_path: str
) -> tuple[Image.Image, Image.Image]:
    """The drawn setting ``key`` at ``width``×``height``: the room (RGB) and what stands in
    front of the people (RGBA: a table, a desk; transparent elsewhere)."""
    k = 2 * height / 720
    design_width = 720 * width / height
    back = Image.new("RGB", (2 * width, 2 * height), WALL)
    front = Image.new("RGBA", (2 * width, 2 * height), (0, 0, 0, 0))
    back_pen, front_pen = Pen(back, k), Pen(front, k)
    DRAWERS[key](back_pen, front_pen, design_width)
    if scenery.SETTINGS[key].sign:
        sign(back_pen, design_width / 2, sign_text, SIGN_COLOURS.get(key, (60, 70, 84)), font_path)
    size = (width, height)
    return back.resize(size, Image.LANCZOS), front.resize(size, Image.LANCZOS)


# --- people ---------------------------------------------------------------------------------

STANDING_UNITS = 100  # a standing figure, head to heel
SEATED_UNITS = 84  # a seated figure, head to the chair's feet


def _head(pen: Pen, look: scenery.Look, skin, hair) -> None:
    if look.hair == "long":  # shoulder length, framing the face at the sides
        pen.rrect((-10.6, 5, -3, 27), 5, hair)
        pen.rrect((3, 5, 10.6, 27), 5, hair)
    if look.hair == "bun":
        pen.ellipse((-5, -2.5, 5, 7), hair)
    pen.rect((-2.8, 18, 2.8, 25), shade(skin, 0.94))
    pen.ellipse((-9.6, 10, -6.6, 15), skin)
    pen.ellipse((6.6, 10, 9.6, 15), skin)
    pen.ellipse((-8.2, 2.5, 8.2, 21), skin)
    pen.pie((-8.8, 1.6, 8.8, 17), 180, 360, hair)
    pen.polygon([(-8.6, 9.2), (-3, 9.2), (-7.6, 12.6)], hair)  # the fringe falls aside
    if look.hair == "long":
        pen.rect((-9, 9, -7.2, 19), hair)
        pen.rect((7.2, 9, 9, 19), hair)
    pen.ellipse((-4.3, 11.4, -2.5, 13.4), FACE_INK)
    pen.ellipse((2.5, 11.4, 4.3, 13.4), FACE_INK)
    pen.arc((-2.8, 13.6, 2.8, 17.6), 25, 155, FACE_INK, 0.7)


def _body(pen: Pen, look: scenery.Look, clothes, skin, seated: bool) -> None:
    sleeves = shade(clothes, 0.86)
    pen.rrect((-16.5, 24, -10, 54), 3.2, sleeves)
    pen.rrect((10, 24, 16.5, 54), 3.2, sleeves)
    pen.ellipse((-16.4, 51.5, -10.2, 57.5), skin)
    pen.ellipse((10.2, 51.5, 16.4, 57.5), skin)
    pen.rrect((-12, 22, 12, 60), 7, clothes)
    if look.side == "staff":
        pen.polygon([(-4.5, 22), (0, 28), (4.5, 22)], (250, 250, 250))  # a shirt collar
        pen.line([(-3.6, 23), (-1.6, 36)], LANYARD, 0.9)
        pen.line([(3.6, 23), (1.6, 36)], LANYARD, 0.9)
        pen.rrect((-4, 35, 4, 44), 0.8, (252, 252, 252))  # the ID card
        pen.rect((-4, 35, 4, 37), LANYARD)
    else:
        pen.line([(0, 26), (0, 59)], shade(clothes, 0.8), 0.8)  # a cardigan's opening
        pen.pie((-4.5, 19.5, 4.5, 27), 0, 180, shade(skin, 0.94))


def _legs(pen: Pen, look: scenery.Look, seated: bool) -> None:
    trousers = TROUSERS[look.side]
    if seated:
        pen.rect((-10.5, 56, -0.8, 67), trousers)
        pen.rect((0.8, 56, 10.5, 67), trousers)
        pen.rect((-9.5, 66, -2, 80), shade(trousers, 0.9))
        pen.rect((2, 66, 9.5, 80), shade(trousers, 0.9))
        pen.rrect((-11, 79, -1, 84), 2, SHOES)
        pen.rrect((1, 79, 11, 84), 2, SHOES)
        return
    pen.rect((-10, 56, -0.8, 95.5), trousers)
    pen.rect((0.8, 56, 10, 95.5), trousers)
    pen.rrect((-11, 94.5, -0.5, 100), 2, SHOES)
    pen.rrect((0.5, 94.5, 11, 100), 2, SHOES)


def _chair(pen: Pen) -> None:
    pen.rrect((-15.5, 25, 15.5, 62), 3, CHAIR)
    pen.rect((-17, 57, 17, 63), shade(CHAIR, 0.85))
    pen.rect((-16, 63, -13.5, 84), shade(CHAIR, 0.7))
    pen.rect((13.5, 63, 16, 84), shade(CHAIR, 0.7))


def person(
    look: scenery.Look, colour: str, seed: str, pixels_per_unit: float, seated: bool = False
) -> Image.Image:
    """A figure on a transparent layer; its feet (or its chair's feet) touch the bottom edge,
    centred."""
    units = SEATED_UNITS if seated else STANDING_UNITS
    k = 2 * pixels_per_unit
    layer = Image.new("RGBA", (math.ceil(50 * k), math.ceil((units + 3) * k)), (0, 0, 0, 0))
    pen = Pen(layer, k, ox=25, oy=3)
    number = scenery.stable_number(seed)
    skin = SKIN[(number // 7) % len(SKIN)]
    hair = scenery.HAIR_COLOURS[look.hair_colour]
    clothes = CLOTHES.get(colour, CLOTHES["grey"])
    if seated:
        _chair(pen)
    _legs(pen, look, seated)
    _body(pen, look, clothes, skin, seated)
    _head(pen, look, skin, hair)
    if look.cane and not seated:
        pen.line([(13.3, 55), (18.6, 100)], CANE, 1.6)
        pen.line([(11, 54.6), (14.2, 54.6)], CANE, 1.8)
    return layer.resize((max(1, layer.width // 2), max(1, layer.height // 2)), Image.LANCZOS)
