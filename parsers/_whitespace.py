"""Whitespace runs collapsed to one space, as `" ".join(text.split())`, without the split for text that has none."""
from __future__ import annotations


def single_spaced(text: str) -> str:
    """`" ".join(text.split())`: every whitespace run one space, none at the ends.

    Printable text has no whitespace but the ASCII space, so without doubled spaces it is
    single-spaced but for one space at either end, which `strip(" ")` drops (and returns the
    same object when there is none): most titles and descriptions are, and this runs for every
    finding of a report.
    """
    if type(text) is str and text.isprintable() and "  " not in text:
        return text.strip(" ")
    return " ".join(text.split())
