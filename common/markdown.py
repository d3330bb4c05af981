"""Text from outside (a link's query string, a search box) made inert before it reaches Markdown.

Streamlit renders notices, captions and headers as Markdown (GitHub flavour, plus its own
``:color[...]``, ``:material/...:`` and emoji directives, and ``$...$`` formulas). A link's
unknown key ``![x](http://attacker/k.png)`` made the browser fetch that image, and
``[Re-authenticate](http://...)`` became a clickable link in the notice. ``escape_markdown``
backslash-escapes every ASCII punctuation character that can start or end Markdown, HTML, a
directive or a formula (CommonMark then shows the character itself; quotes, commas, slashes
and question marks stay as they are) and folds line breaks. That is not enough for free text:
Streamlit's renderer still turns a bare ``http://...`` into a link after the escapes are read.
So ``literal_markdown``, for anything a link or a text box holds, leaves plain words as they
are and puts anything else in a code span, where nothing is a link, an image, markup or a
directive and the text shows exactly as typed (docs/privacy.md section 6).
"""

from __future__ import annotations

import re
import string

# Every ASCII punctuation character except those that start nothing in Markdown.
_INERT = "'\",;?%/"
_PUNCTUATION = re.compile("([" + re.escape("".join(c for c in string.punctuation if c not in _INERT)) + "])")
ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def escape_markdown(text: str, limit: int | None = None) -> str:
    """``text`` (first shortened to ``limit`` characters) as Markdown that shows it literally."""
    if limit is not None:
        text = shorten(text, limit)
    return _PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def _plain_word_char(char: str) -> bool:
    return char.isalnum() or char in " -_',"


def literal_markdown(text: str, limit: int | None = None) -> str:
    """``text`` (shortened to ``limit``, line breaks folded) as Markdown that renders it literally:
    unchanged when it is plain words, else an inline code span (no link, image or directive)."""
    if limit is not None:
        text = shorten(text, limit)
    text = " ".join(text.split())
    if all(_plain_word_char(c) for c in text):
        return text
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"
