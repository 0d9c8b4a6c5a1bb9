"""Hostile and broken documents, built byte by byte (nothing is downloaded).

``write_hostile(folder)`` writes every kind the reliability tests feed the indexer and returns
what each one must produce: a refusal whose reason contains a phrase, or a success (perhaps with
a warning).
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter

BOMB_MB = 1024  # what the decompression and zip bombs expand to


@dataclass(frozen=True)
class Expect:
    """What a file must give: ``ok`` (indexed), or a refusal whose reason contains ``reason``."""

    ok: bool
    reason: str = ""
    warning: str = ""


# --- PDF --------------------------------------------------------------------------------------
def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _text_stream(text: str) -> bytes:
    lines = text.split("\n")
    return (
        "BT /F1 11 Tf 72 740 Td 14 TL " + " ".join(f"{_pdf_string(s)} Tj T*" for s in lines) + " ET"
    ).encode("latin-1")


def build_pdf(
    pages: list[bytes],
    *,
    extra: dict[int, bytes] | None = None,
    resources: bytes = b"",
    prev_loop: bool = False,
) -> bytes:
    """A PDF whose pages have the given content streams (each already encoded with its dictionary
    entries, see ``_stream``). ``extra`` adds objects; ``prev_loop`` makes the trailer's /Prev
    point at its own cross-reference table (a loop)."""
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] /Count {len(pages)} >>".encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for page_id, stream in zip(page_ids, pages, strict=True):
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> "
            + resources
            + b" >> /Contents %d 0 R >>" % (page_id + 1)
        )
        objects[page_id + 1] = stream
    objects.update(extra or {})
    out = b"%PDF-1.4\n"
    offsets: dict[int, int] = {}
    for object_id in sorted(objects):
        offsets[object_id] = len(out)
        out += b"%d 0 obj\n" % object_id + objects[object_id] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets.get(i, 0) for i in range(1, size))
    prev = b" /Prev %d" % xref if prev_loop else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (size, prev, xref)
    return out


def _stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), entries) + data + b"\nendstream"


def text_pdf(pages: list[str]) -> bytes:
    return build_pdf([_stream(_text_stream(t)) for t in pages])


def scanned_pdf() -> bytes:
    """One page that only paints an image, as a scanner makes: no text layer."""
    pixels = bytes(random.Random(3).randrange(256) for _ in range(64 * 64))
    image = (
        b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n"
        % len(pixels)
    )
    image += pixels + b"\nendstream"
    paint = b"q 500 0 0 700 50 50 cm /Im1 Do Q"
    return build_pdf([_stream(paint)], extra={10: image}, resources=b"/XObject << /Im1 10 0 R >>")


def deflate_zeros(megabytes: int, *, raw: bool = False) -> tuple[bytes, int]:
    """A deflate stream of ``megabytes`` MB of zero bytes, made in a fraction of a second (one
    compressed megabyte repeated: after a full flush, blocks do not refer back); returns the
    stream and the CRC-32 of what it expands to."""
    mb = b"\0" * (1 << 20)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(mb) + co.flush(zlib.Z_FULL_FLUSH)
    block = co.compress(mb) + co.flush(zlib.Z_FULL_FLUSH)
    last = co.compress(b"") + co.flush()
    crc = adler = 0
    crc = zlib.crc32(mb)
    adler = zlib.adler32(mb)
    for _ in range(megabytes - 1):
        crc = zlib.crc32(mb, crc)
        adler = zlib.adler32(mb, adler)
    body = first + block * (megabytes - 1) + last
    if raw:
        return body, crc
    return b"\x78\xda" + body + struct.pack(">I", adler), crc


def bomb_pdf() -> bytes:
    """A page whose content stream inflates to ``BOMB_MB`` MB."""
    data, _ = deflate_zeros(BOMB_MB)
    return build_pdf([_stream(data, b"/Filter /FlateDecode ")])


def encrypted_pdf(text: str, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf([text]))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# --- ZIP / DOCX -------------------------------------------------------------------------------
def build_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive of (name, stored data, method, crc, uncompressed size) members."""
    out, central = b"", b""
    for name, data, method, crc, size in members:
        raw_name = name.encode()
        header = struct.pack(
            "<4s5H3I2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), size, len(raw_name), 0
        )
        central += (
            struct.pack(
                "<4s6H3I5H2I",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                0,
                0,
                crc,
                len(data),
                size,
                len(raw_name),
                0,
                0,
                0,
                0,
                0,
                len(out),
            )
            + raw_name
        )
        out += header + raw_name + data
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    return out + central + end


