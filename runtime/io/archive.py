"""A zip (xlsx, ods) checked before anything parses it: how many members it has, and how large each one
and all of them together really are once decompressed.

The member count comes from the zip's end record, before `zipfile` builds an object per member. Sizes are
measured by decompressing every member through a counting read that stops at the limit: the sizes a zip
declares can lie, and a few hundred KB can inflate to gigabytes. Nested zips are never opened: their bytes
count like any other member's."""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Any

from engine.errors import BadFile, FileOverLimit
from runtime.io.sheet_limits import MB, SheetLimits

CHUNK = 1 << 16


def _broken(problem: str) -> BadFile:
    return BadFile(f"无法读取文件（{problem}）", f"cannot read the file ({problem})", field="file")


def _unzipped_over(limit: int, name: str | None = None) -> FileOverLimit:
    if name is None:
        return FileOverLimit(f"文件解压后超过 {limit // MB} MB", f"the file decompresses to more than {limit // MB} MB",
                             field="file", limit="max_unzipped_mb", max=limit // MB)
    return FileOverLimit(f"文件中的 {name[:100]} 解压后超过 {limit // MB} MB",
                         f"{name[:100]!r} in the file decompresses to more than {limit // MB} MB",
                         field="file", limit="max_zip_member_mb", max=limit // MB)


def _member_count(data: bytes) -> int:
    """The entry count the end record declares (zip64 included); BadFile when there is none."""
    try:
        end: Any = zipfile._EndRecData(io.BytesIO(data))  # type: ignore[attr-defined]  # stdlib, stable since 2.x
    except OSError:
        end = None
    if not end:
        raise _broken("不是有效的 zip / not a valid zip")
    return int(end[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def open_zip(data: bytes, limits: SheetLimits) -> zipfile.ZipFile:
    """The zip, once every member has been read through within the limits; FileOverLimit naming the limit
    at the first byte past it, BadFile when the zip is broken (bad CRC, truncated, encrypted)."""
    count = _member_count(data)
    if count > limits.members:
        raise FileOverLimit(f"文件最多含 {limits.members} 个部件，这个文件有 {count} 个",
                            f"at most {limits.members} parts in a file; this one has {count}",
                            field="file", limit="max_zip_members", max=limits.members)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > limits.members:  # the end record lied
            raise _broken("目录与记录不符 / the directory disagrees with its end record")
        total = 0
        for info in infos:
            if info.file_size > limits.member_bytes:  # declared: refused without inflating a byte
                raise _unzipped_over(limits.member_bytes, info.filename)
            total += _measure(archive, info, limits, limits.unzipped_bytes - total)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError,
            OSError, ValueError) as e:  # broken, truncated, encrypted or of an unknown compression
        raise _broken(str(e)[:200]) from None
    return archive


def _measure(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: SheetLimits, room: int) -> int:
    """The member's real decompressed size, read in chunks; past the member limit or the room left under
    the total limit, the read stops and the file is refused."""
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            size += len(chunk)
            if size > limits.member_bytes:
                raise _unzipped_over(limits.member_bytes, info.filename)
            if size > room:
                raise _unzipped_over(limits.unzipped_bytes)
    return size


__all__ = ["open_zip"]
