"""SCORM 1.2 packages written by the tests: a manifest, SCO pages that call the run-time API."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

MANIFEST_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{identifier}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>{schema}</schemaversion></metadata>
"""

#: A SCO page: on load it finds the API, calls LMSInitialize and shows what the portal gave it;
#: its buttons save a place, pass with a score, and finish with a suspend.
SCO_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<h1>{title}</h1>
<p>受講者: <span id="name"></span>（<span id="student"></span>）</p>
<p>開始: <span id="entry"></span> / 場所: <span id="location"></span> / 保存データ: <span id="suspend"></span></p>
<p id="result"></p>
<p>初期化前: <span id="before"></span></p>
<button id="next" type="button">次のページへ</button>
<button id="pass" type="button">確認テストに合格する</button>
<button id="finish" type="button">終了する</button>
<script>
function findAPI(w) {{ var n = 0; while (!w.API && w.parent && w.parent !== w && n < 10) {{ w = w.parent; n++; }} return w.API; }}
var api = findAPI(window);
var before = [api.LMSGetValue("cmi.core.student_id"), api.LMSGetLastError(), api.LMSInitialize("now"), api.LMSGetLastError()];
document.getElementById("before").textContent = before.join("|");
document.getElementById("result").textContent = "init:" + api.LMSInitialize("");
document.getElementById("name").textContent = api.LMSGetValue("cmi.core.student_name");
document.getElementById("student").textContent = api.LMSGetValue("cmi.core.student_id");
document.getElementById("entry").textContent = api.LMSGetValue("cmi.core.entry");
document.getElementById("location").textContent = api.LMSGetValue("cmi.core.lesson_location");
document.getElementById("suspend").textContent = api.LMSGetValue("cmi.suspend_data");
document.getElementById("next").addEventListener("click", function () {{
  api.LMSSetValue("cmi.core.lesson_location", "page-3");
  api.LMSSetValue("cmi.suspend_data", "answers=1,0,2");
  document.getElementById("result").textContent = "commit:" + api.LMSCommit("");
}});
document.getElementById("pass").addEventListener("click", function () {{
  api.LMSSetValue("cmi.core.score.raw", "{score}");
  api.LMSSetValue("cmi.core.lesson_status", "passed");
  document.getElementById("result").textContent = "commit:" + api.LMSCommit("");
}});
document.getElementById("finish").addEventListener("click", function () {{
  api.LMSSetValue("cmi.core.session_time", "00:05:30.25");
  api.LMSSetValue("cmi.core.exit", "suspend");
  document.getElementById("result").textContent = "finish:" + api.LMSFinish("");
}});
</script>
</body></html>
"""


@dataclass
class Part:
    identifier: str
    title: str
    href: str
    mastery: str | None = None
    score: str = "85"


def manifest(title: str, parts: list[Part], *, identifier: str = "pkg", schema: str = "1.2") -> str:
    items = []
    resources = []
    for index, part in enumerate(parts):
        mastery = (
            f"<adlcp:masteryscore>{part.mastery}</adlcp:masteryscore>"
            if part.mastery is not None
            else ""
        )
        items.append(
            f'<item identifier={quoteattr(part.identifier)} identifierref="res-{index}">'
            f"<title>{escape(part.title)}</title>{mastery}</item>"
        )
        resources.append(
            f'<resource identifier="res-{index}" type="webcontent" adlcp:scormtype="sco" href={quoteattr(part.href)}>'
            f"<file href={quoteattr(part.href)}/></resource>"
        )
    return (
        MANIFEST_HEAD.format(identifier=identifier, schema=schema)
        + f'  <organizations default="org"><organization identifier="org"><title>{escape(title)}</title>'
        + "".join(items)
        + "</organization></organizations>\n"
        + "  <resources>"
        + "".join(resources)
        + "</resources>\n</manifest>\n"
    )


def write_package(
    path: Path,
    title: str,
    parts: list[Part],
    *,
    manifest_text: str | None = None,
    extra: dict[str, bytes | str] | None = None,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "imsmanifest.xml",
            manifest_text if manifest_text is not None else manifest(title, parts),
        )
        for part in parts:
            archive.writestr(part.href, SCO_PAGE.format(title=escape(part.title), score=part.score))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def single(path: Path, title: str = "情報セキュリティ研修 2027", **kwargs) -> Path:
    return write_package(
        path, title, [Part("sco-1", "情報セキュリティの基本", "content/index.html", **kwargs)]
    )


def multi(path: Path, title: str = "個人情報保護研修") -> Path:
    return write_package(
        path,
        title,
        [
            Part("part-1", "第1章 個人情報とは", "ch1/index.html"),
            Part("part-2", "第2章 窓口での取扱い", "ch2/index.html"),
        ],
    )
