"""Removing customers' personal data from text before it leaves the shop as training data.

Each kind of data becomes a placeholder ([EMAIL], [ORDER], [ADDRESS], [PHONE]) so a model trained
on the result learns that such a thing goes there, not whose it was. Lookarounds use ASCII classes
rather than `\\b`: Chinese characters count as word characters, so `\\b` never fires in
"电话13812345678".
"""

from __future__ import annotations

import re

_CJK = r"\u4e00-\u9fff"

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# The shop's order numbers (YS20260214-0381) and their kin: 2–4 capitals, a date, a serial.
ORDER = re.compile(r"(?=[A-Z])(?<![A-Za-z0-9])[A-Z]{2,4}-?\d{8}-\d{3,6}(?![A-Za-z0-9])")

_EN_STREET_TYPES = (
    "Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Court|Ct|Place|Pl|"
    "Terrace|Crescent|Close|Square|Sq|Highway|Hwy|Parkway|Pkwy"
)
EN_ADDRESS = re.compile(
    r"(?<![A-Za-z0-9])\d{1,5}[A-Za-z]?\s+(?:[A-Z][A-Za-z'-]*\.?\s+){1,4}"
    rf"(?:{_EN_STREET_TYPES})\b\.?(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    r"(?:,?\s*(?:Apt|Apartment|Unit|Suite|Flat|Floor|Fl)\.?\s*#?\s*[A-Za-z0-9-]+)?"
)

# A road (路/街/大道/巷/胡同/弄) and its number (号), optionally preceded by province, city and
# district and followed by building, unit and room; or a housing estate with building numbers.
# Names never contain the words that usually come before an address ("请送到…", "寄往…"), so
# those stay outside the placeholder.
_NAME_CHAR = rf"(?:(?![到在至往于的是送寄址请我您你他她])[{_CJK}])"
_ADMIN = rf"(?:{_NAME_CHAR}{{2,6}}?(?:省|自治区|市|区|县|镇))"
_ROAD = rf"(?:{_NAME_CHAR}{{1,6}}?(?:大道|大街|路|街|巷|胡同|弄))"
_NUMBER = r"\s*\d+(?:-\d+)?\s*号"
_UNIT = r"(?:\s*\d+\s*(?:号楼|栋|幢|座|单元|楼|层|室|号))*(?:\s*\d{2,5}(?!\d))?"
_ESTATE = rf"(?:{_NAME_CHAR}{{2,8}}?(?:小区|花园|公寓|大厦|新村|家园))"
ZH_ADDRESS = re.compile(
    rf"(?=[{_CJK}])(?:{_ADMIN}{{0,3}}{_ROAD}{_NUMBER}{_UNIT}(?:{_ESTATE}{_UNIT})?)"
    rf"|(?:{_ADMIN}{{0,3}}{_ESTATE}\s*\d+\s*(?:号楼|栋|幢|座){_UNIT})"
)

# Chinese mobiles (13812345678, +86 138-1234-5678), Chinese landlines (010-12345678) and other
# numbers written like phones (+1 (415) 555-0134, 020 7946 0958). Dates never match: every form
# needs 7+ digits with groups of 3 or more after the first, and 8 bare digits that read as a date
# (20260214) are left alone.
CN_MOBILE = re.compile(
    r"(?=[\d+])(?<![0-9A-Za-z])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?![0-9A-Za-z])"
)
PHONE = re.compile(
    r"(?=[\d+(])(?<![0-9A-Za-z])(?!(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?![0-9A-Za-z]))(?:(?:\+|00)\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?|\d{2,4}[\s.-])?"
    r"\d{3,4}[\s.-]?\d{4}(?![0-9A-Za-z])"
)

# The Chinese address pattern costs ten times the others; it cannot match without one of these
# characters, and testing for them with `in` is nearly free.
_ZH_ADDRESS_CHARS = "路街巷弄道同栋幢座"
_DIGIT = re.compile(r"\d")


def scrub(text: str) -> str:
    """`text` with emails, order numbers, street addresses and phone numbers as placeholders."""
    # Order matters: an email or order number contains digits a phone pattern would take.
    if "@" in text:
        text = EMAIL.sub("[EMAIL]", text)
    if not _DIGIT.search(text):
        return text  # every other kind has digits
    text = ORDER.sub("[ORDER]", text)
    if any(char in text for char in _ZH_ADDRESS_CHARS):
        text = ZH_ADDRESS.sub("[ADDRESS]", text)
    text = EN_ADDRESS.sub("[ADDRESS]", text)
    text = CN_MOBILE.sub("[PHONE]", text)
    return PHONE.sub("[PHONE]", text)
