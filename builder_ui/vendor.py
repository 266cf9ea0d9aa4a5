"""Re-vendor the pinned front-end libraries: `make vendor` (needs npm; nothing else does).

Each package is fetched with `npm pack <name>@<version>` into a temporary directory (npm knows
its own registry), its tarball is checked against the pinned integrity, and only the built files
the pages load are copied into builder_ui/static/vendor/, next to a VERSIONS.json. The copied
files are committed, so running and testing Tangram needs neither Node nor a download."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR = Path(__file__).parent / "static" / "vendor"


@dataclass(frozen=True)
class Pin:
    """One package: its version, the tarball's SRI integrity, and tarball path -> vendored file name."""

    package: str
    version: str
    integrity: str
    files: dict[str, str]


PINS = [
    Pin("htmx.org", "2.0.4",
        "sha512-HLxMCdfXDOJirs3vBZl/ZLoY+c7PfM4Ahr2Ad4YXh6d22T5ltbTXFFkpx9Tgb2vvmWFMbIc3LqN2ToNkZJvyYQ==",
        {"package/dist/htmx.min.js": "htmx.min.js"}),
    Pin("sortablejs", "1.15.6",
        "sha512-aNfiuwMEpfBM/CN6LY0ibyhxPfPbyFeBTYJKCvzkJ2GkUpazIt3H+QIPAMHwqQ7tMKaHz1Qj+rJJCqljnf4p3A==",
        {"package/Sortable.min.js": "Sortable.min.js"}),
    Pin("echarts", "5.6.0",
        "sha512-oTbVTsXfKuEhxftHqL5xprgLoc0k7uScAwtryCgWF6hPYFLRwOUHiFmHGCBKP5NPFNkDVopOieyUqYGH8Fa3kA==",
        {"package/dist/echarts.min.js": "echarts.min.js"}),
    # The China province map (GeoJSON) for map widgets: ECharts 5 ships none, 4.9 the last that did.
    Pin("echarts", "4.9.0",
        "sha512-+ugizgtJ+KmsJyyDPxaw2Br5FqzuBnyOWwcxPKO6y0gc5caYcfnEUIlNStx02necw8jmKmTafmpHhGo4XDtEIA==",
        {"package/map/json/china.json": "china.json"}),
    # The API docs page (/docs): Swagger UI served from here, so it works with no network (issue 28).
    Pin("swagger-ui-dist", "5.36.0",
        "sha512-Lt6/Kb0gXmLdiabLhvso4VdJP9V7qJWB0zh0gzeXUV3+CMOTzMmvpJRSXN7EAjfwixwmoi9ezDbLHiexC7lA9A==",
        {"package/swagger-ui-bundle.js": "swagger-ui-bundle.js", "package/swagger-ui.css": "swagger-ui.css",
         "package/favicon-32x32.png": "swagger-ui-favicon.png", "package/LICENSE": "swagger-ui-LICENSE"}),
]


def integrity_of(path: Path) -> str:
    """The tarball's Subresource Integrity string, as npm records it."""
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch(pin: Pin, workdir: Path) -> Path:
    """`npm pack` the pinned version into workdir; the tarball's path."""
    out = subprocess.run(["npm", "pack", f"{pin.package}@{pin.version}", "--json", "--silent"],
                         cwd=workdir, check=True, capture_output=True, text=True).stdout
    return workdir / json.loads(out)[0]["filename"]


def install(pin: Pin, tarball: Path, target: Path) -> None:
    """Check the tarball against the pin, then copy the built files out of it."""
    found = integrity_of(tarball)
    if found != pin.integrity:
        raise SystemExit(f"{pin.package}@{pin.version}: integrity {found} differs from the pinned {pin.integrity}")
    with tarfile.open(tarball) as tar:
        for member, name in pin.files.items():
            source = tar.extractfile(member)
            if source is None:
                raise SystemExit(f"{pin.package}@{pin.version} has no {member}")
            (target / name).write_bytes(source.read())


def main(only: list[str]) -> int:
    """Vendor every pin, or only the named packages (`python -m builder_ui.vendor swagger-ui-dist`: adding one
    package need not re-fetch the others); VERSIONS.json always lists every pin."""
    unknown = set(only) - {p.package for p in PINS}
    if unknown:
        raise SystemExit(f"not pinned: {', '.join(sorted(unknown))}")
    VENDOR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for pin in (p for p in PINS if not only or p.package in only):
            install(pin, fetch(pin, Path(tmp)), VENDOR)
            print(f"vendored {pin.package}@{pin.version}")
    versions = [{"package": p.package, "version": p.version, "integrity": p.integrity, "files": sorted(p.files.values())}
                for p in PINS]
    (VENDOR / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
