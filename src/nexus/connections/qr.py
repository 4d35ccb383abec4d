"""QR codes as images a browser shows as they are.

WAHA gives a PNG and the raw text, Evolution a PNG data URL and the raw text, but some
Evolution answers and events carry the raw text alone: that one is drawn here.
"""

from __future__ import annotations

import segno

from nexus.channels.outbound import QrCode


def qr_data_url(qr: QrCode | None) -> str | None:
    """``data:image/png;base64,…`` for the pairing QR, or ``None`` when there is none."""
    if qr is None:
        return None
    if qr.image_data_url:
        return qr.image_data_url
    if qr.qr:
        # Low error correction keeps the modules large: WhatsApp's strings are long.
        return str(segno.make(qr.qr, error="l").png_data_uri(scale=6, border=4))
    return None
