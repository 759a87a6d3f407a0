"""Probing real generated files, rendition sizes and captions."""

import json
import subprocess

import pytest

from app.videos import media


def test_probe_normal_clip(clips):
    info = media.probe(clips["normal"])
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert (info.width, info.height, info.has_audio) == (320, 180, True)


def test_probe_clip_without_audio(clips):
    assert media.probe(clips["silent"]).has_audio is False


def test_probe_portrait(clips):
    info = media.probe(clips["portrait"])
    assert (info.width, info.height) == (180, 320)


@pytest.mark.parametrize(
    ("name", "code"),
    [("corrupt", media.CORRUPT), ("text", media.NOT_A_VIDEO), ("sound", media.NO_VIDEO_STREAM)],
)
def test_probe_refuses_what_is_not_a_usable_video(clips, name, code):
    with pytest.raises(media.MediaRefused) as caught:
        media.probe(clips[name])
    assert caught.value.code == code


def test_probe_refuses_an_image(tmp_path):
    image = tmp_path / "still.png"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=64x64:duration=1",
            "-frames:v",
            "1",
            str(image),
        ],
        check=True,
    )
    with pytest.raises(media.MediaRefused) as caught:
        media.probe(image)
    assert caught.value.code == media.NOT_A_VIDEO


def test_probe_enforces_size_and_length_limits(clips):
    with pytest.raises(media.MediaRefused) as caught:
        media.probe(clips["normal"], max_bytes=1000)
    assert caught.value.code == media.TOO_LARGE
    with pytest.raises(media.MediaRefused) as caught:
        media.probe(clips["normal"], max_seconds=1)
    assert caught.value.code == media.TOO_LONG


@pytest.mark.parametrize(
    ("size", "short", "expected"),
    [
        ((1920, 1080), 720, (1280, 720)),
        ((1920, 1080), 360, (640, 360)),
        ((1080, 1920), 720, (720, 1280)),  # portrait keeps its shape
        ((320, 180), 720, (320, 180)),  # never upscaled
        ((1000, 563), 360, (640, 360)),  # odd results rounded to even
        ((181, 321), 120, (120, 212)),
    ],
)
def test_rendition_size(size, short, expected):
    width, height = media.rendition_size(*size, short)
    assert (width, height) == expected
    assert width % 2 == 0 and height % 2 == 0


def test_one_pass_makes_every_rendition_and_the_poster(clips, tmp_path):
    info = media.probe(clips["silent"])
    plan = media.plan(clips["silent"], tmp_path, info, {"720": 720, "360": 120})
    command = media.build_command(plan, preset="ultrafast")
    assert command.count("-i") == 2  # the source, and silence for the missing audio track
    seen = []
    media.run(command, info.duration, seen.append)
    assert seen and seen[-1] == 1.0
    for name, (width, height) in plan.outputs.items():
        out = json.loads(
            subprocess.run(
                [
                    "ffprobe",
                    "-v",
                    "error",
                    "-show_streams",
                    "-show_format",
                    "-of",
                    "json",
                    str(tmp_path / f"{name}.mp4"),
                ],
                capture_output=True,
                check=True,
            ).stdout
        )
        codecs = {s["codec_type"]: s for s in out["streams"]}
        assert codecs["video"]["codec_name"] == "h264" and codecs["audio"]["codec_name"] == "aac"
        assert (codecs["video"]["width"], codecs["video"]["height"]) == (width, height)
        head = (tmp_path / f"{name}.mp4").read_bytes()[:4096]
        assert head.find(b"moov") != -1 and head.find(b"moov") < max(
            head.find(b"mdat"), 4096
        )  # +faststart
    assert (tmp_path / "poster.jpg").read_bytes()[:2] == b"\xff\xd8"


def test_a_failing_ffmpeg_reports_the_end_of_its_output(clips, tmp_path):
    info = media.probe(clips["normal"])
    plan = media.plan(clips["normal"], tmp_path, info, {"720": 720})
    with pytest.raises(media.TranscodeFailed) as caught:
        media.run(media.build_command(plan, preset="no-such-preset"), info.duration)
    assert "preset" in caught.value.stderr_tail.lower()


def test_srt_is_converted_to_webvtt(tmp_path):
    srt = tmp_path / "c.srt"
    srt.write_text(
        "1\r\n00:00:00,500 --> 00:00:01,250\r\n<i>こんにちは</i> & <ようこそ>\r\n\r\n2\r\n00:01:02,000 --> 00:01:03,000\r\n二行目\r\n",
        encoding="utf-8",
    )
    vtt = media.convert_captions(srt)
    assert vtt.startswith("WEBVTT\n")
    assert "00:00:00.500 --> 00:00:01.250" in vtt
    assert "00:01:02.000 --> 00:01:03.000" in vtt
    assert "<i>こんにちは</i> &amp; &lt;ようこそ>" in vtt
    assert len(media.parse_captions(vtt, srt=False)) == 2


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("00:00:00.000 --> 00:00:01.000\nno header\n", 1),
        ("WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nbackwards\n", 3),
        ("WEBVTT\n\nnot a timing\nline\n", 3),
        ("WEBVTT\n", 1),
    ],
)
def test_broken_webvtt_is_reported_with_its_line(tmp_path, text, line):
    path = tmp_path / "bad.vtt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(media.CaptionError) as caught:
        media.convert_captions(path)
    assert caught.value.line == line