def _stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    return name, data, 0, zlib.crc32(data), len(data)


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    b"</Relationships>"
)


def zip_bomb_docx() -> bytes:
    """A .docx whose word/document.xml inflates to ``BOMB_MB`` MB."""
    data, crc = deflate_zeros(BOMB_MB, raw=True)
    return build_zip(
        [_stored("[Content_Types].xml", _CONTENT_TYPES), _stored("_rels/.rels", _RELS),
         ("word/document.xml", data, 8, crc, BOMB_MB << 20)]
    )  # fmt: skip


# --- the set ----------------------------------------------------------------------------------
LOOP_TEXT = "The Working Group calls for an end to the arbitrary detention of journalists."
GOOD_LETTER = (
    "Dear High Commissioner,\n\nWe write about the detention of asylum seekers at the border. "
    "Families are held for months without judicial review.\n\nWe urge the Government to end the detention of children.\n"
)


def write_hostile(folder: Path, *, big_text_mb: int = 50) -> dict[str, Expect]:
    """Write every hostile file (and two good ones) into ``folder``; return what each must give."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    good_pdf = text_pdf(
        ["The Committee recommends that the State party abolish the death penalty.", "Page two text."]
    )
    files: dict[str, tuple[bytes, Expect]] = {
        "good-letter.txt": (GOOD_LETTER.encode(), Expect(True)),
        "good-report.pdf": (good_pdf, Expect(True)),
        "truncated.pdf": (good_pdf[: len(good_pdf) // 3], Expect(False, "PDF")),
        "corrupt.pdf": (
            b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(20000)),
            Expect(False, "PDF"),
        ),
        "encrypted-empty-password.pdf": (
            encrypted_pdf("The Working Group recommends an independent police oversight body.", ""),
            Expect(True),
        ),
        "encrypted-password.pdf": (encrypted_pdf("Confidential draft.", "s3cret"), Expect(False, "password")),
        "xref-loop.pdf": (build_pdf([_stream(_text_stream(LOOP_TEXT))], prev_loop=True), Expect(True)),
        "page-tree-loop.pdf": (
            build_pdf([_stream(_text_stream("Loop text."))]).replace(
                b"/Kids [4 0 R]", b"/Kids [4 0 R 2 0 R]"
            ),
            Expect(False, "cyclic page references"),
        ),
        "decompression-bomb.pdf": (bomb_pdf(), Expect(False, "decompression bomb")),
        "scanned.pdf": (scanned_pdf(), Expect(False, "no text layer")),
        "empty.pdf": (b"", Expect(False, "PDF")),
        "empty.txt": (b"", Expect(False, "empty")),
        "empty.docx": (b"", Expect(False, "zip")),
        "empty.html": (b"", Expect(False, "no visible text")),
        "empty.csv": (b"", Expect(False, "empty")),
        "binary.txt": (bytes(rng.randrange(256) for _ in range(40000)), Expect(False, "binary")),
        "binary-no-nul.txt": (bytes(rng.randrange(1, 256) for _ in range(40000)), Expect(False, "binary")),
        "latin1.txt": (
            "Décision du Comité: la détention à Bogotá doit cesser. Nous exhortons l'État à agir.\n".encode(
                "latin-1"
            ),
            Expect(True, warning="cp1252"),
        ),
        "utf16-bom.txt": (
            ("\ufeff" + "Комитет рекомендует отменить смертную казнь. Мы призываем правительство.\n").encode(
                "utf-16-le"
            ),
            Expect(True),
        ),
        "utf16-no-bom.txt": (
            "The Committee urges the State party to protect human rights defenders.\n".encode("utf-16-le"),
            Expect(True, warning="UTF-16-LE without a byte-order mark"),
        ),
        "deeply-nested.html": (
            b"<html><body>"
            + b"<div>" * 200_000
            + b"Nested text about freedom of assembly."
            + b"</div>" * 200_000
            + b"</body></html>",
            Expect(False, "parsing took longer than"),
        ),
        "not-a-zip.docx": (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(5000)),
            Expect(False, "not a zip"),
        ),
        "zip-bomb.docx": (zip_bomb_docx(), Expect(False, "zip bomb")),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    expect = {name: e for name, (_, e) in files.items()}
    if big_text_mb:
        line = GOOD_LETTER.replace("\n\n", " ").replace("\n", " ") + "\n\n"
        with (folder / "big.txt").open("w", encoding="utf-8") as f:
            n = (big_text_mb << 20) // len(line) + 1
            for i in range(0, n, 1000):
                f.write(line * min(1000, n - i))
        expect["big.txt"] = Expect(True)
    return expect
