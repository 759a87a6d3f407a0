"""Scene frames: the setting and its people, the speaker marked, no spoken words on screen,
the city's own images, and the validator's messages about them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from app.rendering import illustrations, scenery
from app.rendering.render import render
from app.rendering.scenes import FIGURE_SCALE
from app.rendering.script import parse
from tests.rendering.conftest import TWO_LINES, write_script

WIDTH, HEIGHT = 640, 360
SCALE = HEIGHT / 720
# Design-space points on each figure's clothes (beside the cardigan line and the ID card):
# 山田 (staff, blue, right of the counter) and 佐藤 (resident, green, left of it).
STAFF_POINT = (840 + 7 * FIGURE_SCALE, 576 - 50 * FIGURE_SCALE)
RESIDENT_POINT = (440 + 7 * FIGURE_SCALE, 576 - 50 * FIGURE_SCALE)
BLUE, GREEN = illustrations.CLOTHES["blue"], illustrations.CLOTHES["green"]


def frame_at(video: Path, seconds: float, out: Path) -> Image.Image:
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-ss",
            f"{seconds:.3f}",
            "-i",
            str(video),
            "-frames:v",
            "1",
            str(out),
        ],
        check=True,
    )
    return Image.open(out).convert("RGB")


def pixel(image: Image.Image, point: tuple[float, float]) -> tuple[int, ...]:
    """The mean colour of a small patch around a design-space point."""
    x, y = round(point[0] * SCALE), round(point[1] * SCALE)
    return tuple(round(v) for v in ImageStat.Stat(image.crop((x - 2, y - 2, x + 3, y + 3))).mean)


def distance(a, b) -> float:
    return max(abs(p - q) for p, q in zip(a, b, strict=True))


def mid_line_frames(path: Path, tmp: Path) -> list[Image.Image]:
    result = render(path, width=WIDTH, height=HEIGHT, fps=10, force=True)
    return [
        frame_at(path.parent / "source.mp4", (a + b) / 2, tmp / f"line{n}.png")
        for n, (a, b) in enumerate(result.speech)
    ]


@pytest.fixture(scope="module")
def two_line_frames(tmp_path_factory):
    root = tmp_path_factory.mktemp("scenes")
    return mid_line_frames(write_script(root), root)


def test_the_speaker_is_marked_and_the_other_dimmed(two_line_frames):
    staff_speaks, resident_speaks = two_line_frames
    # While 山田 speaks, his clothes are in full colour and 佐藤's are faded; then the other way.
    assert distance(pixel(staff_speaks, STAFF_POINT), BLUE) < 24
    assert distance(pixel(staff_speaks, RESIDENT_POINT), GREEN) > 40
    assert distance(pixel(resident_speaks, RESIDENT_POINT), GREEN) < 24
    assert distance(pixel(resident_speaks, STAFF_POINT), BLUE) > 40
    # A name plate (white, with writing) above the speaker's head, where the bare wall shows
    # while they are silent.
    top = 576 - FIGURE_LAYER_TOP
    box = tuple(round(v * SCALE) for v in (780, top - 90, 900, top - 20))
    plate, wall = staff_speaks.crop(box), resident_speaks.crop(box)
    assert (
        max(ImageStat.Stat(wall).stddev) < 3
        and distance(ImageStat.Stat(wall).mean, illustrations.WALL) < 8
    )
    assert min(plate.convert("L").getextrema()) < 120 and max(plate.convert("L").getextrema()) > 245


FIGURE_LAYER_TOP = (illustrations.STANDING_UNITS + 3) * FIGURE_SCALE


def test_the_bottom_stays_clear_for_captions(two_line_frames):
    for frame in two_line_frames:
        band = frame.crop((0, round(HEIGHT * 0.82), WIDTH, HEIGHT))
        assert max(ImageStat.Stat(band).stddev) < 3  # an even floor, nothing drawn on it
        assert distance(tuple(round(v) for v in ImageStat.Stat(band).mean), illustrations.FLOOR) < 8


def test_no_spoken_words_on_the_frame(two_line_frames, tmp_path):
    """The same line with another text gives the same picture: the words are only in the captions."""
    other = TWO_LINES.replace(
        "こんにちは。ご用件をお聞かせください。",
        "本日はどのようなご用件でしょうか。番号札をお持ちですか。",
    )
    frames = mid_line_frames(write_script(tmp_path, other), tmp_path)
    for ours, theirs in zip(two_line_frames, frames, strict=True):
        difference = [abs(a - b) for a, b in zip(ours.tobytes(), theirs.tobytes(), strict=True)]
        assert sum(difference) / len(difference) < 0.5 and max(difference) < 24


def solid_png(path: Path, size: tuple[int, int], colour, mode: str = "RGB") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path)
    return path


def test_city_images_replace_the_drawings(tmp_path, two_line_frames):
    path = write_script(
        tmp_path,
        TWO_LINES.replace("    role: 住民\n", "    role: 住民\n    image: cast/sato.png\n"),
    )
    solid_png(
        tmp_path / "videos" / "illustrations" / "settings" / "tax-counter.png",
        (1280, 720),
        (200, 40, 160),
    )
    solid_png(path.parent / "cast" / "sato.png", (200, 400), (250, 200, 20))
    staff_speaks, _resident_speaks = mid_line_frames(path, tmp_path)
    corner = (1200, 300)  # the wall right of everyone; the default there is the drawn wall
    assert distance(pixel(two_line_frames[0], corner), illustrations.WALL) < 12
    assert distance(pixel(staff_speaks, corner), (200, 40, 160)) < 16
    # 佐藤's picture stands where the drawn figure stood (dimmed, as 山田 is speaking).
    dimmed_yellow = tuple(
        round(c * 0.42 + d * 0.58) for c, d in zip((250, 200, 20), (236, 232, 224), strict=True)
    )
    assert distance(pixel(staff_speaks, RESIDENT_POINT), dimmed_yellow) < 16


def problems_of(tmp_path: Path, text: str) -> tuple[set, set]:
    _script, problems = parse(write_script(tmp_path, text), {"mei_normal"})
    errors = {(p.line, p.message) for p in problems if p.severity == "error"}
    warnings = {(p.line, p.message) for p in problems if p.severity == "warning"}
    return errors, warnings


def test_missing_or_unusable_city_images_are_reported_with_their_line(tmp_path):
    text = TWO_LINES.replace("    role: 住民\n", "    role: 住民\n    image: cast/missing.png\n")
    errors, _ = problems_of(tmp_path, text)
    missing = tmp_path / "videos" / "two-lines" / "cast" / "missing.png"
    assert (12, f"cast `住民`: image {missing} does not exist") in errors

    (tmp_path / "videos" / "two-lines" / "cast").mkdir()
    missing.write_text("not a picture", encoding="utf-8")
    errors, _ = problems_of(tmp_path, text)
    assert (12, "cast `住民`: image missing.png is not an image that can be read") in errors

    solid_png(missing, (400, 200), (0, 0, 0))
    errors, _ = problems_of(tmp_path, text)
    assert any(
        line == 12 and "missing.png is 400×200; a cast image must be taller than wide" in m
        for line, m in errors
    )

    errors, _ = problems_of(
        tmp_path,
        TWO_LINES.replace("    role: 住民\n", "    role: 住民\n    image: ../../secret.png\n"),
    )
    assert (12, "cast `住民`: image '../../secret.png' is outside the video's folder") in errors


def test_a_city_backdrop_of_the_wrong_size_is_an_error_at_the_scene(tmp_path):
    solid_png(
        tmp_path / "videos" / "illustrations" / "settings" / "tax-counter.png",
        (800, 800),
        (0, 0, 0),
    )
    errors, _ = problems_of(tmp_path, TWO_LINES)
    assert any(
        line == 14 and "backdrop image tax-counter.png is 800×800; a backdrop must be 16:9" in m
        for line, m in errors
    )


def test_backdrop_keys_and_unknown_settings(tmp_path):
    errors, _ = problems_of(
        tmp_path,
        TWO_LINES.replace("    title: 窓口で\n", "    title: 窓口で\n    backdrop: city-lobby\n"),
    )
    assert (
        16,
        "scene 1: backdrop 'city-lobby' is not a built-in setting and illustrations/settings/city-lobby.png does not exist",
    ) in errors

    solid_png(
        tmp_path / "videos" / "illustrations" / "settings" / "city-lobby.png",
        (1280, 720),
        (10, 20, 30),
    )
    errors, warnings = problems_of(
        tmp_path,
        TWO_LINES.replace("    title: 窓口で\n", "    title: 窓口で\n    backdrop: city-lobby\n"),
    )
    assert not errors
    assert (16, "scene 1: the backdrop city-lobby.png has no description") in warnings

    errors, warnings = problems_of(
        tmp_path, TWO_LINES.replace("setting: 税務課 収納窓口", "setting: 屋外の駐車場")
    )
    assert not errors
    assert (
        14,
        "scene 1: no backdrop matches the setting '屋外の駐車場'; a plain background is used",
    ) in warnings

    script, _ = parse(
        write_script(
            tmp_path,
            TWO_LINES.replace("    title: 窓口で\n", "    title: 窓口で\n    backdrop: home\n"),
        )
    )
    assert script.scenes[0].backdrop == "home"


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("税務課 収納窓口（午前10時）", "tax-counter"),
        ("上下水道課 料金窓口", "water-counter"),
        ("市民課 窓口", "resident-counter"),
        ("検針・訪問の現場で", "home"),
        ("福祉まるごと相談室", "consultation-booth"),
        ("福祉まるごと相談室（電話）", "phone"),
        ("支援調整会議（生活困窮者自立支援会議と合同）", "meeting-room"),
        ("税務課（職員ポータル）", "office"),
        ("駐車場", None),
    ],
)
def test_settings_map_to_backdrops_by_keyword(setting, key):
    assert scenery.backdrop_for(setting) == key


def test_looks_follow_the_role_and_the_figure_hints(tmp_path):
    text = TWO_LINES.replace(
        "    role: 住民\n", "    role: 住民（82歳）\n    figure: {hair: bun, cane: true}\n"
    )
    script, problems = parse(write_script(tmp_path, text), {"mei_normal"})
    assert [p for p in problems if p.severity == "error"] == []
    resident, staff = script.cast["住民"].look, script.cast["職員"].look
    assert (resident.side, resident.hair, resident.hair_colour, resident.cane) == (
        "resident",
        "bun",
        "grey",
        True,
    )
    assert staff.side == "staff" and not staff.cane
    assert (
        script.cast["住民"].look.alt
        == "佐藤 キヨ（住民（82歳））は白髪まじりの髪で、緑の服を着ています。杖をついています。"
    )

    errors, _ = problems_of(
        tmp_path,
        TWO_LINES.replace(
            "    role: 住民\n", "    role: 住民\n    figure: {side: customer, hat: true}\n"
        ),
    )
    assert (12, "cast `住民`: figure: unknown side 'customer'") in errors
    assert (12, "cast `住民`, figure: unknown key `hat`") in errors


def test_content_check_reports_the_citys_images(app, tmp_path):
    write_script(tmp_path)
    settings = tmp_path / "videos" / "illustrations" / "settings"
    solid_png(settings / "water-counter.png", (1280, 720), (0, 90, 160))
    solid_png(settings / "lobby.png", (1280, 720), (0, 90, 160))
    (settings / "home.png").write_text("not a picture", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "check", "--root", str(tmp_path)])
    assert (
        f"{settings / 'home.png'}: error: 市の背景画像: home.png は画像として読み取れません"
        in result.output
    )
    assert f"{settings / 'lobby.png'}: warning: 新しい場面の背景に説明がありません" in result.output
    assert "water-counter.png" not in result.output
