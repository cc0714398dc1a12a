"""Builds the default letter templates of templates_docx/ with python-docx, per GB/T 9704."""

# Run it (`make templates`: python -m templates_docx.build_templates in the checkout) after
# changing a text here or a period in handbook/periods.yaml; the .docx files it writes are
# committed so that an office can open them in Word or WPS, see the layout and copy one to change
# its wording.
# The output is byte-for-byte reproducible, so a rebuild that changes nothing shows no diff.
#
# Layout, GB/T 9704-2012 (domain.md §6): A4; margins top 37 mm, bottom 35 mm, left 28 mm, right
# 26 mm, which leaves the 156 × 225 mm text block; body 3号 (16 pt) 仿宋_GB2312 on a grid of 22
# lines of 28 characters; title 2号 (22 pt) 方正小标宋简体; headings 黑体 and 楷体_GB2312; page
# numbers 4号 宋体 "— 1 —", odd pages right and even pages left, one character in from the edge.
#
# The placeholders are Jinja tags read by docxtpl; cases/documents/letter_context.py builds the
# values.

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from cases.rules.handbook import cited, load_handbook

HERE = Path(__file__).resolve().parent

FANGSONG = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"

BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NO_PT = 14  # 4号
TABLE_PT = 14
# 225 mm / 22 lines = 28.98 pt; 28.95 pt (579 twips) keeps the 22nd line inside the block.
LINE_TWIPS = 579
# 156 mm / 28 characters = 15.79 pt per character, a little less than the 16 pt font. A
# character grid (docGrid linesAndChars) would say so, but LibreOffice then gives every glyph
# two cells; condensing the characters by 0.25 pt (in twentieths of a point) fits 28 a line in
# Word, WPS and LibreOffice alike, with the line grid alone keeping 22 lines a page.
CONDENSE_TWENTIETHS = -5
CHAR_MM = 156 / 28
# The two title lines sit 32 pt apart (not 35): a reply that fits on one page must keep the
# grid's lines for the body; 22 pt characters still have 10 pt between lines.
TITLE_LINE_TWIPS = 640
# The issuing body is centred over the date; the date ends 4 characters from the right margin
# and is about 6.5 characters wide (2025年3月3日), so both are centred 7.25 characters in.
SIGNATURE_CENTRE_MM = 156 - 7.25 * CHAR_MM
FIXED_TIME = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

KEEP_STYLES = {
    "Normal",
    "DefaultParagraphFont",
    "TableNormal",
    "NoList",
    "TableGrid",
    "Header",
    "Footer",
    "Heading1",
    "Heading2",
}


# --------------------------------------------------------------------------- low-level XML


# Word refuses a file whose property elements are out of the schema's order (ECMA-376 CT_PPr,
# CT_RPr), so new children are inserted in place, not appended.
ORDER = {
    "w:pPr": [
        "w:pStyle",
        "w:keepNext",
        "w:keepLines",
        "w:pageBreakBefore",
        "w:framePr",
        "w:widowControl",
        "w:numPr",
        "w:suppressLineNumbers",
        "w:pBdr",
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    ],
    "w:rPr": [
        "w:rStyle",
        "w:rFonts",
        "w:b",
        "w:bCs",
        "w:i",
        "w:iCs",
        "w:caps",
        "w:smallCaps",
        "w:strike",
        "w:dstrike",
        "w:outline",
        "w:shadow",
        "w:emboss",
        "w:imprint",
        "w:noProof",
        "w:snapToGrid",
        "w:vanish",
        "w:webHidden",
        "w:color",
        "w:spacing",
        "w:w",
        "w:kern",
        "w:position",
        "w:sz",
        "w:szCs",
        "w:highlight",
        "w:u",
        "w:effect",
        "w:bdr",
        "w:shd",
        "w:fitText",
        "w:vertAlign",
        "w:rtl",
        "w:cs",
        "w:em",
        "w:lang",
        "w:eastAsianLayout",
        "w:specVanish",
        "w:oMath",
    ],
}


