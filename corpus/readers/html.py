"""HTML: visible text in reading order, one paragraph per block element, without scripts and navigation."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, Tag

from corpus.readers import Extracted
from hrsearch.errors import EmptyDocument

_DROP = ("script", "style", "nav", "noscript", "template", "svg", "head")
_BLOCKS = (
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr",
    "caption", "figure", "figcaption", "address", "form", "fieldset", "details", "summary", "hr",
)  # fmt: skip
# Markers put into the tree before taking its text; control characters never survive the HTML parser.
_BREAK = "\x00"  # paragraph boundary
_NEWLINE = "\x01"  # <br>


def read_html(data: bytes, path: Path) -> Extracted:
    """Paragraphs of an HTML page separated by blank lines; ``<title>`` (or the first h1) is the title."""
    soup = BeautifulSoup(data, "lxml")
    title_tag = soup.find("title")
    title = _clean(title_tag.get_text(" ")) if title_tag else None
    if not title:
        h1 = soup.find("h1")
        title = _clean(h1.get_text(" ")) if h1 else None
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for row in soup.find_all("tr"):
        # A table row reads as one line: its cells joined by " | ".
        cells = [_clean(cell.get_text(" ")) for cell in row.find_all(("td", "th"))]
        row.clear()
        row.append(" | ".join(c for c in cells if c))
    for br in soup.find_all("br"):
        br.replace_with(_NEWLINE)
    for block in soup.find_all(_BLOCKS):
        if isinstance(block, Tag):
            block.insert_before(_BREAK)
            block.insert_after(_BREAK)
    raw = soup.get_text()
    paragraphs = [_paragraph(p) for p in raw.split(_BREAK)]
    text = "\n\n".join(p for p in paragraphs if p)
    if not text:
        raise EmptyDocument(path, "no visible text in the HTML page")
    return Extracted(text=text, title=title or None)


def _clean(text: str) -> str:
    """HTML whitespace rules: any run of whitespace, line breaks included, is one space."""
    return " ".join(text.split())


def _paragraph(text: str) -> str:
    lines = (_clean(line) for line in text.split(_NEWLINE))
    return "\n".join(line for line in lines if line)
