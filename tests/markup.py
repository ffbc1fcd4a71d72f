"""Comparing HTML written in Python with the template loops it replaced."""

import re


def normalised(html):
    """Whitespace as a browser shows it here: runs of it as one space, none between
    tags, none just inside a block's tags (<li> Name </li> reads as <li>Name</li>)."""
    html = re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html)))
    return re.sub(r"\s+</(li|p|td|th|tbody)>", r"</\1>", re.sub(r"<(li|p|td|th|tbody)([^>]*)>\s+", r"<\1\2>", html)).strip()
