#!/usr/bin/env python3
"""Vendor the front-end assets from npm packages into src/shouhou/static/vendor/.

Run it when a pinned version changes; the result is committed, so installing or running
Shouhou never needs Node or the internet. Each package's licence is copied beside its files.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "src" / "shouhou" / "static" / "vendor"

SOURCE_MAP = re.compile(rb"\n?/[/*]# sourceMappingURL=[^\n]*")

# package@version -> {file inside the npm tarball: path under static/vendor/}
ASSETS: dict[str, dict[str, str]] = {
    "bootstrap@5.3.8": {
        "package/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
        "package/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
        "package/LICENSE": "bootstrap/LICENSE",
    },
    "echarts@5.6.0": {
        "package/dist/echarts.min.js": "echarts/echarts.min.js",
        "package/LICENSE": "echarts/LICENSE",
    },
}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for spec, files in ASSETS.items():
            out = subprocess.run(
                ["npm", "pack", spec, "--silent", "--pack-destination", tmp],
                check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
            with tarfile.open(Path(tmp) / out) as tar:
                for member, dest in files.items():
                    src = tar.extractfile(member)
                    if src is None:
                        raise SystemExit(f"{spec}: {member} missing")
                    path = TARGET / dest
                    path.parent.mkdir(parents=True, exist_ok=True)
                    data = src.read()
                    if path.suffix in {".js", ".css"}:
                        # Source maps are not shipped; a dangling reference would fail collectstatic.
                        data = SOURCE_MAP.sub(b"", data)
                    path.write_bytes(data)
            (TARGET / files[next(iter(files))].split("/")[0] / "VERSION").write_text(spec + "\n")
            print(f"vendored {spec}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
