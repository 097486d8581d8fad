"""Read a PDF's text the way a person reads it: words in order, whitespace normalised.

Justified paragraphs and line wraps change the spaces a PDF extractor returns ("3  record(s)",
"last\nwritten"); assertions about what a page says must not depend on where a line broke.
"""

import io

from pypdf import PdfReader


def pdf_text(content) -> str:
    """The words of every page, separated by single spaces. Accepts bytes or a response."""
    data = content if isinstance(content, bytes | bytearray) else content.content
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)
