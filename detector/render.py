"""Terminal rendering shared by the commands: text with marked spans, in colour or plain.

>>> highlight("a telephone quantity here", [(2, 20, "phone number")], color=False)
'a [telephone quantity](phone number) here'
>>> "\\x1b[" in highlight("a telephone quantity here", [(2, 20, None)], color=True)
True

Colour goes to terminals; with ``color=False`` (a pipe, a file, ``--no-color``) each span is
marked ``[span]`` (with ``(note)`` after it when there is a note), so nothing is lost in plain text.
"""

from __future__ import annotations

from collections.abc import Iterable

import click


def highlight(
    text: str,
    spans: Iterable[tuple[int, int, str | None]],
    color: bool,
    fg: str = "black",
    bg: str = "yellow",
) -> str:
    """``text`` with each ``(start, end, note)`` span highlighted; spans must not overlap."""
    out: list[str] = []
    pos = 0
    for start, end, note in sorted(spans):
        out.append(text[pos:start])
        span = text[start:end]
        if color:
            out.append(click.style(span, fg=fg, bg=bg))
            if note:
                out.append(click.style(f" ({note})", dim=True))
        else:
            out.append(f"[{span}]" + (f"({note})" if note else ""))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def diff_view(text: str, changes: Iterable[tuple[int, int, str]], color: bool) -> str:
    """``text`` with each ``(start, end, after)`` change shown as a diff: old struck red, new green.

    >>> diff_view("a telephone quantity here", [(2, 20, "phone number")], color=False)
    'a [-telephone quantity-]{+phone number+} here'
    """
    out: list[str] = []
    pos = 0
    for start, end, after in sorted(changes):
        out.append(text[pos:start])
        before = text[start:end]
        if color:
            out.append(click.style(before, fg="red", strikethrough=True) + click.style(after, fg="green", bold=True))
        else:
            out.append((f"[-{before}-]" if before else "") + (f"{{+{after}+}}" if after else ""))
        pos = end
    out.append(text[pos:])
    return "".join(out)
