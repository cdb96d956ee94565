"""Terminal rendering shared by the commands: text with marked spans, in colour or plain.

>>> highlight("a telephone quantity here", [(2, 20, "phone number")], color=False)
'a [telephone quantity](phone number) here'
>>> "\\x1b[" in highlight("a telephone quantity here", [(2, 20, None)], color=True)
True

Colour goes to terminals; with ``color=False`` (a pipe, a file, ``--no-color``) each span is
marked ``[span]`` (with ``(note)`` after it when there is a note), so nothing is lost in plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import click


def mark_spans(text: str, spans: Iterable[tuple], render: Callable[..., str],
               gap: Callable[[str], str] = str) -> str:
    """``text`` with each ``(start, end, *extra)`` span replaced by ``render(span_text, *extra)`` and
    the text between spans passed through ``gap`` (e.g. an HTML escape); a span overlapping the one
    before it (or two with the same offsets) is left out.

    >>> mark_spans("a b c", [(2, 3, {"x": 1}), (2, 3, {"x": 2})], lambda t, e: f"[{t}{e['x']}]")
    'a [b1] c'
    """
    out: list[str] = []
    pos = 0
    for start, end, *extra in sorted(spans, key=lambda span: (span[0], span[1])):  # extras may not compare
        if start < pos:
            continue
        out += [gap(text[pos:start]), render(text[start:end], *extra)]
        pos = end
    out.append(gap(text[pos:]))
    return "".join(out)


def highlight(
    text: str,
    spans: Iterable[tuple[int, int, str | None]],
    color: bool,
    fg: str = "black",
    bg: str = "yellow",
) -> str:
    """``text`` with each ``(start, end, note)`` span highlighted; spans must not overlap."""

    def render(span: str, note: str | None) -> str:
        if color:
            return click.style(span, fg=fg, bg=bg) + (click.style(f" ({note})", dim=True) if note else "")
        return f"[{span}]" + (f"({note})" if note else "")

    return mark_spans(text, spans, render)


def diff_view(text: str, changes: Iterable[tuple[int, int, str]], color: bool) -> str:
    """``text`` with each ``(start, end, after)`` change shown as a diff: old struck red, new green.

    >>> diff_view("a telephone quantity here", [(2, 20, "phone number")], color=False)
    'a [-telephone quantity-]{+phone number+} here'
    """

    def render(before: str, after: str) -> str:
        if color:
            return click.style(before, fg="red", strikethrough=True) + click.style(after, fg="green", bold=True)
        return (f"[-{before}-]" if before else "") + (f"{{+{after}+}}" if after else "")

    return mark_spans(text, changes, render)
