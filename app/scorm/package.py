"""A SCORM 1.2 package (a zip with ``imsmanifest.xml``): checked before anything is unpacked.

The zip comes from an outside vendor, so nothing in it is trusted: the number of files, their
unpacked size and each file's compression ratio are limited (settings ``SCORM_MAX_*``), every
path must stay inside the package, the manifest is parsed without DTDs, entities or external
references, and while unpacking the bytes actually written are counted again (a zip's
directory can lie about sizes).
"""

from __future__ import annotations

import hashlib
import posixpath
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask import current_app
from flask_babel import gettext as _

MANIFEST = "imsmanifest.xml"
MB = 1024 * 1024
#: files smaller than this are not judged by their compression ratio (text compresses well)
RATIO_FLOOR = MB


@dataclass(frozen=True)
class Limits:
    zip_bytes: int
    unpacked_bytes: int
    entries: int
    ratio: int

    @classmethod
    def from_config(cls, config=None) -> Limits:
        config = config if config is not None else current_app.config
        return cls(
            config["SCORM_MAX_ZIP_MB"] * MB,
            config["SCORM_MAX_UNPACKED_MB"] * MB,
            config["SCORM_MAX_ENTRIES"],
            config["SCORM_MAX_RATIO"],
        )


@dataclass(frozen=True)
class PackageProblem:
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class PackageError(ValueError):
    def __init__(self, problems: list[PackageProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Sco:
    """One launchable, tracked part of a package (an ``<item>`` pointing at a SCO resource)."""

    identifier: str
    title: str
    href: str  # path inside the package, with any query string the manifest gives
    mastery_score: float | None = None
    launch_data: str = ""

    def as_dict(self) -> dict:
        return {
            "identifier": self.identifier,
            "title": self.title,
            "href": self.href,
            "mastery_score": self.mastery_score,
            "launch_data": self.launch_data,
        }


@dataclass
class Package:
    title: str
    scos: list[Sco]
    checksum: str
    files: int = 0
    unpacked_bytes: int = 0
    warnings: list[PackageProblem] = field(default_factory=list)

    def definition(self) -> dict:
        return {
            "title": self.title,
            "scos": [s.as_dict() for s in self.scos],
            "files": self.files,
            "unpacked_bytes": self.unpacked_bytes,
        }


def unsafe_name(name: str) -> bool:
    """A zip entry that would land outside the package folder (or cannot be served as-is)."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return True
    first = name.split("/", 1)[0]
    if len(first) >= 2 and first[1] == ":":  # C:evil
        return True
    return any(part == ".." for part in name.split("/"))


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attr(element: Element, name: str) -> str | None:
    """An attribute by its local name, whatever namespace prefix the vendor used."""
    for key, value in element.attrib.items():
        if _local(key).lower() == name.lower():
            return value
    return None


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _text_of(element: Element, name: str) -> str:
    found = _children(element, name)
    return (found[0].text or "").strip() if found else ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(MB), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_entries(
    archive: zipfile.ZipFile, limits: Limits
) -> tuple[list[zipfile.ZipInfo], list[PackageProblem]]:
    problems: list[PackageProblem] = []
    entries = archive.infolist()
    if len(entries) > limits.entries:
        problems.append(
            PackageProblem(
                _(
                    "the package holds %(n)d files, more than the limit of %(limit)d",
                    n=len(entries),
                    limit=limits.entries,
                ),
                _("Ask the vendor for a smaller package, or raise SCORM_MAX_ENTRIES."),
            )
        )
        return entries, problems
    total = 0
    for info in entries:
        if unsafe_name(info.filename) or _is_symlink(info):
            problems.append(
                PackageProblem(
                    _(
                        "the file %(name)s would be unpacked outside the package",
                        name=repr(info.filename),
                    ),
                    _(
                        "A package may only hold relative paths without “..”, backslashes or links; ask the vendor for a corrected package."
                    ),
                )
            )
        elif info.flag_bits & 0x1:
            problems.append(
                PackageProblem(
                    _("the file %(name)s is encrypted", name=info.filename),
                    _("Ask the vendor for a package without a password."),
                )
            )
        elif info.file_size > RATIO_FLOOR and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            problems.append(
                PackageProblem(
                    _(
                        "the file %(name)s unpacks to %(ratio)d times its packed size (a zip bomb?)",
                        name=info.filename,
                        ratio=info.file_size // max(info.compress_size, 1),
                    ),
                    _(
                        "Packages whose files unpack to more than %(limit)d times their size are refused.",
                        limit=limits.ratio,
                    ),
                )
            )
        total += info.file_size
    if total > limits.unpacked_bytes:
        problems.append(
            PackageProblem(
                _(
                    "the package unpacks to %(size)d MB, more than the limit of %(limit)d MB",
                    size=total // MB,
                    limit=limits.unpacked_bytes // MB,
                ),
                _("Ask the vendor for a smaller package, or raise SCORM_MAX_UNPACKED_MB."),
            )
        )
    return entries, problems


def _parse_manifest(
    archive: zipfile.ZipFile, names: set[str]
) -> tuple[Element | None, list[PackageProblem]]:
    if MANIFEST not in names:
        nested = sorted(n for n in names if n.endswith("/" + MANIFEST))
        hint = (
            _(
                "It is in %(folder)s: zip the contents of that folder, not the folder itself.",
                folder=nested[0].rsplit("/", 1)[0] + "/",
            )
            if nested
            else _("A SCORM 1.2 package has imsmanifest.xml at the top of the zip.")
        )
        return None, [PackageProblem(_("imsmanifest.xml is missing"), hint)]
    raw = archive.read(MANIFEST)
    try:
        root = fromstring(raw, forbid_dtd=True)
    except DefusedXmlException:
        return None, [
            PackageProblem(
                _(
                    "imsmanifest.xml declares a DTD, entities or external references, which are not allowed"
                ),
                _("Ask the vendor for a manifest without <!DOCTYPE> and <!ENTITY>."),
            )
        ]
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 0
        return None, [
            PackageProblem(
                _("imsmanifest.xml is not well-formed XML (line %(line)d)", line=line),
                _(
                    "Check the manifest's tags and quotes, or ask the vendor for a corrected package."
                ),
            )
        ]
    if _local(root.tag) != "manifest":
        return None, [
            PackageProblem(
                _("imsmanifest.xml does not start with <manifest>"),
                _("This is not an IMS content package manifest."),
            )
        ]
    return root, []


def _scorm_2004(root: Element) -> bool:
    for metadata in _children(root, "metadata"):
        version = _text_of(metadata, "schemaversion").lower()
        if "2004" in version or "1.3" in version:
            return True
    return False


def _items(element: Element) -> list[Element]:
    """Every ``<item>`` under an organization, in document order (nested ones flattened)."""
    found = []
    for child in _children(element, "item"):
        found.append(child)
        found += _items(child)
    return found


def _mastery(item: Element, title: str) -> tuple[float | None, list[PackageProblem]]:
    text = _text_of(item, "masteryscore")
    if not text:
        return None, []
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 100:
        return None, [
            PackageProblem(
                _(
                    "the mastery score of %(title)s is %(value)s, not a number from 0 to 100",
                    title=title,
                    value=repr(text),
                ),
                _("Correct <adlcp:masteryscore> in imsmanifest.xml."),
            )
        ]
    return value, []


def _scos(root: Element, names: set[str]) -> tuple[str, list[Sco], list[PackageProblem]]:
    problems: list[PackageProblem] = []
    organizations = (_children(root, "organizations") or [None])[0]
    candidates = _children(organizations, "organization") if organizations is not None else []
    if not candidates:
        return (
            "",
            [],
            [
                PackageProblem(
                    _("imsmanifest.xml has no <organization>"),
                    _(
                        "A package lists what the learner opens under <organizations><organization>."
                    ),
                )
            ],
        )
    default = _attr(organizations, "default")
    organization = next((o for o in candidates if _attr(o, "identifier") == default), candidates[0])
    title = _text_of(organization, "title") or _attr(root, "identifier") or ""
    resources_element = (_children(root, "resources") or [None])[0]
    resources = {}
    if resources_element is not None:
        base = _attr(resources_element, "base") or ""
        for resource in _children(resources_element, "resource"):
            resources[_attr(resource, "identifier")] = (
                resource,
                base + (_attr(resource, "base") or ""),
            )
    scos = []
    for item in _items(organization):
        reference = _attr(item, "identifierref")
        if not reference:
            continue
        item_title = _text_of(item, "title") or _attr(item, "identifier") or reference
        if reference not in resources:
            problems.append(
                PackageProblem(
                    _(
                        "the item %(title)s refers to the resource %(ref)s, which the manifest does not list",
                        title=item_title,
                        ref=reference,
                    ),
                    _("Correct identifierref, or add the <resource>."),
                )
            )
            continue
        resource, base = resources[reference]
        if (_attr(resource, "scormtype") or "").lower() != "sco":
            continue  # an asset: shown by its SCOs, not tracked on its own
        href = _attr(resource, "href") or ""
        path = posixpath.normpath(base + urlsplit(href).path) if href else ""
        if not href or unsafe_name(path):
            problems.append(
                PackageProblem(
                    _("the SCO %(title)s has no usable href", title=item_title),
                    _("Give the <resource> an href to a file inside the package."),
                )
            )
            continue
        if path not in names:
            problems.append(
                PackageProblem(
                    _(
                        "the SCO %(title)s starts at %(path)s, which is not in the zip",
                        title=item_title,
                        path=path,
                    ),
                    _("Add the file to the package, or correct the resource's href."),
                )
            )
            continue
        identifier = _attr(item, "identifier") or reference
        if any(s.identifier == identifier for s in scos):
            problems.append(
                PackageProblem(
                    _("two items have the identifier %(id)s", id=identifier),
                    _(
                        "Give every <item> its own identifier: the portal keeps each part's progress under it."
                    ),
                )
            )
            continue
        mastery, found = _mastery(item, item_title)
        problems += found
        query = urlsplit(href).query
        scos.append(
            Sco(
                identifier=identifier,
                title=item_title,
                href=path + (f"?{query}" if query else ""),
                mastery_score=mastery,
                launch_data=_text_of(item, "datafromlms"),
            )
        )
    if not scos and not problems:
        problems.append(
            PackageProblem(
                _(
                    'the package has no SCO (no item refers to a resource with adlcp:scormtype="sco")'
                ),
                _("Only SCORM 1.2 packages with at least one SCO can record progress."),
            )
        )
    return title, scos, problems


def manifest_title(path: Path) -> str | None:
    """The title of a package's default organization, read without checking the rest."""
    try:
        with zipfile.ZipFile(path) as archive:
            root = fromstring(archive.read(MANIFEST), forbid_dtd=True)
    except (OSError, KeyError, zipfile.BadZipFile, DefusedXmlException, ParseError):
        return None
    if _local(root.tag) != "manifest":
        return None
    for organizations in _children(root, "organizations"):
        for organization in _children(organizations, "organization"):
            return _text_of(organization, "title") or None
    return None


def inspect(path: Path, limits: Limits | None = None) -> Package:
    """Check a package file without unpacking it. Raises PackageError listing every problem."""
    limits = limits or Limits.from_config()
    size = path.stat().st_size
    if size > limits.zip_bytes:
        raise PackageError(
            [
                PackageProblem(
                    _(
                        "the package is %(size)d MB, more than the limit of %(limit)d MB",
                        size=size // MB,
                        limit=limits.zip_bytes // MB,
                    ),
                    _("Ask the vendor for a smaller package, or raise SCORM_MAX_ZIP_MB."),
                )
            ]
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise PackageError(
            [
                PackageProblem(
                    _("the file is not a zip archive"),
                    _("Upload the SCORM package as the vendor delivered it (a .zip file)."),
                )
            ]
        ) from None
    with archive:
        entries, problems = _check_entries(archive, limits)
        if problems:
            raise PackageError(problems)
        names = {info.filename for info in entries if not info.is_dir()}
        root, problems = _parse_manifest(archive, names)
        if root is None:
            raise PackageError(problems)
        if _scorm_2004(root):
            raise PackageError(
                [
                    PackageProblem(
                        _("this is a SCORM 2004 package"),
                        _(
                            "The portal plays SCORM 1.2 packages: ask the vendor for the SCORM 1.2 edition."
                        ),
                    )
                ]
            )
        title, scos, problems = _scos(root, names)
        if problems:
            raise PackageError(problems)
    return Package(
        title=title or path.stem,
        scos=scos,
        checksum=_sha256(path),
        files=len(names),
        unpacked_bytes=sum(i.file_size for i in entries),
    )


def unpack(path: Path, target: Path, limits: Limits | None = None) -> None:
    """Unpack a checked package into ``target`` (created whole, or not at all).

    Counts the bytes really written, so that a zip whose directory understates its sizes is
    stopped at the limit instead of filling the disk.
    """
    limits = limits or Limits.from_config()
    if target.exists():
        return  # the same checksum was unpacked before
    work = target.with_name(target.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    written = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if unsafe_name(info.filename) or _is_symlink(info):
                    raise PackageError(
                        [
                            PackageProblem(
                                _(
                                    "the file %(name)s would be unpacked outside the package",
                                    name=repr(info.filename),
                                )
                            )
                        ]
                    )
                destination = work / info.filename
                if info.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, destination.open("wb") as out:
                    for block in iter(lambda: source.read(MB), b""):
                        written += len(block)
                        if written > limits.unpacked_bytes:
                            raise PackageError(
                                [
                                    PackageProblem(
                                        _(
                                            "the package unpacks to more than the limit of %(limit)d MB",
                                            limit=limits.unpacked_bytes // MB,
                                        )
                                    )
                                ]
                            )
                        out.write(block)
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
