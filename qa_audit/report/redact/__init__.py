"""Personal-data redaction for Chinese call transcripts (Presidio style).

Small recognizers sit in a registry (``RECOGNIZERS``); each one finds one kind of personal data and
every result explains itself: entity type, character span, score, the recognizer and the pattern or
check that fired.  ``analyze`` runs them all and resolves overlaps (higher score wins, then the longer
span); ``redact`` rewrites the text.

Entity types and their replacements:

=============  =====================================================  ==========================
PERSON         names: 某先生 / 某女士 (honorific kept), 张某 (bare name)  ``蒋红梅女士`` → ``某女士``
PHONE          mobile 1[3-9]x, landline 0xx-xxxxxxx, spoken 一三八…     ``[电话]``
ID_CARD        18 digits + ISO 7064 MOD 11-2 check digit; 15-digit old  ``[身份证号]``
BANK_CARD      16-19 digits passing the Luhn check                       ``[银行卡号]``
CARD_TAIL      尾号0915 (last digits of a card or phone)                 ``尾号****``
ADDRESS        省/市/区/路/号/小区/栋/单元/室 chains                       ``[地址]``
AMOUNT         23,456元, 两万三千四百五十六元                              ``2万-3万元`` (bucketed)
LONG_NUMBER    any other run of 9+ digits (unvalidated; low score)       ``[号码]``
=============  =====================================================  ==========================

Spoken digits (一三九零五七二八八一六, 幺, full-width digits) are read through a length-preserving
*digit view* of the text, so every numeric recognizer sees them and spans map back one to one.

Example::

    >>> from qa_audit.report.redact import redact
    >>> r = redact("您好，是蒋红梅女士吗？我的手机是13912345678。")
    >>> r.text
    '您好，是某女士吗？我的手机是[电话]。'
    >>> [(x.entity_type, x.text, x.recognizer) for x in r.results]
    [('PERSON', '蒋红梅', 'person'), ('PHONE', '13912345678', 'mobile_phone')]

Modules: ``base`` (results, context, recognizer base classes), ``names``, ``numbers`` (phones, IDs,
bank cards, card tails), ``addresses``, ``amounts``, ``engine`` (the registry, analyze / apply /
redact) and ``calls`` (whole calls, span times); everything public is importable from here.
"""

from qa_audit.report.redact.addresses import PROVINCES, AddressRecognizer
from qa_audit.report.redact.amounts import AmountRecognizer, bucket_amount, parse_amount
from qa_audit.report.redact.base import (AMOUNT_MODES, DEFAULT_THRESHOLD, Context, Redacted, RedactionResult, Recognizer,
                                         RegexRecognizer)
from qa_audit.report.redact.calls import NAME_KEYS, collect_names, redact_call, span_times
from qa_audit.report.redact.engine import RECOGNIZERS, REPLACEMENTS, analyze, apply, redact
from qa_audit.report.redact.names import HONORIFICS, SURNAMES_1, SURNAMES_2, NameRecognizer, plausible_name, surname_of
from qa_audit.report.redact.numbers import NUMBER_RECOGNIZERS, digit_view, id_check_digit, luhn_ok, valid_id18

__all__ = ["AMOUNT_MODES", "DEFAULT_THRESHOLD", "HONORIFICS", "NAME_KEYS", "NUMBER_RECOGNIZERS", "PROVINCES",
           "RECOGNIZERS", "REPLACEMENTS", "SURNAMES_1", "SURNAMES_2", "AddressRecognizer", "AmountRecognizer",
           "Context", "NameRecognizer", "Recognizer", "Redacted", "RedactionResult", "RegexRecognizer", "analyze",
           "apply", "bucket_amount", "collect_names", "digit_view", "id_check_digit", "luhn_ok", "parse_amount",
           "plausible_name", "redact", "redact_call", "span_times", "surname_of", "valid_id18"]
