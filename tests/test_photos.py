"""Photos are decoded, never trusted by name; bombs refused; metadata stripped."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from grabpack.services.photos import PhotoError, process_photo


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepts_jpeg_png_webp_and_stores_jpeg(fmt):
    content, width, height = process_photo(encoded(Image.new("RGB", (300, 400), "teal"), fmt))
    assert Image.open(io.BytesIO(content)).format == "JPEG"
    assert (width, height) == (300, 400)


def test_gps_and_other_exif_are_stripped():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    raw = encoded(Image.new("RGB", (100, 100), "red"), "JPEG", exif=exif)
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the upload had GPS
    content, _, _ = process_photo(raw)
    cleaned = Image.open(io.BytesIO(content))
    assert not cleaned.getexif()
    assert b"PhoneMaker" not in content and b"Exif" not in content


def test_exif_orientation_is_applied_before_stripping():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    raw = encoded(Image.new("RGB", (400, 200), "blue"), "JPEG", exif=exif)
    _, width, height = process_photo(raw)
    assert (width, height) == (200, 400)


def test_large_photo_is_scaled_down_for_storage():
    _, width, height = process_photo(encoded(Image.new("RGB", (4000, 3000), "grey"), "PNG"))
    assert max(width, height) == 1600


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_png_bomb_is_refused_before_decoding():
    bomb = png_bomb(50_000, 50_000)
    assert len(bomb) < 10_000
    with pytest.raises(PhotoError, match="too many pixels"):
        process_photo(bomb)


@pytest.mark.parametrize(
    "raw",
    [
        b"<html><body><script>alert(1)</script></body></html>",
        b"GIF89a\x01\x00\x01\x00",
        b"\xff\xd8\xff\xe0 truncated jpeg",
        b"%PDF-1.7\n",
    ],
)
def test_files_that_are_not_accepted_images_are_refused(raw):
    with pytest.raises(PhotoError):
        process_photo(raw)


def test_gif_is_refused_even_though_pillow_reads_it():
    with pytest.raises(PhotoError, match="JPEG, PNG or WebP"):
        process_photo(encoded(Image.new("RGB", (10, 10)), "GIF"))


def test_empty_file_is_refused():
    with pytest.raises(PhotoError, match="empty"):
        process_photo(b"")
