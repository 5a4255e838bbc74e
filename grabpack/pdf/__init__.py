"""PDF documents: one renderer class per document on a shared base (``document``).

No Flask and no SQLAlchemy here: a service copies what a document prints into a
plain snapshot, and the renderer turns the snapshot into bytes.
"""

from grabpack.pdf.grab_pack import (
    GrabPackSnapshot,
    MissingHistoryLine,
    OpenEpisodeFacts,
    render_grab_pack,
)

__all__ = ["GrabPackSnapshot", "MissingHistoryLine", "OpenEpisodeFacts", "render_grab_pack"]
