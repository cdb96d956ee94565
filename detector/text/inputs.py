"""Reading user input safely: every way a file can be wrong becomes one clear line.

>>> decode_text(b"Plain English text.", "example.txt")
'Plain English text.'
>>> decode_text(b"\\xff\\xfe bad", "x.txt")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
detector.errors.InputError: x.txt is not UTF-8 text (byte 0xff at offset 0); convert it first, e.g. iconv ...

Rules: ``-`` reads standard input; a missing path, a folder, a file over ``max_bytes``, empty or
blank text, binary data and non-UTF-8 bytes each raise :class:`~detector.errors.InputError`.
A UTF-8 byte-order mark is dropped; Windows line endings are kept as they are (offsets index the
decoded text exactly as read).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import BinaryIO

from detector.errors import InputError
from detector.text.language import english_profile

DEFAULT_MAX_BYTES = 10_000_000
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")  # control characters other than whitespace


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def read_bytes(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The raw bytes of a file or of standard input (``-``), refusing folders and oversized input."""
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        name = "standard input"
    else:
        p = _existing_file(path)
        try:
            size = p.stat().st_size
            if size > max_bytes:
                raise InputError(f"{path} is {_size(size)}, over the {_size(max_bytes)} limit (--max-bytes raises it)")
            with p.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except PermissionError as err:
            raise InputError(f"cannot read {path}: permission denied") from err
        except OSError as err:
            raise InputError(f"cannot read {path}: {err.strerror or err}") from err
        name = path
    if len(data) > max_bytes:
        raise InputError(f"{name} is over the {_size(max_bytes)} limit (--max-bytes raises it)")
    return data


def _existing_file(path: str) -> Path:
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{path} is a folder, not a file (give a file, or use `detector clean` for folders)")
    if not p.exists():
        raise InputError(f"no such file: {path}")
    return p


def open_input(path: str) -> BinaryIO:
    """Open a file for streaming in binary, with the same one-line errors as :func:`read_bytes`."""
    p = _existing_file(path)
    try:
        return p.open("rb")
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from err


def decode_text(data: bytes, name: str, convert_hint: bool = True) -> str:
    """Decode UTF-8 text, refusing empty, binary and non-UTF-8 input with a one-line reason (for a
    file, with the command that converts it)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise InputError(f"{name} is empty")
    if b"\x00" in data[:65536]:
        raise InputError(f"{name} looks like binary data, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        hint = f"; convert it first, e.g. iconv -f latin1 -t utf-8 {name}" if convert_hint else ""
        raise InputError(
            f"{name} is not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}){hint}"
        ) from err
    sample = text[:65536]
    controls = len(_CONTROL.findall(sample))
    if controls > 0.05 * len(sample):
        raise InputError(f"{name} looks like binary data, not text")
    return text


def read_text(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read and decode ``path`` (or ``-``) with every check above."""
    return decode_text(read_bytes(path, max_bytes), "standard input" if path == "-" else path)


def require_english(text: str, name: str, zipf=None) -> None:
    """Refuse text that is mostly not English, saying what was measured (``zipf``: see language.py)."""
    profile = english_profile(text, zipf=zipf)
    if not profile.is_english:
        if profile.words == 0:
            raise InputError(f"{name} has no English words to work on")
        raise InputError(
            f"{name} does not look like English ({profile.latin_share:.0%} Latin letters, "
            f"{profile.function_share:.0%} English function words); detector works on English text"
        )
