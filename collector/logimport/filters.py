"""Which log lines are page views, as Matomo's importer decides by default: documents
only (static assets by extension skipped, downloads only when asked), no HTTP errors
(4xx, 5xx) or redirects (3xx but 304) unless asked. Bots, libraries, exclusions and
hosts are the pipeline's, as for a live beacon."""

from __future__ import annotations

from dataclasses import dataclass

from collector.logimport.records import LogRecord

STATIC_EXTENSIONS = frozenset(
    [
        "gif",
        "jpg",
        "jpeg",
        "png",
        "bmp",
        "ico",
        "svg",
        "svgz",
        "ttf",
        "otf",
        "eot",
        "woff",
        "woff2",
        "class",
        "swf",
        "css",
        "js",
        "map",
        "xml",
        "webp",
        "avif",
    ]
)
STATIC_FILES = frozenset({"robots.txt", "favicon.ico", "sitemap.xml", "ads.txt", "security.txt"})
DOWNLOAD_EXTENSIONS = frozenset(
    [
        "7z",
        "aac",
        "apk",
        "arc",
        "arj",
        "asf",
        "asx",
        "avi",
        "azw3",
        "bin",
        "bz2",
        "csv",
        "deb",
        "dmg",
        "doc",
        "docx",
        "epub",
        "exe",
        "flac",
        "flv",
        "gz",
        "gzip",
        "hqx",
        "ibooks",
        "iso",
        "jar",
        "json",
        "md5",
        "mobi",
        "mov",
        "movie",
        "mp2",
        "mp3",
        "mp4",
        "mpeg",
        "mpg",
        "msi",
        "msp",
        "odb",
        "odf",
        "odg",
        "odp",
        "ods",
        "odt",
        "ogg",
        "ogv",
        "pdf",
        "phps",
        "ppt",
        "pptx",
        "qt",
        "qtm",
        "ra",
        "ram",
        "rar",
        "rpm",
        "rtf",
        "sea",
        "sig",
        "sit",
        "tar",
        "tbz",
        "tgz",
        "torrent",
        "txt",
        "wav",
        "webm",
        "wma",
        "wmv",
        "wpd",
        "xls",
        "xlsx",
        "xsd",
        "z",
        "zip",
    ]
)
METHODS = frozenset({"GET", "POST"})  # HEAD, OPTIONS… fetch no document to view


@dataclass(frozen=True, slots=True)
class Choice:
    static: bool = False  # Matomo's --enable-static: assets count as downloads
    downloads: bool = False
    errors: bool = False  # Matomo's --enable-http-errors
    redirects: bool = False  # Matomo's --enable-http-redirects


def extension(target: str) -> tuple[str, str]:
    """(file name, lower-case extension) of the target's path."""
    end = len(target)
    for mark in "?#":
        at = target.find(mark)
        if 0 <= at < end:
            end = at
    name = target[target.rfind("/", 0, end) + 1 : end]
    dot = name.rfind(".")
    return name, (name[dot + 1 :].lower() if dot > 0 else "")


def classify(record: LogRecord, choice: Choice) -> tuple[str | None, bool]:
    """(why the line is skipped or None, whether it is a download)."""
    if record.method not in METHODS:
        return "method", False
    status = record.status
    if status >= 400 and not choice.errors:
        return "status", False
    if 300 <= status < 400 and status != 304 and not choice.redirects:
        return "status", False
    name, ext = extension(record.target)
    if ext in STATIC_EXTENSIONS or name.lower() in STATIC_FILES:
        return (None, True) if choice.static else ("static", False)
    if ext in DOWNLOAD_EXTENSIONS:
        return (None, True) if choice.downloads else ("download", False)
    return None, False