def _child(parent: Any, tag: str) -> Any:
    """The child `tag` of an oxml element, created in its schema position when missing."""
    element = parent.find(qn(tag))
    if element is not None:
        return element
    element = OxmlElement(tag)
    parent_tag = parent.tag.replace(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}", "w:"
    )
    order = ORDER.get(parent_tag)
    if order is None or tag not in order:
        parent.append(element)
        return element
    later = {qn(t) for t in order[order.index(tag) + 1 :]}
    for index, existing in enumerate(parent):
        if existing.tag in later:
            parent.insert(index, element)
            return element
    parent.append(element)
    return element


def _set_fonts(rpr: Any, east_asia: str, latin: str = LATIN) -> None:
    """Declare the fonts explicitly; theme fonts would override them, so they are removed."""
    fonts = _child(rpr, "w:rFonts")
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _style_rpr(style: Any) -> Any:
    return style.element.get_or_add_rPr()


def _indent_chars(paragraph_format: Any, *, first: int = 0, right: int = 0) -> None:
    """Indents in characters (hundredths), which follow the grid, with a twips fallback."""
    ppr = paragraph_format.element.get_or_add_pPr()
    ind = _child(ppr, "w:ind")
    twips_per_char = round(CHAR_MM / 25.4 * 1440)
    ind.set(qn("w:firstLineChars"), str(first * 100))
    ind.set(qn("w:firstLine"), str(first * twips_per_char))
    ind.set(qn("w:rightChars"), str(right * 100))
    ind.set(qn("w:right"), str(right * twips_per_char))
    ind.set(qn("w:leftChars"), "0")
    ind.set(qn("w:left"), "0")


def _spacing(paragraph_format: Any, line_twips: int, *, snap: bool = True) -> None:
    ppr = paragraph_format.element.get_or_add_pPr()
    if not snap:
        _child(ppr, "w:snapToGrid").set(qn("w:val"), "0")
    spacing = _child(ppr, "w:spacing")
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(line_twips))
    spacing.set(qn("w:lineRule"), "exact")


# --------------------------------------------------------------------------- document set-up


