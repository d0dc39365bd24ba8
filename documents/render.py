"""The one document renderer: every printed form, notice and certificate, as PDF and as an A4 page.

A document is described once, by its app's template in ``<app>/documents.py`` (a function that
returns a ``Document``: a title, blocks of fields, paragraphs and tables, the places for
signatures and the seal), and rendered here two ways from that one description:

* ``render_pdf(document)``: an A4 PDF through fpdf2, its Chinese text set in Noto Sans SC
  (``documents.fonts``), embedded as a subset with its Unicode map, so the text is selectable
  and searchable, not an image;
* ``render_html(request, document)``: the same page as HTML sized for A4
  (``templates/documents/print.html``), for the browser's own print.

Both carry the bureau's name (``BUREAU_NAME``), the date in Chinese form (二〇二〇年四月三日),
boxes for signatures and a place for the seal. What personal numbers a document shows is its
template's choice: masked unless the document must carry them in full, and then the template
names them in ``reveals`` and every rendering is written to the reveal log.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings

CN_DIGITS = "〇一二三四五六七八九"
CN_NUMBERS = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


def chinese_date(day: datetime.date | None) -> str:
    """二〇二〇年四月三日: the year digit by digit, month and day as numbers (公文 style)."""
    if day is None:
        return "    年   月   日"

    def number(n: int) -> str:
        if n <= 10:
            return CN_NUMBERS[n]
        tens, units = divmod(n, 10)
        return (CN_NUMBERS[tens] if tens > 1 else "") + "十" + (CN_NUMBERS[units] if units else "")

    year = "".join(CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{number(day.month)}月{number(day.day)}日"


def bureau_name() -> str:
    return settings.BUREAU_NAME


# --- The description ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fields:
    """Label–value pairs in a ruled grid, two pairs a row; a ``wide`` label takes a row of its own."""

    rows: list[tuple[str, str]]
    wide: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    headings: list[str]
    rows: list[list[str]]
    widths: list[float]  # relative widths of the columns
    numeric: frozenset[int] = frozenset()  # columns aligned right


@dataclass(frozen=True)
class Opinion:
    """A ruled box for one step's opinion (初审意见, 审核意见, 审批意见): the text, who signs, the date."""

    label: str
    text: str
    signer: str = ""
    dated: datetime.date | None = None
    seal: bool = False


@dataclass
class Document:
    title: str
    blocks: list
    file_name: str  # without extension: 低保审批表-123
    number: str = ""  # the document's reference (文号)
    recipient: str = ""  # a notice's addressee (张**：)
    signatures: list[str] = field(default_factory=list)  # 申请人（签字）, …
    seal: str | None = None  # the seal's caption; None: no seal on this document
    dated: datetime.date | None = None
    issuer: str = ""  # default: the bureau's name
    reveals: list[tuple[str, str, str]] = field(default_factory=list)  # (model, object id, field) carried in full
    footnote: str = ""

    def __post_init__(self):
        self.issuer = self.issuer or bureau_name()

    @property
    def date_text(self) -> str:
        return chinese_date(self.dated)


# --- PDF ------------------------------------------------------------------------------------

PAGE_WIDTH = 210
MARGIN = 18
WIDTH = PAGE_WIDTH - 2 * MARGIN
LINE = 7.5
FONT = "NotoSansSC"


def _pdf():
    from fpdf import FPDF
    from fpdf.enums import WrapMode

    from documents.fonts import font_path

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN)
    pdf.add_font(FONT, fname=str(font_path()))
    pdf.set_font(FONT, size=11)
    pdf.set_creator("civil-affairs portal")
    pdf.c_margin = 1.5
    return pdf, WrapMode.CHAR


def _wrapped_height(pdf, width, text, wrap) -> float:
    return pdf.multi_cell(width, LINE, text or " ", dry_run=True, output="HEIGHT", wrapmode=wrap)


def _fields(pdf, block: Fields, wrap) -> None:
    label_w = 30
    half = WIDTH / 2
    pending = []
    rows = []
    for label, value in block.rows:
        if label in block.wide:
            if pending:
                rows.append(pending)
                pending = []
            rows.append([(label, value, WIDTH - label_w)])
        else:
            pending.append((label, value, half - label_w))
            if len(pending) == 2:
                rows.append(pending)
                pending = []
    if pending:
        rows.append([*pending, ("", "", half - label_w)])
    for row in rows:
        height = max(_wrapped_height(pdf, w, v, wrap) for _l, v, w in row)
        height = max(height, LINE + 1)
        if pdf.will_page_break(height):
            pdf.add_page()
        y = pdf.get_y()
        x = MARGIN
        for label, value, width in row:
            pdf.set_xy(x, y)
            pdf.set_fill_color(242, 244, 247)
            pdf.multi_cell(
                label_w, height, label, border=1, fill=True, align="C", wrapmode=wrap, new_y="TOP", max_line_height=LINE
            )
            pdf.set_xy(x + label_w, y)
            pdf.rect(x + label_w, y, width, height)
            pdf.multi_cell(width, LINE, value, border=0, align="L", wrapmode=wrap)
            x += label_w + width
        pdf.set_xy(MARGIN, y + height)
    pdf.ln(3)


