"""Writes the data files that imitate real exports of one published table.

Run from this folder: `python3 make_fixtures.py` (needs `openpyxl` and `odfpy` from PyPI).
Every file holds the same five provinces as `published-2017.json`, written the way a
spreadsheet on a Vietnamese machine or a statistics office writes them; the tests check
that each one gives the same report as the clean JSON.
"""

import unicodedata

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
import openpyxl

ROWS = [
    ("Thừa Thiên Huế", "0.727", 1, "Dẫn đầu"),
    ("Đà Nẵng", "0.716", 2, "-"),
    ("Lâm Đồng", "0.714", 3, "NA"),
    ("Quảng Ninh", "0.703", 4, ""),
    ("Hồ Chí Minh", "0.688", 5, "N/A"),
]
HEADER = ("tinh", "chi_so", "xep_hang", "ghi_chu")
TITLE = "Bảng 1. Chỉ số sẵn sàng cho phát triển và ứng dụng CNTT-TT năm 2017"


def comma(x):
    return x.replace(".", ",")


def lines(sep, decimal_comma=True, title=False):
    out = []
    if title:
        out.append(TITLE + sep * (len(HEADER) - 1))
    out.append(sep.join(HEADER))
    for name, index, rank, note in ROWS:
        value = comma(index) if decimal_comma else index
        out.append(sep.join([name, value, str(rank), note]))
    return "\r\n".join(out) + "\r\n"


# Excel "CSV UTF-8" on a machine whose list separator is `;` and decimal symbol `,`.
with open("published-2017-semicolon-bom.csv", "wb") as f:
    f.write(lines(";", title=True).encode("utf-8-sig"))

# Excel "Unicode Text": UTF-16 little-endian with a byte-order mark, tab-separated.
with open("published-2017-unicode.txt", "wb") as f:
    f.write(lines("\t").encode("utf-16"))


def cp1258(text):
    """Windows-1258 has few precomposed Vietnamese letters: a tone mark follows its
    base letter as a combining character, as legacy Vietnamese software writes it."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", parts[:-1])
        out += base.encode("cp1258") + parts[-1].encode("cp1258")
    return bytes(out)


# A legacy export in the Vietnamese Windows code page, comma-separated, dot decimals.
with open("published-2017-cp1258.csv", "wb") as f:
    f.write(cp1258(lines(",", decimal_comma=False)))

# An .xlsx as a province publishes it: a title row and a blank row above the header, the
# index typed as text with a decimal comma, ranks as numbers.
book = openpyxl.Workbook()
sheet = book.active
sheet.title = "Xếp hạng"
sheet.append([TITLE])
sheet.append([])
sheet.append(list(HEADER))
for name, index, rank, note in ROWS:
    sheet.append([name, comma(index), rank, note or None])
notes = book.create_sheet("Ghi chú")
notes.append(["Nguồn: Bộ Thông tin và Truyền thông"])
book.save("published-2017.xlsx")

# An .ods with numeric cells: the index stored as binary floats.
doc = OpenDocumentSpreadsheet()
table = Table(name="Sheet1")


def cell(value):
    if isinstance(value, (int, float)):
        c = TableCell(valuetype="float", value=value)
    else:
        c = TableCell(valuetype="string")
    if value != "":
        c.addElement(P(text=str(value)))
    return c


row = TableRow()
for h in HEADER:
    row.addElement(cell(h))
table.addElement(row)
for name, index, rank, note in ROWS:
    row = TableRow()
    for v in (name, float(index), rank, note):
        row.addElement(cell(v))
    table.addElement(row)
doc.spreadsheet.addElement(table)
doc.save("published-2017.ods")
