"""Rehearse the Dockerfile without Docker: copy what its COPY lines copy into a new directory, run its
`make install` there, start `tangram serve --init` from that tree on a new data directory and ask /health,
/login and /docs. It shows that the image's files are enough to install and serve; not the base image, the
apt packages or the container's user, which need a Docker daemon (docs/deployment.md, "Docker").

    python3 deploy/rehearse_image.py [--keep] [--port 8190]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copied() -> list[str]:
    """The sources of the Dockerfile's COPY lines, in order (the last word of a line is its destination)."""
    sources: list[str] = []
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words and words[0].upper() == "COPY":
            sources += words[1:-1]
    return sources


def build(app: Path) -> None:
    for source in copied():
        path = ROOT / source
        target = app / source
        if path.is_dir():
            shutil.copytree(path, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, target)
    subprocess.run(["make", "install", f"PYTHON={sys.executable}"], cwd=app, check=True)


def serve(app: Path, data: Path, port: int) -> dict[str, int]:
    env = {**os.environ, "TANGRAM_DATA_DIR": str(data), "TANGRAM_HOST": "127.0.0.1", "TANGRAM_PORT": str(port)}
    env.pop("TANGRAM_DATABASE_URL", None)
    server = subprocess.Popen([str(app / ".venv" / "bin" / "tangram"), "serve", "--init"], cwd=app, env=env)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        codes = {}
        for path in ("/health", "/login", "/docs"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
                codes[path] = answer.status
        return codes
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--port", type=int, default=8190)
    args.add_argument("--keep", action="store_true", help="keep the directory (printed)")
    options = args.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tangram-image-"))
    try:
        (work / "app").mkdir()
        build(work / "app")
        codes = serve(work / "app", work / "data", options.port)
        print(" ".join(f"{path} {code}" for path, code in codes.items()))
        return 0 if all(code == 200 for code in codes.values()) else 1
    finally:
        if options.keep:
            print(work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
