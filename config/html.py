"""Escaping for the few pieces of HTML built in Python (the page shell, the Users tables).

`e()` escapes as Django's `conditional_escape` does for plain text (& < > " '), with the
standard library's C implementation. Every value from a person or the database goes
through it; the only other pieces are literals and URLs that went through it too.
"""

from html import escape


def e(value) -> str:
    return escape(str(value), quote=True)
