"""Kana normalisation and the keyed hash used for searching encrypted names."""

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.referrals import crypto

KATAKANA = st.text(
    alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30F6), min_size=1, max_size=12
)


def to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


# The app fixture only provides the keys; nothing is written, so sharing it is safe.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(family=KATAKANA, given_name=KATAKANA)
def test_the_same_name_written_differently_has_one_hash(app, family, given_name):
    full = f"{family} {given_name}"
    variants = [
        full,
        f"{family}\u3000{given_name}",
        f"{family}{given_name}",
        to_hiragana(full),
        unicodedata.normalize("NFKC", full),
    ]
    assert len({crypto.normalise_kana(v) for v in variants}) == 1
    assert len({crypto.kana_hash(v) for v in variants}) == 1
    assert crypto.family_kana(full) == crypto.normalise_kana(family)


def test_half_width_kana_and_empty_values(app):
    assert crypto.normalise_kana("ｱﾜﾀ ﾊﾅｺ") == "アワタハナコ"
    assert crypto.kana_hash("") is None and crypto.kana_hash("   ") is None
    assert crypto.kana_hash("アワタ") != crypto.kana_hash("アワダ")
    token = crypto.encrypt("粟田")
    assert "粟田" not in token and crypto.decrypt(token) == "粟田"
