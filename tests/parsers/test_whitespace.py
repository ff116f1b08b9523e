"""single_spaced is `" ".join(text.split())` for every text, whichever way it gets there."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers._whitespace import single_spaced

# ASCII and Unicode whitespace, printable and non-printable letters.
ALPHABET = list(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000") + list("ab.é\u200b\x00")


@settings(max_examples=2000)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=16))
def test_single_spaced_is_split_and_join(text: str) -> None:
    assert single_spaced(text) == " ".join(text.split())


def test_text_already_single_spaced_is_returned_as_is() -> None:
    text = "SQL injection in the login form"
    assert single_spaced(text) is text
    assert single_spaced(" trailing and leading ") == "trailing and leading"
