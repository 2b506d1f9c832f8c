"""The questionnaire's QR code as SVG, drawn on the server (no script, no external service)."""

import io

import qrcode
import qrcode.image.svg


def qr_svg(url: str) -> bytes:
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=4,
    )
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
