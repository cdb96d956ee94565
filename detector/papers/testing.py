"""Small PDFs made from scratch, for tests and examples: no library needed to write them.

>>> data = simple_pdf(["Hello, paper."])
>>> data[:8], data.rstrip().endswith(b"%%EOF")
(b'%PDF-1.4', True)

:func:`simple_pdf` writes one page per string (lines split on newlines, Helvetica, WinAnsi
encoding: Latin-1 text), with an optional second column per page (``columns``), so that tests can
check reading order, pages, sections and errors on PDFs they build themselves.
"""

from __future__ import annotations


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _stream(lines: list[str], x: float, y: float = 760.0, size: float = 10.0) -> bytes:
    out = [b"BT", f"/F1 {size:g} Tf {size * 1.3:g} TL {x:g} {y:g} Td".encode()]
    for line in lines:
        out.append(b"(" + _escape(line) + b") Tj T*")
    out.append(b"ET")
    return b"\n".join(out)


def simple_pdf(pages: list[str], columns: list[str] | None = None) -> bytes:
    """A valid PDF with one page per string of ``pages`` (and, when given, ``columns[i]`` as a
    right-hand column of page ``i``)."""
    objects: list[bytes] = []
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    font = 3 + 2 * n
    for i, text in enumerate(pages):
        content = _stream(text.split("\n"), 56)
        if columns and i < len(columns) and columns[i]:
            content += b"\n" + _stream(columns[i].split("\n"), 316)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        objects.append(b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
