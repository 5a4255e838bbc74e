"""Photos: synthetic silhouettes, never faces, each stored once through the photo service."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from grabpack.demo.context import Demo
from grabpack.models import Photo
from grabpack.services.photos import store_photo

BACKGROUNDS = ((205, 214, 222), (222, 214, 200), (200, 222, 210), (230, 230, 230), (210, 205, 225))
FIGURES = ((70, 60, 55), (110, 85, 70), (150, 120, 100), (60, 70, 90), (95, 95, 95))


def demo_photo(demo: Demo) -> Photo:
    """One of a small set of silhouettes: 25 images serve every pack, so the run stays fast."""
    key = (demo.rng.randrange(len(BACKGROUNDS)), demo.rng.randrange(len(FIGURES)))
    if key not in demo.photos:
        demo.photos[key] = store_photo(silhouette(BACKGROUNDS[key[0]], FIGURES[key[1]]))
    return demo.photos[key]


def silhouette(background: tuple[int, int, int], figure: tuple[int, int, int]) -> bytes:
    """A plain head-and-shoulders shape on a plain ground, labelled as synthetic: PNG bytes."""
    image = Image.new("RGB", (480, 600), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 390, 440, 800), fill=figure)  # shoulders
    draw.rectangle((205, 300, 275, 420), fill=figure)  # neck
    draw.ellipse((150, 110, 330, 330), fill=figure)  # head
    font = ImageFont.load_default(size=24)
    draw.text((240, 40), "SYNTHETIC DEMO PHOTO", fill=(60, 60, 60), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
