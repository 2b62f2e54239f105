"""Numbers and identifiers: phone numbers, resident IDs (check digit), bank cards (Luhn), card tails.

Spoken digits (一三九零五七二八八一六, 幺, full-width digits) are read through a length-preserving
*digit view* of the text (:func:`digit_view`), so every numeric recognizer sees them and spans map
back one to one.
"""
from __future__ import annotations

import re

from qa_audit.report.redact.base import RegexRecognizer

_CN_DIGITS = {"零": "0", "〇": "0", "○": "0", "一": "1", "幺": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_FW = {chr(0xFF10 + i): str(i) for i in range(10)}


def digit_view(text: str) -> str:
    """Same length as ``text``; spoken and full-width digits become ASCII digits."""
    return "".join(_CN_DIGITS.get(ch) or _FW.get(ch) or ch for ch in text)


def _digits(s: str) -> str:
    return re.sub(r"[^0-9Xx]", "", s)


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of an 18-digit resident ID (GB 11643)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(d) * w for d, w in zip(first17, weights))
    return "10X98765432"[s % 11]


def valid_id18(num: str) -> bool:
    return (len(num) == 18 and num[:17].isdigit()
            and id_check_digit(num[:17]) == num[17].upper() and _valid_date(num[6:14]))


def _valid_date(yyyymmdd: str) -> bool:
    try:
        y, m, d = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    except ValueError:
        return False
    return 1900 <= y <= 2099 and 1 <= m <= 12 and 1 <= d <= 31


def luhn_ok(num: str) -> bool:
    if not num.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(num)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _validate_mobile(s: str) -> tuple[float, str]:
    d = _digits(s)
    if d.startswith("86") and len(d) == 13:
        d = d[2:]
    if len(d) == 11 and re.match(r"1[3-9]", d):
        return 0.85, f"11-digit mobile number with carrier prefix {d[:3]}"
    return 0.0, ""


def _validate_landline(s: str) -> tuple[float, str]:
    d = _digits(s)
    if 10 <= len(d) <= 12 and d[0] == "0" and d[1] != "0":
        return 0.7, f"landline: area code {d[:3] if d[1] in '12' else d[:4]} + local number"
    return 0.0, ""


def _validate_id(s: str) -> tuple[float, str]:
    d = _digits(s).upper()
    if len(d) == 18:
        if valid_id18(d):
            return 0.95, "18-digit resident ID: birth date valid and ISO 7064 MOD 11-2 check digit matches"
        if _valid_date(d[6:14]) and d[:17].isdigit():
            return 0.4, ("18 characters shaped like a resident ID (valid birth date) but the check digit "
                         f"is wrong (expected {id_check_digit(d[:17])}): possibly misheard")
        return 0.0, ""
    if len(d) == 15 and d.isdigit() and _valid_date("19" + d[6:12]):
        return 0.75, "15-digit old-format resident ID: area code + valid birth date 19" + d[6:12]
    return 0.0, ""


def _validate_bank(s: str) -> tuple[float, str]:
    d = _digits(s)
    if 16 <= len(d) <= 19 and d.isdigit() and luhn_ok(d):
        return 0.9, f"{len(d)}-digit card number passing the Luhn check"
    return 0.0, ""


_SEP = r"[ \-－—]?"
_D = r"\d"


def _run(n_min: int, n_max: int, last: str = _D) -> str:
    # n digits with optional single separators between them, not glued to other digits/letters
    return rf"(?<![0-9A-Za-z]){_D}(?:{_SEP}{_D}){{{n_min - 2},{n_max - 2}}}{_SEP}{last}(?![0-9A-Za-z])"


NUMBER_RECOGNIZERS = [
    RegexRecognizer("mobile_phone", "PHONE", r"(?<![0-9A-Za-z])(?:\+?86[ \-]?)?1[3-9]\d(?:[ \-－—]?\d){8}(?![0-9A-Za-z])",
                    0.85, _validate_mobile),
    RegexRecognizer("landline_phone", "PHONE", r"(?<![0-9A-Za-z])(?:\(0\d{2,3}\)|0\d{2,3})[ \-－—]?[2-9]\d{2,3}[ \-－—]?\d{4}(?![0-9A-Za-z]|[ \-]\d)",
                    0.7, _validate_landline),
    RegexRecognizer("resident_id", "ID_CARD", _run(15, 18, r"[\dXx]"), 0.95, _validate_id),
    RegexRecognizer("bank_card", "BANK_CARD", _run(16, 19), 0.9, _validate_bank),
    RegexRecognizer("card_tail", "CARD_TAIL", r"(?:尾号|末四位|后四位(?:是)?)(?:是)?(\d{3,4})(?![0-9])", 0.7,
                    None, "last digits of a card/phone after 尾号", group=1),
    RegexRecognizer("long_number", "LONG_NUMBER", r"(?<![0-9A-Za-z])\d(?:[ \-]?\d){8,}(?![0-9])", 0.3,
                    None, "unvalidated run of 9+ digits (could be an account, card or phone number)"),
]