def _table(pdf, block: Table, wrap) -> None:
    total = sum(block.widths)
    widths = [WIDTH * w / total for w in block.widths]

    def headings():
        pdf.set_fill_color(242, 244, 247)
        for heading, width in zip(block.headings, widths, strict=True):
            pdf.cell(width, LINE + 1, heading, border=1, align="C", fill=True)
        pdf.ln(LINE + 1)

    headings()
    for row in block.rows:
        if pdf.will_page_break(LINE):
            pdf.add_page()
            headings()
        for index, (value, width) in enumerate(zip(row, widths, strict=True)):
            text = str(value)
            if (
                len(text) * 4.2 > width - 3
            ):  # a full-width character at 11 pt is under 4.2 mm: most cells fit unmeasured
                while text and pdf.get_string_width(text) > width - 3:
                    text = text[:-1]  # a notice's cells are short; a long one is cut, never spilled
            pdf.cell(width, LINE, text, border=1, align="R" if index in block.numeric else "L")
        pdf.ln(LINE)
    pdf.ln(3)


def _opinion(pdf, block: Opinion, wrap) -> None:
    label_w = 30
    width = WIDTH - label_w
    text_h = max(_wrapped_height(pdf, width, block.text, wrap), LINE * 2)
    height = text_h + LINE * 2
    if pdf.will_page_break(height):
        pdf.add_page()
    y = pdf.get_y()
    pdf.set_fill_color(242, 244, 247)
    pdf.set_xy(MARGIN, y)
    pdf.multi_cell(label_w, height, block.label, border=1, fill=True, align="C", wrapmode=wrap, max_line_height=LINE)
    pdf.rect(MARGIN + label_w, y, width, height)
    pdf.set_xy(MARGIN + label_w, y + 1)
    pdf.multi_cell(width, LINE, block.text, align="L", wrapmode=wrap)
    pdf.set_xy(MARGIN + label_w, y + height - LINE - 1)
    signer = f"签字：{block.signer or '            '}"
    stamp = "（盖章）" if block.seal else ""
    pdf.cell(width - 4, LINE, f"{signer}    {stamp}    {chinese_date(block.dated)}", align="R")
    pdf.set_xy(MARGIN, y + height)


def _signatures(pdf, places: list[str], seal: str | None, date_text: str, issuer: str) -> None:
    needed = LINE * 4 + (36 if seal else 0)
    if pdf.will_page_break(needed):
        pdf.add_page()
    pdf.ln(4)
    if places:
        width = WIDTH / len(places)
        y = pdf.get_y()
        for index, place in enumerate(places):
            pdf.set_xy(MARGIN + index * width, y)
            pdf.cell(width, LINE, f"{place}：", align="L")
            pdf.line(MARGIN + index * width + 2, y + LINE * 2.2, MARGIN + (index + 1) * width - 6, y + LINE * 2.2)
            pdf.set_xy(MARGIN + index * width, y + LINE * 2.4)
            pdf.cell(width, LINE, "    年    月    日", align="L")
        pdf.set_xy(MARGIN, y + LINE * 3.6)
    if seal:
        y = pdf.get_y() + 2
        x = PAGE_WIDTH - MARGIN - 62
        pdf.set_draw_color(190, 60, 60)
        pdf.set_dash_pattern(dash=1.2, gap=1.2)
        pdf.ellipse(x + 14, y, 34, 34)
        pdf.set_dash_pattern()
        pdf.set_draw_color(0, 0, 0)
        pdf.set_text_color(150, 150, 150)
        pdf.set_xy(x, y + 14)
        pdf.cell(62, LINE, seal, align="C")
        pdf.set_text_color(0, 0, 0)
        pdf.set_xy(x - 20, y + 36)
        pdf.cell(82, LINE, issuer, align="C")
        pdf.set_xy(x - 20, y + 36 + LINE)
        pdf.cell(82, LINE, date_text, align="C")
        pdf.set_xy(MARGIN, y + 36 + LINE * 2)


def render_pdf(document: Document) -> bytes:
    """The document as an A4 PDF (bytes)."""
    pdf, wrap = _pdf()
    pdf.set_title(document.title)
    pdf.set_author(document.issuer)
    pdf.add_page()
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(WIDTH / 2, 6, document.issuer, align="L")
    pdf.cell(WIDTH / 2, 6, document.number, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    pdf.set_font(FONT, size=19)
    pdf.cell(WIDTH, 11, document.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    pdf.set_font(FONT, size=11)
    if document.recipient:
        pdf.cell(WIDTH, LINE, f"{document.recipient}：", new_x="LMARGIN", new_y="NEXT")
    for block in document.blocks:
        if isinstance(block, Fields):
            _fields(pdf, block, wrap)
        elif isinstance(block, Table):
            _table(pdf, block, wrap)
        elif isinstance(block, Opinion):
            _opinion(pdf, block, wrap)
        elif isinstance(block, Heading):
            pdf.set_font(FONT, size=13)
            pdf.cell(WIDTH, LINE + 2, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, size=11)
        elif isinstance(block, Paragraph):
            pdf.multi_cell(WIDTH, LINE, "　　" + block.text, align="J", wrapmode=wrap, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        else:  # pragma: no cover - a template's mistake
            raise TypeError(f"Unknown block {block!r}")
    _signatures(pdf, document.signatures, document.seal, document.date_text, document.issuer)
    if document.footnote:
        pdf.ln(2)
        pdf.set_font(FONT, size=9)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(WIDTH, 5, document.footnote, wrapmode=wrap)
    return bytes(pdf.output())


# --- HTML (the A4 print view) ---------------------------------------------------------------


def kind_of(block) -> str:
    return type(block).__name__.lower()


def render_html(request, document: Document, *, pdf_url: str = "", back_url: str = ""):
    from django.shortcuts import render

    blocks = [(kind_of(b), b) for b in document.blocks]
    return render(
        request,
        "documents/print.html",
        {"document": document, "blocks": blocks, "pdf_url": pdf_url, "back_url": back_url},
    )
