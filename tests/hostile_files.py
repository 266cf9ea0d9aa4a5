"""Hostile and malformed spreadsheet files, built in the test: sparse far cells, huge strings from small zips,
zip bombs of each shape, lying sizes, truncated and random bytes. Big members are written in chunks so the
test itself never holds their decompressed text."""

from __future__ import annotations

import io
import itertools
import random
import struct
import zipfile
from collections.abc import Iterable

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
              'spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = "</sheetData></worksheet>"
SST_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def number(ref: str, value: float) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


def row(number_: int, *cells: str) -> str:
    return f'<row r="{number_}">{"".join(cells)}</row>'


def xlsx(sheet: Iterable[str], shared: Iterable[str] = (), extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal xlsx whose sheet XML is the given pieces (streamed into the zip, deflated) between
    <sheetData> tags; `shared` pieces make sharedStrings.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(SST_HEAD.encode())
            for piece in shared:
                f.write(piece.encode())
            f.write(b"</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(SHEET_HEAD.encode())
            for piece in sheet:
                f.write(piece.encode())
            f.write(SHEET_TAIL.encode())
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return out.getvalue()


def repeated(piece: str, times: int, chunk: int = 1 << 20) -> Iterable[str]:
    """`piece * times` in chunks of about `chunk` characters."""
    per = max(1, chunk // max(1, len(piece)))
    while times > 0:
        n = min(per, times)
        yield piece * n
        times -= n


def far_cell() -> bytes:
    """A header in A1 and one cell at XFD1048576: a dense reader allocates 2^34 cells."""
    return xlsx([row(1, inline("A1", "客户名称")), row(1048576, number("XFD1048576", 1))])


def huge_inline_string(mb: int) -> bytes:
    """One inline string of `mb` MB decompressed, in a zip of a few hundred KB."""
    return xlsx(itertools.chain([row(1, inline("A1", "客户名称")), '<row r="2"><c r="A2" t="inlineStr"><is><t>'],
                                repeated("a", mb << 20), ["</t></is></c></row>"]))


def huge_shared_string(mb: int) -> bytes:
    """A shared string of `mb` MB, used by one cell."""
    return xlsx([row(1, inline("A1", "客户名称")), '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'],
                shared=itertools.chain(["<si><t>"], repeated("b", mb << 20), ["</t></si>"]))


def many_rows(count: int, label: str = "客户名称") -> bytes:
    """`count` data rows below a header, each one short text."""
    def pieces() -> Iterable[str]:
        yield row(1, inline("A1", label))
        for n in range(2, count + 2):
            yield row(n, inline(f"A{n}", f"c{n}"))
    return xlsx(pieces())


def wide_row(columns: int) -> bytes:
    """A header and a row with a value in each of `columns` columns."""
    from openpyxl.utils import get_column_letter
    cells = [number(f"{get_column_letter(c)}2", c) for c in range(1, columns + 1)]
    return xlsx([row(1, inline("A1", "客户名称")), row(2, *cells)])


def one_member_bomb(name: str, mb: int) -> bytes:
    """A zip with one member of `mb` MB of zeros beside a valid minimal xlsx."""
    out = io.BytesIO(xlsx([row(1, inline("A1", "客户名称"))]))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z, z.open(name, "w", force_zip64=True) as f:
        block = b"\0" * (1 << 20)
        for _ in range(mb):
            f.write(block)
    return out.getvalue()


def many_members(count: int) -> bytes:
    """A zip of `count` tiny members: the central directory alone costs memory to parse."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for i in range(count):
            z.writestr(f"m{i}", b"")
    return out.getvalue()


def nested_bomb(depth: int, mb: int) -> bytes:
    """Zips inside zips, the innermost `mb` MB of zeros; each level named like an embedded workbook."""
    inner = zlib_zeros_zip(mb)
    for level in range(depth):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for i in range(4):
                z.writestr(f"xl/embeddings/level{level}_{i}.xlsx", inner)
        inner = out.getvalue()
    return inner


def zlib_zeros_zip(mb: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z, z.open("zeros", "w", force_zip64=True) as f:
        for _ in range(mb):
            f.write(b"\0" * (1 << 20))
    return out.getvalue()


def lying_sizes(data: bytes, claimed: int) -> bytes:
    """Every member's declared uncompressed size set to `claimed`, in local headers and central directory
    (only for members without zip64 extras)."""
    buf = bytearray(data)
    pos = 0
    while (pos := buf.find(b"PK\x03\x04", pos)) != -1:
        struct.pack_into("<I", buf, pos + 22, claimed)
        pos += 4
    pos = 0
    while (pos := buf.find(b"PK\x01\x02", pos)) != -1:
        if struct.unpack_from("<I", buf, pos + 24)[0] != 0xFFFFFFFF:
            struct.pack_into("<I", buf, pos + 24, claimed)
        pos += 4
    return bytes(buf)


def random_zip(seed: int, members: int = 5) -> bytes:
    """A valid zip of random members named like an xlsx's."""
    rnd = random.Random(seed)
    out = io.BytesIO()
    names = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml",
             "xl/sharedStrings.xml", "content.xml", "mimetype"]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in rnd.sample(names, min(members, len(names))):
            z.writestr(name, rnd.randbytes(rnd.randint(0, 4000)))
    return out.getvalue()


ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            '<office:body><office:spreadsheet><table:table table:name="Sheet1">')
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def ods(rows: Iterable[str]) -> bytes:
    """A minimal ods whose first table holds the given <table:table-row> pieces."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        with z.open("content.xml", "w", force_zip64=True) as f:
            f.write(ODS_HEAD.encode())
            for piece in rows:
                f.write(piece.encode())
            f.write(ODS_TAIL.encode())
    return out.getvalue()


def ods_text(text: str, repeat: int = 1) -> str:
    attr = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{attr}><text:p>{text}</text:p></table:table-cell>'


def ods_row(*cells: str, repeat: int = 1) -> str:
    attr = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attr}>{''.join(cells)}</table:table-row>"


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise LookupError(key)


class PeakMemory:
    """Growth of this process's peak resident memory over a block, in MB: the peak (VmHWM) is reset to the
    current RSS on entry (Linux's clear_refs), so earlier tests' peaks do not hide this one's."""

    def __enter__(self) -> PeakMemory:
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass  # the peak then only grows: the measured growth can be smaller, never larger
        self.start = _status_kb("VmRSS")
        self.growth_mb = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.growth_mb = max(0, _status_kb("VmHWM") - self.start) / 1024
