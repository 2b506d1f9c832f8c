"""HTML to PDF with WeasyPrint, loading nothing but the portal's own static files.

WeasyPrint fetches every URL a document names (stylesheets, @import, images, SVG links, fonts) unless its fetcher
says no. `StaticOnlyFetcher` is deny-by-default: a `file:` URL is served only when its real path (symlinks resolved)
lies inside STATIC_ROOT or one of STATICFILES_DIRS; every other scheme — http(s), ftp, data:, file: anywhere else —
is refused before any I/O, so there is no network access and no redirect to follow. Refused URLs are logged and
kept on the fetcher (`refused`) so tests can show what a hostile document asked for.

Fonts come from fontconfig (Debian's fonts-noto-cjk), never through the fetcher.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

log = logging.getLogger(__name__)

TEXT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}
MAX_FILE_BYTES = 5 * 1024 * 1024


class FetchRefused(ValueError):
    """A URL outside the allow-list; WeasyPrint logs it and renders without the resource."""


def allowed_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT), *(Path(d) for d in settings.STATICFILES_DIRS)]
    return [r.resolve() for r in roots]


def static_base_url() -> str:
    """The base URL a report template's relative links (`reports/pdf.css`) resolve against."""
    return Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"


def _import_weasyprint():
    import weasyprint

    return weasyprint


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serve `file:` URLs inside the static roots; refuse everything else without touching the network."""

        def __init__(self, roots: list[Path]):
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
            self.roots = roots
            self.served: list[str] = []
            self.refused: list[str] = []

        def _refuse(self, url: str, why: str):
            self.refused.append(url)
            log.warning("pdf: refused to fetch %s (%s)", url[:200], why)
            raise FetchRefused(f"refused: {why}")

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme.lower() != "file":
                self._refuse(url, f"scheme {parts.scheme or '-'} not allowed")
            if parts.netloc not in ("", "localhost"):
                self._refuse(url, "remote file host")
            try:
                path = Path(unquote(parts.path)).resolve(strict=True)
            except (OSError, RuntimeError):
                self._refuse(url, "no such file")
            if not path.is_file() or not any(path.is_relative_to(root) for root in self.roots):
                self._refuse(url, "outside the static files")
            if path.stat().st_size > MAX_FILE_BYTES:
                self._refuse(url, "file too large")
            self.served.append(url)
            kind = (
                TEXT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            )
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})

        def open(self, url, data=None, timeout=None):
            return self.fetch(getattr(url, "full_url", url))

    return StaticOnlyFetcher


def make_fetcher():
    return _fetcher_class()(allowed_roots())


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    refused: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)


def render_document(html: str, *, base_url: str | None = None, fetcher=None):
    """Lay out `html` (not yet written): returns (WeasyPrint document, fetcher)."""
    weasyprint = _import_weasyprint()
    fetcher = fetcher or make_fetcher()
    document = weasyprint.HTML(string=html, base_url=base_url or static_base_url(), url_fetcher=fetcher).render()
    return document, fetcher


def render_pdf(html: str, *, base_url: str | None = None, fetcher=None) -> RenderedPdf:
    """The PDF bytes of `html`, its page count and the URLs the fetcher served and refused."""
    document, fetcher = render_document(html, base_url=base_url, fetcher=fetcher)
    data = document.write_pdf()
    return RenderedPdf(data=data, pages=len(document.pages), refused=list(fetcher.refused), served=list(fetcher.served))
