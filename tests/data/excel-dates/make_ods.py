"""Writes `deadline.ods`: the rows of `deadline.xlsx` (see `tests/excel_dates.rs`) as
OpenDocument cells, the way LibreOffice stores them: a date cell is an ISO
`office:date-value` (calamine's `DateTimeIso`), not a serial number.

Run from this folder: `python3 make_ods.py` (the standard library only: an .ods file is a
zip of XML). The output is the same bytes on every run.
"""

import zipfile
from xml.sax.saxutils import escape

# (unit, OpenDocument value type, value, text shown) — as in `ROWS` of the test.
ROWS = [
    ("Sở Y tế", "date", "2020-03-15", "15/03/2020"),
    ("Sở Tư pháp", "date", "2020-04-02", "2020-04-02"),
    ("Sở Xây dựng", "date", "2020-03-31T00:00:00", "31/03/2020 00:00"),
    ("Sở Nội vụ", "string", None, "2020-03-15"),
    ("Sở Công Thương", "date", "2020-03-15T14:30:00", "15/03/2020 14:30"),
    ("Sở Tài chính", "float", "43905", "43905"),
    ("Sở Giao thông Vận tải", "string", None, "15/03/2020"),
    ("Sở Tài nguyên và Môi trường", "date", "1900-01-10", "1900-01-10"),
]

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'office:version="1.2"'
)


def cell(kind, value, shown):
    attrs = f'office:value-type="{kind}"'
    if kind == "date":
        attrs += f' office:date-value="{value}"'
    elif kind == "float":
        attrs += f' office:value="{value}"'
    return f"<table:table-cell {attrs}><text:p>{escape(shown)}</text:p></table:table-cell>"


def text_cell(shown):
    return cell("string", None, shown)


rows = [
    f"<table:table-row>{text_cell('Tình hình gửi báo cáo quý I/2020')}</table:table-row>",
    f"<table:table-row>{text_cell('unit')}{text_cell('report_date')}</table:table-row>",
]
for unit, kind, value, shown in ROWS:
    rows.append(f"<table:table-row>{text_cell(unit)}{cell(kind, value, shown)}</table:table-row>")

content = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f"<office:document-content {NS}><office:body><office:spreadsheet>"
    '<table:table table:name="Báo cáo quý I">'
    + "".join(rows)
    + "</table:table></office:spreadsheet></office:body></office:document-content>\n"
)
manifest = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>\n"
)


def entry(name, compress):
    # A fixed time stamp: the same bytes on every run.
    info = zipfile.ZipInfo(name, date_time=(2020, 4, 1, 8, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    return info


with zipfile.ZipFile("deadline.ods", "w") as z:
    # The mimetype comes first, uncompressed, as OpenDocument requires.
    z.writestr(entry("mimetype", False), "application/vnd.oasis.opendocument.spreadsheet")
    z.writestr(entry("META-INF/manifest.xml", True), manifest)
    z.writestr(entry("content.xml", True), content)
