"""The backup archive: a tar.gz of the database dump, the data directory's files and config, and
manifest.json listing each member's size and sha256, read back only once every checksum matches."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1 << 20


class ArchiveError(Exception):
    """An archive that is not a Tangram backup, or is damaged: nothing has been written."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(target: Path, members: dict[str, Path], manifest: dict[str, Any]) -> dict[str, Any]:
    """Write `members` (archive name -> file) and the manifest, which gets their checksums, to `target`
    (through a temporary name, so a failed backup leaves no half archive). Returns the manifest."""
    manifest = {**manifest, "format": FORMAT,
                "members": {name: {"size": path.stat().st_size, "sha256": _sha256(path)}
                            for name, path in sorted(members.items())}}
    partial = target.with_name(target.name + ".partial")
    try:
        with tarfile.open(partial, "w:gz") as tar:
            text = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text))
            for name, path in sorted(members.items()):
                tar.add(path, arcname=name, recursive=False)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


@dataclass(frozen=True)
class Unpacked:
    """An archive's members in a staging directory, every checksum verified."""

    root: Path
    manifest: dict[str, Any]

    def path(self, name: str) -> Path:
        return self.root / name

    def names(self, prefix: str) -> list[str]:
        return sorted(n for n in self.manifest["members"] if n.startswith(prefix))


def _safe_name(name: str) -> str:
    """A member name that stays inside the staging directory, else ArchiveError."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ArchiveError(f"member {name!r} points outside the archive")
    return str(path)


def unpack(archive: Path, staging: Path) -> Unpacked:
    """Extract `archive` into `staging` and check it against its manifest: every member listed, none
    missing or extra, each size and sha256 equal. Raises ArchiveError naming the first problem."""
    if not archive.is_file():
        raise ArchiveError(f"{archive}: no such file")
    digests: dict[str, tuple[int, str]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                if not member.isfile():
                    raise ArchiveError(f"member {member.name!r} is not a regular file")
                name = _safe_name(member.name)
                source = tar.extractfile(member)
                assert source is not None  # a regular file always has content
                if name == MANIFEST:
                    manifest = json.loads(source.read().decode("utf-8"))
                    continue
                out = staging / name
                out.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with out.open("wb") as f:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        f.write(chunk)
                digests[name] = (size, digest.hexdigest())
    except (tarfile.TarError, EOFError, OSError, zlib.error) as e:
        raise ArchiveError(f"{archive}: not a readable tar.gz archive ({e})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ArchiveError(f"{archive}: its manifest.json is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("members"),
                                                                                             dict):
        raise ArchiveError(f"{archive}: not a Tangram backup (no manifest.json of format {FORMAT})")
    listed: dict[str, Any] = manifest["members"]
    for name in sorted(set(listed) | set(digests)):
        if name not in digests:
            raise ArchiveError(f"{archive}: {name} is in the manifest but missing from the archive")
        if name not in listed:
            raise ArchiveError(f"{archive}: {name} is not in the manifest")
        size, sha = digests[name]
        if size != listed[name].get("size") or sha != listed[name].get("sha256"):
            raise ArchiveError(f"{archive}: {name} does not match its checksum in the manifest (damaged archive)")
    return Unpacked(staging, manifest)

