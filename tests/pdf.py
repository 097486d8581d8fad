"""Read a PDF's text the way a person reads it: words in order, whitespace normalised.

Justified paragraphs and line wraps change the spaces a PDF extractor returns ("3  record(s)",
"last\nwritten"); assertions about what a page says must not depend on where a line broke.
"""

import io

from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from ketaclinic.core.pdf import DEFAULT_BASE_URL, StaticFilesOnly


def pdf_text(content) -> str:
    """The words of every page, separated by single spaces. Accepts bytes or a response."""
    data = content if isinstance(content, bytes | bytearray) else content.content
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)


def pdf_pages(content) -> list[list[str]]:
    """Each page's lines as the extractor returns them (line breaks kept)."""
    data = content if isinstance(content, bytes | bytearray) else content.content
    return [(page.extract_text() or "").splitlines() for page in PdfReader(io.BytesIO(data)).pages]


def split_across_lines(content, tokens) -> list[str]:
    """The tokens (NDCs, lot and DEA numbers, hashes...) that are missing from the PDF or broken
    over two lines somewhere: each must appear, and only ever whole on one line."""
    lines = [line for page in pdf_pages(content) for line in page]
    joined = "".join(lines)
    broken = []
    for token in tokens:
        whole = sum(line.count(token) for line in lines)
        if whole == 0 or whole < joined.count(token):
            broken.append(token)
    return broken


def overflowing_words(html: str) -> list[str]:
    """Words that run past the edge of their table cell when WeasyPrint lays the document out:
    a column too narrow for an identifier that must not wrap."""
    document = HTML(string=html, base_url=DEFAULT_BASE_URL, url_fetcher=StaticFilesOnly())
    found = []

    def walk(box, cell):
        if isinstance(box, boxes.TableCellBox):
            cell = box
        edge = cell.content_box_x() + cell.width if cell is not None else None
        overflows = edge is not None and box.position_x + box.width > edge + 0.01
        if isinstance(box, boxes.TextBox) and overflows:
            found.append(box.text)
        for child in getattr(box, "children", []):
            walk(child, cell)

    for page in document.render().pages:
        walk(page._page_box, None)
    return found
