"""A SCORM 1.2 zip is checked before anything of it is unpacked: clear ja/en messages for a
missing or broken manifest, unsafe paths, zip bombs and SCORM 2004."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest
from flask_babel import force_locale

from app.scorm import package as packages
from tests.scorm.packages import MANIFEST_HEAD, Part, manifest, multi, single, write_package

LIMITS = packages.Limits(
    zip_bytes=50 * packages.MB, unpacked_bytes=100 * packages.MB, entries=100, ratio=100
)


def problems_of(path: Path, limits: packages.Limits = LIMITS, locale: str = "en") -> list[str]:
    with force_locale(locale), pytest.raises(packages.PackageError) as refused:
        packages.inspect(path, limits)
    return [str(p) for p in refused.value.problems]


def test_a_single_sco_package_is_read_from_its_manifest(app, tmp_path):
    checked = packages.inspect(single(tmp_path / "p.zip", mastery="80"), LIMITS)
    assert checked.title == "情報セキュリティ研修 2027"
    assert [(s.identifier, s.title, s.href, s.mastery_score) for s in checked.scos] == [
        ("sco-1", "情報セキュリティの基本", "content/index.html", 80.0)
    ]
    assert len(checked.checksum) == 64 and checked.files == 2


def test_a_multi_sco_package_keeps_the_manifest_order_and_skips_assets(app, tmp_path):
    text = manifest(
        "個人情報保護研修",
        [Part("part-1", "第1章", "ch1/index.html"), Part("part-2", "第2章", "ch2/index.html")],
    )
    text = text.replace(
        "</organization>",
        '<item identifier="handout" identifierref="asset"><title>資料</title></item></organization>',
    )
    text = text.replace(
        "</resources>",
        '<resource identifier="asset" type="webcontent" adlcp:scormtype="asset" href="handout.pdf"/></resources>',
    )
    path = write_package(
        tmp_path / "p.zip",
        "",
        [Part("part-1", "第1章", "ch1/index.html"), Part("part-2", "第2章", "ch2/index.html")],
        manifest_text=text,
        extra={"handout.pdf": b"%PDF"},
    )
    assert [s.identifier for s in packages.inspect(path, LIMITS).scos] == ["part-1", "part-2"]
    assert len(packages.inspect(multi(tmp_path / "m.zip"), LIMITS).scos) == 2


def test_a_missing_manifest_is_named_and_a_zipped_folder_explained(app, tmp_path):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("course/imsmanifest.xml", manifest("x", []))
    [problem] = problems_of(path)
    assert "imsmanifest.xml is missing" in problem and "course/" in problem
    [problem] = problems_of(path, locale="ja")
    assert "imsmanifest.xml がありません" in problem


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("<manifest><organizations>", "not well-formed XML (line 1)"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n<manifest>&b;</manifest>',
            "DTD",
        ),
        ("<package/>", "does not start with <manifest>"),
        (
            MANIFEST_HEAD.format(identifier="x", schema="2004 4th Edition") + "</manifest>",
            "SCORM 2004",
        ),
        (MANIFEST_HEAD.format(identifier="x", schema="1.2") + "</manifest>", "no <organization>"),
    ],
)
def test_a_bad_manifest_says_what_is_wrong(app, tmp_path, text, words):
    path = write_package(tmp_path / "p.zip", "", [], manifest_text=text)
    assert any(words in p for p in problems_of(path))


def test_references_in_the_manifest_are_checked(app, tmp_path):
    parts = [Part("sco-1", "第1章", "index.html")]
    text = (
        manifest("t", parts)
        .replace('href="index.html">', 'href="missing.html">')
        .replace('identifierref="res-0"', 'identifierref="res-0"', 1)
    )
    text += ""
    path = write_package(tmp_path / "p.zip", "t", parts, manifest_text=text)
    assert any("starts at missing.html, which is not in the zip" in p for p in problems_of(path))
    text = manifest("t", parts).replace('identifierref="res-0"', 'identifierref="nowhere"')
    path = write_package(tmp_path / "q.zip", "t", parts, manifest_text=text)
    assert any("refers to the resource nowhere" in p for p in problems_of(path))
    text = manifest("t", [Part("sco-1", "第1章", "index.html", mastery="high")])
    path = write_package(tmp_path / "r.zip", "t", parts, manifest_text=text)
    assert any("mastery score of 第1章 is 'high'" in p for p in problems_of(path))
    twice = [Part("sco-1", "第1章", "index.html"), Part("sco-1", "第2章", "index.html")]
    path = write_package(tmp_path / "d.zip", "t", parts, manifest_text=manifest("t", twice))
    assert any("two items have the identifier sco-1" in p for p in problems_of(path))
    text = manifest("t", parts).replace('adlcp:scormtype="sco"', 'adlcp:scormtype="asset"')
    path = write_package(tmp_path / "s.zip", "t", parts, manifest_text=text)
    assert any("has no SCO" in p for p in problems_of(path))


@pytest.mark.parametrize(
    "name",
    ["../outside.html", "/etc/evil.html", "content\\win.html", "C:evil.html", "a/../../b.html"],
)
def test_a_path_leaving_the_package_is_refused(app, tmp_path, name):
    path = single(
        tmp_path / "p.zip",
    )
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(name, "x")
    assert any("would be unpacked outside the package" in p for p in problems_of(path))
    assert not (tmp_path / "outside.html").exists()


def test_a_link_inside_the_zip_is_refused(app, tmp_path):
    path = single(tmp_path / "p.zip")
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("content/link.html")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    assert any("content/link.html" in p and "outside the package" in p for p in problems_of(path))


def test_a_zip_bomb_is_refused_before_unpacking(app, tmp_path):
    path = single(tmp_path / "p.zip")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("content/padding.bin", b"\0" * (20 * packages.MB))
    assert any("unpacks to" in p and "times its packed size" in p for p in problems_of(path))
    relaxed = packages.Limits(
        zip_bytes=LIMITS.zip_bytes, unpacked_bytes=10 * packages.MB, entries=100, ratio=100_000
    )
    assert any(
        "unpacks to 20 MB, more than the limit of 10 MB" in p for p in problems_of(path, relaxed)
    )


def test_the_number_of_files_and_the_zip_size_are_limited(app, tmp_path):
    path = single(tmp_path / "p.zip")
    few = packages.Limits(
        zip_bytes=LIMITS.zip_bytes, unpacked_bytes=LIMITS.unpacked_bytes, entries=1, ratio=100
    )
    assert any("holds 2 files, more than the limit of 1" in p for p in problems_of(path, few))
    tiny = packages.Limits(
        zip_bytes=10, unpacked_bytes=LIMITS.unpacked_bytes, entries=100, ratio=100
    )
    assert any("more than the limit of 0 MB" in p for p in problems_of(path, tiny))
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    assert problems_of(tmp_path / "x.zip") == [
        "the file is not a zip archive — Upload the SCORM package as the vendor delivered it (a .zip file)."
    ]


def test_the_limits_come_from_the_settings(app):
    app.config.update(
        SCORM_MAX_ZIP_MB=7, SCORM_MAX_UNPACKED_MB=8, SCORM_MAX_ENTRIES=9, SCORM_MAX_RATIO=10
    )
    assert packages.Limits.from_config() == packages.Limits(7 * packages.MB, 8 * packages.MB, 9, 10)


def test_unpacking_counts_the_bytes_really_written(app, tmp_path):
    path = single(tmp_path / "p.zip")
    target = tmp_path / "out" / "abc"
    packages.unpack(path, target, LIMITS)
    assert (
        (target / "content" / "index.html")
        .read_text(encoding="utf-8")
        .startswith("<!DOCTYPE html>")
    )
    small = packages.Limits(zip_bytes=LIMITS.zip_bytes, unpacked_bytes=100, entries=100, ratio=100)
    with pytest.raises(packages.PackageError):
        packages.unpack(path, tmp_path / "out" / "def", small)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "abc"
    ]  # nothing half-unpacked is left