def _page(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # The page number sits 7 mm below the text block: its 14 pt line ends about 23 mm up.
    section.footer_distance = Mm(23)
    grid = _child(section._sectPr, "w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))


def _doc_defaults(doc: DocumentObject) -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, FANGSONG)
    for tag in ("w:sz", "w:szCs"):
        _child(rpr, tag).set(qn("w:val"), str(BODY_PT * 2))
    _child(rpr, "w:spacing").set(qn("w:val"), str(CONDENSE_TWENTIETHS))
    lang = _child(rpr, "w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = _child(ppr, "w:spacing")
    for attr, value in (("w:after", "0"), ("w:line", str(LINE_TWIPS)), ("w:lineRule", "exact")):
        spacing.set(qn(attr), value)
    for style in list(styles.findall(qn("w:style"))):
        if style.get(qn("w:styleId")) not in KEEP_STYLES:
            styles.remove(style)
    settings = doc.settings.element
    lang_setting = settings.find(qn("w:themeFontLang"))
    if lang_setting is not None:
        lang_setting.set(qn("w:eastAsia"), "zh-CN")
    rsids = settings.find(qn("w:rsids"))
    if rsids is not None:
        settings.remove(rsids)
    doc.settings.odd_and_even_pages_header_footer = True
    # A line ended by a line break (a user's new line inside a field) is not spread out to
    # the margin by justification; Word and LibreOffice both read this setting.
    compat = settings.find(qn("w:compat"))
    if compat is not None and compat.find(qn("w:doNotExpandShiftReturn")) is None:
        compat.insert(0, OxmlElement("w:doNotExpandShiftReturn"))


def _paragraph_style(
    doc: DocumentObject,
    style_id: str,
    name: str,
    *,
    font: str = FANGSONG,
    size: int = BODY_PT,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    first_chars: int = 0,
    right_chars: int = 0,
    line_twips: int = LINE_TWIPS,
    snap: bool = True,
    outline: int | None = None,
) -> None:
    styles = doc.styles
    existing = [s for s in styles if s.style_id == style_id]
    if existing:
        style = existing[0]  # a built-in style keeps its name, so Word still recognises it
    else:
        style = styles.add_style(style_id, WD_STYLE_TYPE.PARAGRAPH)
        style.name = name
    if style_id != "Normal":
        style.base_style = styles["Normal"]
    style.font.size = Pt(size)
    style.font.bold = False
    style.font.color.rgb = None
    _set_fonts(_style_rpr(style), font)
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.keep_with_next = None
    _indent_chars(fmt, first=first_chars, right=right_chars)
    _spacing(fmt, line_twips, snap=snap)
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:contextualSpacing"):
        element = ppr.find(qn(tag))
        if element is not None:
            ppr.remove(element)
    outline_element = ppr.find(qn("w:outlineLvl"))
    if outline is None and outline_element is not None:
        ppr.remove(outline_element)
    elif outline is not None:
        _child(ppr, "w:outlineLvl").set(qn("w:val"), str(outline))
    style.quick_style = True


def _styles(doc: DocumentObject) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph_style(doc, "Normal", "正文", first_chars=2)
    _paragraph_style(
        doc,
        "DocTitle",
        "公文标题",
        font=TITLE_FONT,
        size=TITLE_PT,
        align=center,
        line_twips=TITLE_LINE_TWIPS,
        snap=False,
    )
    _paragraph_style(doc, "DocNumber", "发文字号", align=center)
    _paragraph_style(doc, "Addressee", "主送机关", align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(doc, "Heading1", "heading 1", font=HEITI, first_chars=2, outline=0)
    _paragraph_style(doc, "Heading2", "heading 2", font=KAITI, first_chars=2, outline=1)
    _paragraph_style(doc, "Signature", "发文机关署名", align=WD_ALIGN_PARAGRAPH.LEFT)
    style_by_id(doc, "Signature").paragraph_format.tab_stops.add_tab_stop(
        Mm(SIGNATURE_CENTRE_MM), WD_TAB_ALIGNMENT.CENTER
    )
    _paragraph_style(doc, "SignDate", "成文日期", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    _paragraph_style(
        doc,
        "TableText",
        "表格文字",
        size=TABLE_PT,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        line_twips=26 * 20,
        snap=False,
    )
    _paragraph_style(
        doc,
        "Footer",
        "footer",
        font=SONGTI,
        size=PAGE_NO_PT,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        line_twips=PAGE_NO_PT * 20,
        snap=False,
    )
    _paragraph_style(doc, "Header", "header", align=center, snap=False)
    level1 = doc.styles.add_style("Level1Char", WD_STYLE_TYPE.CHARACTER)
    level1.name = "一级标题文字"
    level1.font.size = Pt(BODY_PT)
    for style in doc.styles:
        if style.type in (WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            # python-docx hands out a new proxy per iteration: compare ids, not objects.
            heading = style.style_id == level1.style_id
            _set_fonts(_style_rpr(style), HEITI if heading else FANGSONG)


def style_by_id(doc: DocumentObject, style_id: str) -> Any:
    return next(s for s in doc.styles if s.style_id == style_id)


def _page_number(paragraph: Paragraph) -> None:
    """— 1 —: a PAGE field between two 一字线, in half-width 宋体 digits."""
    paragraph.add_run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None)):
        run = paragraph.add_run()
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    paragraph.add_run("1")
    end = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)
    paragraph.add_run(" —")


def _footers(doc: DocumentObject) -> None:
    section = doc.sections[0]
    odd = section.footer.paragraphs[0]
    odd.style = style_by_id(doc, "Footer")
    _indent_chars(odd.paragraph_format, right=1)
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.style = style_by_id(doc, "Footer")
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    ind = _child(even.paragraph_format.element.get_or_add_pPr(), "w:ind")
    ind.set(qn("w:left"), str(PAGE_NO_PT * 20))
    _page_number(even)
    section.header.is_linked_to_previous = False
    section.even_page_header.is_linked_to_previous = False


UNUSED_PARTS = ("stylesWithEffects", "thumbnail", "customXml")


def _drop_unused_parts(doc: DocumentObject) -> None:
    """python-docx's starter file carries a Word 2010 style copy, a preview image of an empty
    page and a custom XML item; none belongs in a letter template."""
    for rels in (doc.part.rels, doc.part.package.rels):
        for rel_id, rel in list(rels.items()):
            if any(name in rel.reltype for name in UNUSED_PARTS):
                del rels[rel_id]


# The font table tells Word and WPS which font to use when a named one is missing: the
# GB2312 fonts are not installed on a stock Windows 10, whose 仿宋 and 楷体 are the same faces.
FONT_TABLE = (
    (LATIN, None, "00", "roman", "variable"),
    (FANGSONG, "仿宋", "86", "modern", "fixed"),
    (TITLE_FONT, "宋体", "86", "script", "fixed"),
    (HEITI, None, "86", "modern", "fixed"),
    (KAITI, "楷体", "86", "modern", "fixed"),
    (SONGTI, None, "86", "auto", "variable"),
)


def _font_table(doc: DocumentObject) -> None:
    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    fonts = []
    for name, alt, charset, family, pitch in FONT_TABLE:
        alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
        fonts.append(
            f'<w:font w:name="{name}">{alt_xml}<w:charset w:val="{charset}"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
        )
    xml = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<w:fonts xmlns:w="{w}">{"".join(fonts)}</w:fonts>'
    )
    part._blob = xml.encode("utf-8")


def new_document(label: str) -> DocumentObject:
    doc = Document()
    _doc_defaults(doc)
    _page(doc)
    _styles(doc)
    _footers(doc)
    _drop_unused_parts(doc)
    _font_table(doc)
    body = doc.element.body
    for paragraph in list(body.findall(qn("w:p"))):
        body.remove(paragraph)
    props = doc.core_properties
    props.title = label
    props.subject = "政府信息公开"
    props.author = ""
    props.last_modified_by = ""
    # docxtpl renders these properties as templates too: no braces here.
    props.comments = "依申请公开办理台默认模板；双花括号内为填写位置"
    props.keywords = ""
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    return doc


# --------------------------------------------------------------------------- building blocks


CLOSINGS = ("特此", "请予", "{{ outcome.closing }}")


class Letter:
    """A small writer for one template: each method adds paragraphs in the house layout."""

    def __init__(self, label: str) -> None:
        self.doc = new_document(label)

    def p(self, text: str = "", style: str = "Normal") -> Paragraph:
        return self.doc.add_paragraph(text, style=style_by_id(self.doc, style))

    def tag(self, text: str) -> None:
        """A paragraph holding only a docxtpl {%p %} tag; docxtpl removes the paragraph."""
        self.p(text)

    def title(self, *lines: str) -> None:
        for line in lines:
            self.p(line, "DocTitle")

    def number(self) -> None:
        """The number right under the title; without a number, the blank line of 7.3.2."""
        # The number line stands where GB/T 9704 puts the blank line between title and
        # addressee: a letter that fits on one page keeps that line for its text.
        self.tag("{%p if letter.number %}")
        self.p("{{ letter.number }}", "DocNumber")
        self.tag("{%p else %}")
        self.p()
        self.tag("{%p endif %}")

    def to(self, name: str = "{{ addressee.name }}") -> None:
        self.p(f"{name}：", "Addressee")

    def headed(self, heading: str, text: str) -> None:
        """A paragraph opening with a run-in heading such as 一、… in 黑体 (GB/T 9704 7.3.3)."""
        paragraph = self.p()
        paragraph.add_run(heading, style=style_by_id(self.doc, "Level1Char"))
        paragraph.add_run(text)

    def body(self, *texts: str) -> None:
        previous: Paragraph | None = None
        for text in texts:
            paragraph = self.p(text)
            if text.startswith(CLOSINGS):
                # The closing line goes with the signature, and the paragraph before it goes
                # with the closing: a second page never holds only 特此答复 and the signature.
                paragraph.paragraph_format.keep_with_next = True
                if previous is not None:
                    previous.paragraph_format.keep_with_next = True
            previous = paragraph

    def each(self, items: str, text: str) -> None:
        """One paragraph per item of a list (user lines stay separate paragraphs)."""
        self.tag(f"{{%p for item in {items} %}}")
        self.p(text)
        self.tag("{%p endfor %}")

    def when(self, condition: str, *texts: str) -> None:
        self.tag(f"{{%p if {condition} %}}")
        self.body(*texts)
        self.tag("{%p endif %}")

    def attachments(self) -> None:
        self.tag("{%p if attachments %}")
        self.p().paragraph_format.keep_with_next = True
        self.tag("{%p for item in attachments %}")
        self.p(
            "{% if loop.first %}附件：{% else %}　　　{% endif %}"
            "{% if attachments|length > 1 %}{{ loop.index }}.{% endif %}{{ item }}"
        ).paragraph_format.keep_with_next = True
        self.tag("{%p endfor %}")
        self.tag("{%p endif %}")

    def sign(self, *, contact: bool = True) -> None:
        """Issuing body centred over the date, the date 4 characters from the right (7.3.5.1);
        the office's contact details below as the 附注 (7.3.6)."""
        # GB/T 9704 7.3.5.1: one blank line below the text, the seal pressing on name and date;
        # body, name, date and the 附注 stay on one page, so none of them stands alone.
        for paragraph in (self.p(), self.p("\t{{ office.name }}", "Signature")):
            paragraph.paragraph_format.keep_with_next = True
        date = self.p("{{ letter.date }}", "SignDate")
        if not contact:
            return
        date.paragraph_format.keep_with_next = True
        self.tag("{%p if office.contact_line %}")
        self.p("（{{ office.contact_line }}）")
        self.tag("{%p endif %}")

    def table(self, rows: Iterable[tuple[str, str]], tall: Iterable[str] = ()) -> Table:
        tall_labels = set(tall)
        rows = list(rows)
        table = self.doc.add_table(rows=len(rows), cols=2)
        table.style = style_by_id(self.doc, "TableGrid")
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = (Mm(36), Mm(120))
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width  # the grid is what LibreOffice and WPS lay out by
        for row, (label, value) in zip(table.rows, rows, strict=True):
            if label in tall_labels:
                row.height = Mm(22)
            for cell, text, width in zip(row.cells, (label, value), widths, strict=True):
                cell.width = width
                paragraph = cell.paragraphs[0]
                paragraph.style = style_by_id(self.doc, "TableText")
                paragraph.add_run(text)
        return table

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return _reproducible(buffer.getvalue())


def _reproducible(data: bytes) -> bytes:
    """Same content, same bytes: fixed member times in the zip."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- the letters

RECEIVED = "本机关于{{ case.received }}收到您提出的政府信息公开申请（登记编号：{{ case.no }}）"
REQUEST = "您申请公开的政府信息为：“{{ case.description }}”。"
# To a third party: what is asked for, never who asked or where the applicant lives.
THIRD_PARTY_REQUEST = (
    "本机关于{{ case.received }}收到政府信息公开申请（登记编号：{{ case.no }}），"
    "{% if consultation.information %}该申请涉及的政府信息为：“{{ consultation.information }}”。"
    "{% else %}申请公开的政府信息为：“{{ case.description }}”。{% endif %}"
)
# The day counts and the articles come from the handbook (handbook/periods.yaml, citations.yaml),
# where a change of law is made; rebuilding the templates writes the new figures into them.
_BOOK = load_handbook()
REPLY = _BOOK.days("reply")
EXTENSION = _BOOK.days("extension")
CONSULTATION = _BOOK.days("consultation")
FEE_PAYMENT = _BOOK.days("fee_payment")
REPLY_BASIS = cited(_BOOK.term("reply").basis, full=True)
FEE_BASIS = f"{_BOOK.cite_in_full('fee')}和{_BOOK.fee_schedule().basis_text}"


def receipt() -> Letter:
    w = Letter("政府信息公开申请登记回执")
    w.title("{{ office.name }}", "政府信息公开申请登记回执")
    w.number()
    w.to()
    w.body(
        "本机关于{{ case.received }}收到您提出的政府信息公开申请（提交方式：{{ case.channel }}），"
        "已予登记，登记编号为{{ case.no }}。",
        REQUEST,
        f"根据{REPLY_BASIS}的规定，本机关将自收到申请之日起{REPLY}个工作日内予以答复"
        "{% if case.due %}，即在{{ case.due }}之前（含当日）答复"
        "{% if case.due_provisional %}（该日期所在年份的节假日安排尚未公布，届时以公布的安排为准）"
        "{% endif %}{% endif %}。"
        f"需要延长答复期限的，本机关将另行告知，延长的期限最长不超过{EXTENSION}个工作日。"
        "征求第三方和其他机关意见所需的时间不计算在答复期限内。",
        "您的联系方式如有变化，请及时告知本机关，以免影响答复的送达。",
        "特此告知。",
    )
    w.sign()
    return w


def correction() -> Letter:
    w = Letter("政府信息公开申请补正告知书")
    w.title("{{ office.name }}", "政府信息公开申请补正告知书")
    w.number()
    w.to()
    w.body(
        RECEIVED + "。" + REQUEST,
        "经审查，您的申请需要补正后本机关方能处理。"
        f"根据{_BOOK.cite_in_full('correction')}的规定，请您对申请作出如下补正：",
    )
    w.each("correction.points", "{{ loop.index }}.{{ item }}")
    w.body(
        "请您于{{ correction.until }}前将补正后的申请或者补充材料提交本机关。"
        "答复期限自本机关收到补正后的申请之日起计算。"
        "您无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        "特此告知。",
    )
    w.sign()
    return w


def extension() -> Letter:
    w = Letter("政府信息公开申请延期答复告知书")
    w.title("{{ office.name }}", "政府信息公开申请延期答复告知书")
    w.number()
    w.to()
    w.body(
        RECEIVED + "。" + REQUEST,
        "{% if extension.reason %}因{{ extension.reason }}，{% endif %}"
        f"本机关不能在收到申请之日起{REPLY}个工作日内作出答复。"
        f"根据{_BOOK.cite_in_full('extension')}的规定，经本机关{{{{ office.signer_title }}}}同意，"
        f"答复期限延长{EXTENSION}个工作日，"
        "本机关将于{{ extension.due }}前作出答复。",
        "特此告知。",
    )
    w.sign()
    return w


def consultation() -> Letter:
    w = Letter("政府信息公开征求第三方意见书")
    w.title("{{ office.name }}", "政府信息公开征求第三方意见书")
    w.number()
    w.to()
    w.body(
        THIRD_PARTY_REQUEST,
        "经审查，该申请所涉及的政府信息公开后可能损害你方的合法权益。"
        f"根据{_BOOK.cite_in_full('consultation_third_party')}的规定，本机关现书面征求你方意见。"
        f"请你方自收到本意见书之日起{CONSULTATION}个工作日内，以书面形式提出是否同意公开的意见；"
        "不同意公开的，请说明理由。",
        "你方逾期未提出意见的，由本机关依照上述条例的规定决定是否公开。"
        "你方不同意公开且有合理理由的，本机关不予公开；"
        "本机关认为不公开可能对公共利益造成重大影响的，可以决定予以公开，"
        "并将决定公开的政府信息内容和理由书面告知你方。",
        "特此征求意见。",
    )
    w.sign()
    return w


def agency_consultation() -> Letter:
    w = Letter("政府信息公开征求意见函")
    w.title("{{ office.name }}", "政府信息公开征求意见函")
    w.number()
    w.to()
    w.body(
        THIRD_PARTY_REQUEST,
        "经审查，该政府信息由本机关与贵机关共同制作。"
        f"根据{_BOOK.cite_in_full('agency_consultation')}的规定，本机关现征求贵机关意见。"
        f"请贵机关自收到本函之日起{CONSULTATION}个工作日内提出是否同意公开的意见；"
        "逾期未提出意见的，视为同意公开。",
        "请予研究并函复。",
    )
    w.sign()
    return w


def third_party_notice() -> Letter:
    w = Letter("决定公开政府信息告知书")
    w.title("{{ office.name }}", "决定公开政府信息告知书")
    w.number()
    w.to()
    w.body(
        "本机关于{{ consultation.sent }}就一件政府信息公开申请（登记编号：{{ case.no }}）所涉及的"
        "政府信息书面征求你方意见"
        "{% if consultation.replied %}，你方于{{ consultation.replied }}提出了不同意公开的意见"
        "{% endif %}。"
        "经审查，本机关认为不公开该政府信息可能对公共利益造成重大影响。"
        f"根据{_BOOK.cite_in_full('consultation_third_party')}的规定，本机关决定予以公开，现将决定公开的政府信息内容和理由告知如下：",
    )
    w.headed("一、决定公开的政府信息：", "{{ consultation.information }}。")
    w.headed("二、决定公开的理由：", "{{ consultation.disclosure_reason }}")
    w.headed(
        "三、公开日期：",
        "本机关将于{{ letter.disclose_on }}"
        f"（本告知书发出之日起{CONSULTATION}个工作日后）予以公开。",
    )
    w.body("{{ remedy }}", "特此告知。")
    w.sign()
    return w


def reasons() -> Letter:
    w = Letter("说明理由通知书")
    w.title(
        "{{ office.name }}",
        "{% if delay.due %}政府信息公开申请延迟答复告知书{% else %}说明理由通知书{% endif %}",
    )
    w.number()
    w.to()
    w.body(RECEIVED + "。" + REQUEST)
    w.tag("{%p if delay.due %}")
    w.body(
        "经审查，您申请公开政府信息的数量、频次明显超过合理范围。本机关于"
        "{{ reasons_request.requested }}书面要求您说明申请理由，您已按要求作了说明。"
        f"本机关认为理由合理，但无法在收到申请之日起{REPLY}个工作日内答复。"
        f"根据{_BOOK.cite_in_full('delay')}的规定，本机关确定延迟答复的期限，"
        "将于{{ delay.due }}前作出答复。",
    )
    w.when("delay.reason", "延迟答复的理由：{{ delay.reason }}")
    w.body("特此告知。")
    w.tag("{%p else %}")
    w.body(
        "经审查，您申请公开政府信息的数量、频次明显超过合理范围。"
        f"根据{_BOOK.cite_in_full('excessive')}的规定，"
        "请您在{{ letter.answer_by }}之前（含当日）以书面形式向本机关说明申请的理由。",
        "本机关认为申请理由不合理的，将告知您不予处理；"
        "认为申请理由合理、但无法在规定期限内答复的，将确定延迟答复的合理期限并告知您。"
        "您逾期未说明理由的，本机关将依照上述规定告知您不予处理。",
        "特此通知。",
    )
    w.tag("{%p endif %}")
    w.sign()
    return w


def fee() -> Letter:
    w = Letter("政府信息公开信息处理费收费通知书")
    w.title("{{ office.name }}", "信息处理费收费通知书")
    w.number()
    w.to()
    w.body(
        RECEIVED + "。" + REQUEST,
        "经审查，您申请公开政府信息的数量、频次明显超过合理范围。"
        f"根据{FEE_BASIS}的规定，"
        "本机关决定向您收取信息处理费，计收方式为{{ fee.method_label }}。",
    )
    w.when("fee.explanation", "{{ fee.explanation }}")
    w.body(
        "您应缴纳的信息处理费为人民币{{ fee.amount }}元。"
        f"请您自收到本通知之日起{FEE_PAYMENT}个工作日内缴纳。"
        "缴费方式：{{ office.fee_payment }}。",
        "您逾期未缴纳信息处理费的，视为放弃申请，本机关不再处理该政府信息公开申请。"
        "自本机关发出本通知至收到费用的期间，不计算在答复期限内。",
        "特此通知。",
    )
    w.sign()
    return w


def reply() -> Letter:
    w = Letter("政府信息公开申请答复书（告知书）")
    w.title("{{ office.name }}", "政府信息公开申请{{ outcome.title_kind }}")
    w.number()
    w.to()
    w.body(
        RECEIVED + "{% if case.corrected_on %}，并于{{ case.corrected_on }}收到您补正后的申请"
        "{% endif %}。" + REQUEST
    )
    w.when(
        "case.extended",
        "因需要延长答复期限，本机关已于{{ extension.on }}告知您延期答复。",
    )
    # 条例 35: the reply refers to the request for reasons and its date.
    w.when(
        "reasons_request.requested",
        "本机关于{{ reasons_request.requested }}书面要求您在{{ reasons_request.answer_by }}"
        "之前（含当日）说明申请理由。",
    )
    w.tag("{%p for item in outcome.reasons %}")
    w.p("{{ item }}")
    w.tag("{%p endfor %}")
    # 写入文书的说明: the handler's sentence for the applicant; the internal note never prints.
    w.each("outcome.statement", "{{ item }}")
    # 条例 36(5): the body that holds the information, and its contact, where known.
    w.when(
        "outcome.holder",
        "负责公开该政府信息的行政机关为{{ outcome.holder }}"
        "{% if outcome.holder_contact %}（联系方式：{{ outcome.holder_contact }}）{% endif %}。",
    )
    w.body("{{ outcome.citation }}", "{{ remedy }}", "{{ outcome.closing }}。")
    w.attachments()
    w.sign()
    return w


def service() -> Letter:
    w = Letter("送达回证")
    w.title("{{ office.name }}", "送达回证")
    w.number()
    w.table(
        [
            ("送达文书", "{{ service.document }}"),
            ("文号", "{{ service.number }}"),
            (
                "申请事项",
                "登记编号{{ case.no }}，本机关于{{ case.received }}收到的政府信息公开申请",
            ),
            ("受送达人", "{{ service.recipient }}"),
            ("送达地址", "{{ service.address }}"),
            ("邮政编码", "{{ service.postcode }}"),
            ("送达方式", "{{ service.method }}"),
            ("邮件单号", "{{ service.tracking_no }}"),
            ("送达日期", "{{ service.served_on }}"),
            ("受送达人签收", "\n签名：　　　　　　　　　　年　　月　　日"),
            ("送达人", "\n签名：　　　　　　　　　　年　　月　　日"),
            ("备注", "{{ service.proof }}"),
        ],
        tall=("受送达人签收", "送达人"),
    )
    # The 送达回证 comes back signed by the recipient: the office's contact details are not
    # needed on it, and leaving them out keeps it on one page.
    w.sign(contact=False)
    return w


TEMPLATES: dict[str, Callable[[], Letter]] = {
    "receipt": receipt,
    "correction": correction,
    "extension": extension,
    "consultation": consultation,
    "agency_consultation": agency_consultation,
    "third_party_notice": third_party_notice,
    "reasons": reasons,
    "fee": fee,
    "reply": reply,
    "service": service,
}


def build(kind: str) -> bytes:
    """The default template of one kind, as the bytes of a .docx file."""
    return TEMPLATES[kind]().save()


def main(folder: Path = HERE) -> list[Path]:
    written = []
    for kind in TEMPLATES:
        path = folder / f"{kind}.docx"
        path.write_bytes(build(kind))
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written_path)
