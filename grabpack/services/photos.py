"""Photos: decoded by Pillow (never trusted by name), oriented, stripped, stored once."""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import Photo

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # a 40 MP phone photo; anything bigger is refused as a bomb
STORED_MAX_SIDE = 1600  # plenty for a printed A4 briefing sheet


TOO_MANY_PIXELS = "The photo has too many pixels: use one under 40 megapixels"


class PhotoError(ValueError):
    """The upload is not a photo we accept; the message says why."""


def process_photo(raw: bytes) -> tuple[bytes, int, int]:
    """Return JPEG bytes with orientation applied and all metadata gone, plus size.

    Raises ``PhotoError`` for anything that is not a decodable JPEG, PNG or
    WebP, or that claims more than ``MAX_PIXELS`` pixels (checked from the
    header, before the pixels are decoded).
    """
    if not raw:
        raise PhotoError("The selected file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoError("The photo must be a JPEG, PNG or WebP image")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise PhotoError(TOO_MANY_PIXELS)
            image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoError(TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(
            "The selected file is not a photo we can read (JPEG, PNG or WebP)"
        ) from exc
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGB")
    image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    clean = Image.new("RGB", image.size)  # a fresh image carries no metadata at all
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), clean.width, clean.height


def store_photo(raw: bytes) -> Photo:
    """Process and store a photo, reusing the row when the same image is already stored."""
    content, width, height = process_photo(raw)
    digest = hashlib.sha256(content).hexdigest()
    existing = db.session.scalar(select(Photo).where(Photo.sha256 == digest))
    if existing is not None:
        return existing
    photo = Photo(
        sha256=digest, media_type="image/jpeg", width=width, height=height, content=content
    )
    db.session.add(photo)
    db.session.flush()
    return photo
