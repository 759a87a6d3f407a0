"""Where a scene takes place and how its people look: the backdrop of each scene, the figure of
each cast member, the city's own images that replace the drawn ones, and the Japanese
description (alt text) of every picture.

A scene's backdrop is a *setting key* (``tax-counter``, ``home`` …). It comes from the scene's
``backdrop:`` or, without one, from keywords in its ``setting:`` text. The picture of a key is
the city's image ``videos/illustrations/settings/<key>.png`` (or ``.jpg``) when there is one,
else the drawing that ships with the portal. A cast member's figure is drawn from their
``colour`` and ``figure:`` hints, or is the city's image named by ``image:``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from app.content.registry import Problem
from app.content.spec import did_you_mean

ILLUSTRATIONS_DIR = "illustrations/settings"  # under videos/
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
BACKDROP_MIN = (640, 360)
CAST_MIN_HEIGHT = 200


@dataclass(frozen=True)
class Setting:
    key: str
    alt: str  # what the drawn backdrop shows, in Japanese
    seated: bool = False  # people sit (at a table or desk) rather than stand
    sign: bool = True  # a sign with the setting's name hangs in the room


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "tax-counter",
            "市役所の税務課の収納窓口。カウンターの上に書類トレーとパンフレット立てがあり、奥の壁には窓と時計があります。",
        ),
        Setting(
            "water-counter",
            "市役所の上下水道課の料金窓口。カウンターの奥の壁に、水のしずくを描いたポスターと窓があります。",
        ),
        Setting(
            "resident-counter",
            "市役所の市民課の窓口。呼び出し番号の表示板と、番号札の発券機があります。",
        ),
        Setting(
            "home",
            "住宅の玄関。板張りの上がり框と靴箱があり、開いた戸から外の光が入っています。",
            sign=False,
        ),
        Setting(
            "consultation-booth",
            "相談室の相談ブース。仕切りの中にテーブルと椅子があり、テーブルにはティッシュの箱、隅には観葉植物があります。",
            seated=True,
        ),
        Setting(
            "meeting-room",
            "会議室。長いテーブルに参加者が並んで座り、壁にはホワイトボードがあります。",
            seated=True,
        ),
        Setting(
            "office",
            "市役所の事務室。机の上にパソコンと電話があり、窓にはブラインドがかかっています。",
            seated=True,
        ),
        Setting(
            "phone",
            "市役所の事務室。職員の机の上にパソコンと電話があります。電話の相手は、左上の丸い枠の中に描かれています。",
            seated=True,
        ),
        Setting("neutral", "落ち着いた色の無地の背景。", sign=False),
    )
}
NEUTRAL = "neutral"

# The first rule whose keyword occurs in the setting text wins, so the more specific come first
# (「相談室（電話）」 is a phone call, 「税務課（職員ポータル）」 is desk work).
KEYWORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("電話",), "phone"),
    (("ポータル", "事務室", "執務室", "パソコン"), "office"),
    (("会議",), "meeting-room"),
    (("訪問", "自宅", "玄関", "お宅", "家庭"), "home"),
    (("税務", "収納", "納税"), "tax-counter"),
    (("上下水道", "水道"), "water-counter"),
    (("市民課", "住民票", "戸籍"), "resident-counter"),
    (("相談室", "相談ブース"), "consultation-booth"),
)

SIDES = ("resident", "staff")
HAIR_STYLES = ("short", "long", "bun")
HAIR_COLOURS = {
    "black": (44, 40, 40),
    "brown": (96, 66, 46),
    "grey": (168, 168, 168),
    "white": (226, 224, 220),
}
HAIR_COLOURS_JA = {"black": "黒髪", "brown": "茶色の髪", "grey": "白髪まじりの髪", "white": "白髪"}
COLOURS_JA = {
    "blue": "青",
    "green": "緑",
    "orange": "オレンジ",
    "purple": "紫",
    "teal": "青緑",
    "grey": "灰色",
}
FIGURE_KEYS = {"side", "hair", "hair_colour", "cane"}
IMAGE_KEYS = {"file", "alt"}

# Words of a role that mark a resident (or a resident's family) rather than a professional.
RESIDENT_WORDS = (
    "住民",
    "市民",
    "家族",
    "来庁者",
    "相談者",
    "利用者",
    "息子",
    "娘",
    "母",
    "父",
    "妻",
    "夫",
)
AGE = re.compile(r"(\d{1,3})\s*歳")


@dataclass(frozen=True)
class Look:
    """How a cast member appears in scenes."""

    side: str = "staff"  # "resident" stands left of the counter, "staff" right of it
    hair: str = "short"
    hair_colour: str = "black"
    cane: bool = False
    image: Path | None = None  # the city's own picture of this person
    alt: str = ""  # the Japanese description of the figure


def stable_number(text: str) -> int:
    """A number from a text that is the same on every run (Python's hash() is not)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


def backdrop_for(setting: str) -> str | None:
    """The setting key whose keywords occur in ``setting``, or None."""
    for words, key in KEYWORDS:
        if any(word in setting for word in words):
            return key
    return None


def sign_text(setting: str) -> str:
    """The name on the room's sign: the setting without what is in brackets (the time, a note)."""
    return re.sub(r"[（(][^）)]*[）)]", "", setting).strip()


def settings_folder(script_path: Path) -> Path:
    return script_path.parent.parent / ILLUSTRATIONS_DIR


def city_backdrop(script_path: Path, key: str) -> Path | None:
    """The city's image of the setting ``key`` (``videos/illustrations/settings/<key>.png``)."""
    folder = settings_folder(script_path)
    for suffix in IMAGE_SUFFIXES:
        candidate = folder / f"{key}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def backdrop_alt(script_path: Path, key: str) -> str:
    """The description of a backdrop: the city's ``<key>.txt`` beside its image, else the built-in one."""
    image = city_backdrop(script_path, key)
    if image is not None:
        note = image.with_suffix(".txt")
        if note.is_file():
            return " ".join(note.read_text(encoding="utf-8").split())
        if key in SETTINGS:
            return SETTINGS[key].alt.split("。")[0] + "（市が用意した画像）。"
        return ""
    return SETTINGS.get(key, SETTINGS[NEUTRAL]).alt


def image_problem(path: Path, kind: str) -> str | None:
    """Why ``path`` cannot be used as a backdrop (kind "backdrop") or a cast image, or None."""
    if not path.is_file():
        return _("%(path)s does not exist", path=path)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return _("%(name)s is not a PNG or JPEG file", name=path.name)
    try:
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            width, height = image.size
            fmt = image.format
    except (UnidentifiedImageError, OSError, SyntaxError):
        return _("%(name)s is not an image that can be read", name=path.name)
    if fmt not in ("PNG", "JPEG"):
        return _("%(name)s is a %(format)s image, not PNG or JPEG", name=path.name, format=fmt)
    if kind == "backdrop":
        if abs(width / height - 16 / 9) > 0.03 or width < BACKDROP_MIN[0]:
            return _(
                "%(name)s is %(width)d×%(height)d; a backdrop must be 16:9 and at least %(min_width)d×%(min_height)d (1280×720 is best)",
                name=path.name,
                width=width,
                height=height,
                min_width=BACKDROP_MIN[0],
                min_height=BACKDROP_MIN[1],
            )
    elif height < CAST_MIN_HEIGHT or width > height:
        return _(
            "%(name)s is %(width)d×%(height)d; a cast image must be taller than wide and at least %(min_height)d pixels tall (a transparent PNG of the whole person is best)",
            name=path.name,
            width=width,
            height=height,
            min_height=CAST_MIN_HEIGHT,
        )
    return None


def check_folder(folder: Path) -> list[Problem]:
    """The city's backdrop images, used or not: each must be usable; a name that is not a
    built-in setting key needs a description beside it."""
    problems: list[Problem] = []
    if not folder.is_dir():
        return problems
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() == ".txt" or path.name.startswith("."):
            continue
        problem = image_problem(path, "backdrop")
        if problem:
            problems.append(
                Problem(path, None, _("the city's backdrop image %(problem)s", problem=problem))
            )
        elif path.stem not in SETTINGS and not path.with_suffix(".txt").is_file():
            problems.append(
                Problem(
                    path,
                    None,
                    _("a backdrop of a new setting has no description"),
                    _(
                        "Write one line of Japanese describing it in %(name)s.",
                        name=f"{path.stem}.txt",
                    ),
                    "warning",
                )
            )
    return problems


def scene_backdrop(raw_scene, setting: str, where: str, script_path: Path, check) -> str:
    """The setting key of a scene, validated; problems go to ``check`` with the scene's lines."""
    if "backdrop" in raw_scene:
        line = raw_scene.line_of("backdrop")
        key = raw_scene["backdrop"]
        if not isinstance(key, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
            check.error(
                line,
                _(
                    "%(where)s: backdrop must be a setting key such as tax-counter, not %(key)r",
                    where=where,
                    key=key,
                ),
                _("Built-in: %(keys)s.", keys=", ".join(SETTINGS)),
            )
            return NEUTRAL
        if key not in SETTINGS and city_backdrop(script_path, key) is None:
            check.error(
                line,
                _(
                    "%(where)s: backdrop %(key)r is not a built-in setting and %(file)s does not exist",
                    where=where,
                    key=key,
                    file=f"{ILLUSTRATIONS_DIR}/{key}.png",
                ),
                did_you_mean(key, SETTINGS)
                or _(
                    "Built-in: %(keys)s; or add the city's image as %(file)s.",
                    keys=", ".join(SETTINGS),
                    file=f"videos/{ILLUSTRATIONS_DIR}/{key}.png",
                ),
            )
            return NEUTRAL
    else:
        line = raw_scene.line_of("setting")
        key = backdrop_for(setting) if setting else NEUTRAL
        if key is None:
            check.warn(
                line,
                _(
                    "%(where)s: no backdrop matches the setting %(setting)r; a plain background is used",
                    where=where,
                    setting=setting,
                ),
                _("Add `backdrop:` with one of %(keys)s.", keys=", ".join(SETTINGS)),
            )
            key = NEUTRAL
    image = city_backdrop(script_path, key)
    problem = image_problem(image, "backdrop") if image is not None else None
    if problem:
        check.error(
            line,
            _("%(where)s: the city's backdrop image %(problem)s", where=where, problem=problem),
            _("Replace %(file)s.", file=f"videos/{ILLUSTRATIONS_DIR}/{image.name}"),
        )
    elif image is not None and key not in SETTINGS and not image.with_suffix(".txt").is_file():
        check.warn(
            line,
            _("%(where)s: the backdrop %(name)s has no description", where=where, name=image.name),
            _(
                "Write one line of Japanese describing it in %(name)s.",
                name=image.with_suffix(".txt").name,
            ),
        )
    return key


def _age(role: str) -> int | None:
    match = AGE.search(role)
    return int(match.group(1)) if match else None


def default_look(key: str, role: str) -> Look:
    """A look from the role alone: residents by their role's words, grey hair from 65 years."""
    side = "resident" if any(word in role for word in RESIDENT_WORDS) else "staff"
    age = _age(role)
    number = stable_number(key)
    hair_colour = "black" if number % 3 else "brown"
    if age is not None and age >= 65:
        hair_colour = "white" if age >= 85 else "grey"
    return Look(side=side, hair=HAIR_STYLES[number % len(HAIR_STYLES)], hair_colour=hair_colour)


def _figure_hints(raw, where: str, check) -> dict:
    if not hasattr(raw, "line_of"):
        return {}
    hints = {}
    check.unknown_keys(raw, FIGURE_KEYS, _("%(where)s, %(key)s", where=where, key="figure"))
    for name, allowed in (
        ("side", SIDES),
        ("hair", HAIR_STYLES),
        ("hair_colour", tuple(HAIR_COLOURS)),
    ):
        if name in raw:
            if raw[name] in allowed:
                hints[name] = raw[name]
            else:
                check.error(
                    raw.line_of(name),
                    _(
                        "%(where)s: figure: unknown %(name)s %(value)r",
                        where=where,
                        name=name,
                        value=raw[name],
                    ),
                    did_you_mean(raw[name], allowed)
                    or _("Use one of: %(values)s.", values=", ".join(allowed)),
                )
    if "cane" in raw:
        if isinstance(raw["cane"], bool):
            hints["cane"] = raw["cane"]
        else:
            check.error(
                raw.line_of("cane"), _("%(where)s: figure: cane must be true or false", where=where)
            )
    return hints


def _cast_image(member, where: str, script_path: Path, check) -> tuple[Path | None, str]:
    raw = member["image"]
    line = member.line_of("image")
    alt = ""
    if hasattr(raw, "line_of"):
        check.unknown_keys(raw, IMAGE_KEYS, _("%(where)s, %(key)s", where=where, key="image"))
        alt = raw.get("alt") if isinstance(raw.get("alt"), str) else ""
        line = raw.line_of("file")
        raw = raw.get("file")
    if not isinstance(raw, str) or not raw.strip():
        check.error(
            line,
            _(
                "%(where)s: image must name a PNG file beside the script, such as cast/ishida.png",
                where=where,
            ),
        )
        return None, ""
    folder = script_path.parent.resolve()
    path = (folder / raw.strip()).resolve()
    if not path.is_relative_to(folder):
        check.error(
            line,
            _("%(where)s: image %(file)r is outside the video's folder", where=where, file=raw),
            _("Keep cast images in videos/<id>/cast/."),
        )
        return None, ""
    problem = image_problem(path, "cast")
    if problem:
        check.error(
            line,
            _("%(where)s: image %(problem)s", where=where, problem=problem),
            _("Cast images live beside the script, e.g. videos/<id>/cast/ishida.png."),
        )
        return None, ""
    return path, " ".join(alt.split())


def describe(name: str, role: str, colour: str, look: Look) -> str:
    """The Japanese description of a drawn figure (or of the city's picture of the person)."""
    who = f"{name}（{role}）" if role else name
    if look.image is not None:
        return f"{who}。{look.alt}" if look.alt else f"{who}（市が用意した画像）。"
    text = f"{who}は{HAIR_COLOURS_JA[look.hair_colour]}で、{COLOURS_JA.get(colour, colour)}の服を着ています。"
    if look.side == "staff":
        text += "首から職員証を下げています。"
    if look.cane:
        text += "杖をついています。"
    return text


def cast_look(
    member, key: str, name: str, role: str, colour: str, where: str, script_path: Path, check
) -> Look:
    """A cast member's look: defaults from the role, ``figure:`` hints, the city's ``image:``,
    and its description."""
    hints = _figure_hints(member.get("figure"), where, check) if "figure" in member else {}
    if "figure" in member and not hasattr(member["figure"], "line_of"):
        check.error(
            member.line_of("figure"),
            _("%(where)s: figure must be a mapping (side, hair, hair_colour, cane)", where=where),
        )
    look = default_look(key, role)
    look = replace(look, **hints)
    if "image" in member:
        image, alt = _cast_image(member, where, script_path, check)
        look = replace(look, image=image, alt=alt)  # the city's own description, if given
    return replace(look, alt=describe(name, role, colour, look))


def present(scene, narrator: str | None) -> list[str]:
    """The cast keys shown in a scene: its ``present:`` list, else its speakers but the narrator."""
    if scene.present:
        return list(scene.present)
    keys = [line.speaker for line in scene.lines if line.speaker != narrator]
    return list(dict.fromkeys(keys))


def scene_present(raw_scene, where: str, cast: dict, check) -> tuple[str, ...]:
    if "present" not in raw_scene:
        return ()
    raw = raw_scene["present"]
    if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
        check.error(
            raw_scene.line_of("present"),
            _("%(where)s: present must be a list of cast keys", where=where),
        )
        return ()
    unknown = [k for k in raw if k not in cast]
    if unknown:
        check.error(
            raw_scene.line_of("present"),
            _(
                "%(where)s: present names %(keys)s, not in the cast",
                where=where,
                keys=", ".join(map(repr, unknown)),
            ),
            _("Cast: %(keys)s.", keys=", ".join(cast)),
        )
        return ()
    return tuple(dict.fromkeys(raw))


def assets_digest(script) -> str:
    """A short digest of the city's images a script uses ("" when it uses none), so that a
    replaced image renders the video again."""
    files = sorted(
        {p for p in (city_backdrop(script.path, s.backdrop) for s in script.scenes) if p}
        | {m.look.image for m in script.cast.values() if m.look.image}
    )
    if not files:
        return ""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def scene_descriptions(script) -> list[str]:
    """One line per scene: what the picture shows (for the video's description)."""
    out = []
    for number, scene in enumerate(script.scenes, start=1):
        people = [script.cast[key] for key in present(scene, script.narrator)]
        text = f"場面{number}「{scene.title}」：{backdrop_alt(script.path, scene.backdrop)}"
        if people:
            text += "登場する人：" + "".join(m.look.alt for m in people)
        out.append(text)
    return out
