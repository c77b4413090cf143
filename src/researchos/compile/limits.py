"""Limits that keep a hostile or oversized paper from exhausting the machine."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class CompileLimits:
    """Caps checked before (and while) a paper is read; each breach is a clear InputError."""

    max_pdf_bytes: int = 100 * MB
    max_pages: int = 500
    max_html_bytes: int = 20 * MB
    max_html_depth: int = 256
    max_html_elements: int = 400_000
    max_images: int = 200
    max_image_bytes: int = 10 * MB
    max_images_total_bytes: int = 80 * MB
    max_claims: int = 200
    chunk_chars: int = 60_000  # passages per model call, measured in characters
