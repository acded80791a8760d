"""Recognise binary files by their magic numbers, before anything tries to decode them."""

from __future__ import annotations

# (offset, magic, description). Checked before any decoding so a photo is never "decoded".
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (0, b"\x00\x00\x01\x00", "an ICO icon"),
    (0, b"%PDF-", "a PDF document"),
    (0, b"PK\x03\x04", "a ZIP archive (or a .docx/.odt/.epub document)"),
    (0, b"PK\x05\x06", "a ZIP archive"),
    (0, b"PK\x07\x08", "a ZIP archive"),
    (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"\xfd7zXZ\x00", "an XZ archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"Rar!\x1a\x07", "a RAR archive"),
    (0, b"\x28\xb5\x2f\xfd", "a Zstandard archive"),
    (0, b"\x04\x22\x4d\x18", "an LZ4 archive"),
    (257, b"ustar", "a tar archive"),
    (0, b"\x7fELF", "an ELF executable"),
    (0, b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (0, b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (0, b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (0, b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (0, b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class file"),
    (0, b"\x00asm", "a WebAssembly module"),
    (0, b"SQLite format 3\x00", "an SQLite database"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc/.xls)"),
    (0, b"OggS", "an Ogg audio/video file"),
    (0, b"fLaC", "a FLAC audio file"),
    (0, b"\x1aE\xdf\xa3", "a Matroska/WebM video"),
    (0, b"wOFF", "a web font"),
    (0, b"wOF2", "a web font"),
    (0, b"\x00\x01\x00\x00\x00", "a TrueType font"),
    (4, b"ftyp", "an MP4/QuickTime/HEIC media file"),
)
_RIFF_KINDS = {b"WEBP": "a WebP image", b"WAVE": "a WAV audio file", b"AVI ": "an AVI video"}


def sniff_binary(data: bytes) -> str | None:
    """Name the binary file type from its magic number, or None if it is not a known binary."""
    for offset, magic, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return kind
    if data.startswith(b"RIFF") and len(data) >= 12:
        return _RIFF_KINDS.get(data[8:12], "a RIFF media file")
    # Short magics that real text could start with need a second confirming feature.
    bz_blocks = (b"1AY&SY", b"\x17rE8P\x90")
    if data.startswith(b"BZh") and data[3:4].isdigit() and data[4:10] in bz_blocks:
        return "a bzip2 archive"
    if data.startswith(b"MZ") and b"\x00" in data[2:64]:
        return "a Windows/DOS executable"
    if data.startswith(b"ID3") and len(data) > 4 and data[3] < 0x10:
        return "an MP3 audio file"
    if data.startswith(b"BM") and len(data) > 26 and data[6:10] == b"\x00\x00\x00\x00":
        return "a BMP image"
    return None
