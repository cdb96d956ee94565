"""The teaching web page: ``detector serve``, a small local app on the standard library's HTTP server.

>>> api = Api()
>>> status, body = api.handle("/api/spin", b'{"text": "Users can find the phone number online today.", '
...                                        b'"rate": 0.5, "seed": 1}')
>>> status, body["substitutions"] > 0, "<mark" in body["html"]
(200, True, True)
>>> api.handle("/api/score", b'{"text": 3}')
(400, {'error': 'send {"text": "..."} with the text as a string'})
>>> api.handle("/api/trace", b'{"documents": [{"id": "a", "text": "One text alone."}]}')
(400, {'error': 'paste or open at least two documents to trace'})

Endpoints (POST, JSON in and out): ``/api/check`` {text} or {pdf: base64, name} -> the check tab's
answer for a text or a paper as it is (:meth:`Api.check`: score, shaded spans, the tortured-phrase
paper report, damage, the repaired text); ``/api/spin`` {text, rate, seed} -> the spun text and its
substitutions as HTML; ``/api/score`` {text} -> score, verdict, shaded spans, damage; ``/api/repair``
{text, reference?} -> the repair as an HTML diff with the score before and after; ``/api/trace``
{documents: [{id, text}, ...]} -> the family tab's trace (:func:`trace`); and ``GET /api/seeds``,
the seeds that tab starts with. Every piece of user text reaches the page through
:mod:`detector.present.html`, which escapes it; the page's own script (``static/app.js``) only
inserts that HTML, the family tab's (``static/family.js``) builds its DOM from JSON with
``textContent``, and a Content-Security-Policy forbids any other script. Texts over ``MAX_BYTES``
are refused (and in the family tab more than ``MAX_DOCUMENTS`` documents); the server listens on
127.0.0.1 unless ``--host`` says otherwise. No build step and no dependency beyond the standard library.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from detector.errors import DetectorError

MAX_BYTES = 1_000_000
MAX_PDF_BYTES = 10_000_000  # a paper dropped on the check tab (sent base64: a third more)
CHECK_REQUEST_BYTES = MAX_PDF_BYTES * 4 // 3 + 10_000
MAX_DOCUMENTS = 50  # the family tab traces at most this many documents at a time
MAX_TRACE_BYTES = 10_000_000  # ... of at most MAX_BYTES each and this much in all
TRACE_FORMAT = 'send {"documents": [{"id": "...", "text": "..."}, ...]}'
DRAIN_BYTES = 64_000_000  # larger requests are cut off without reading them
STATIC = Path(__file__).resolve().parent / "static"
FILES = {"/": ("index.html", "text/html; charset=utf-8"), "/app.js": ("app.js", "text/javascript; charset=utf-8"),
         "/check.js": ("check.js", "text/javascript; charset=utf-8"),
         "/family.js": ("family.js", "text/javascript; charset=utf-8"),
         "/style.css": ("style.css", "text/css; charset=utf-8")}
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class Api:
    """The JSON endpoints, apart from HTTP so that they can be called and tested directly."""

    def __init__(self):
        self._lock = threading.Lock()
        self._scorer = None

    @property
    def scorer(self):
        with self._lock:
            if self._scorer is None:
                from detector.analysis import Analyzer

                # the page scores again on every slider move: the n-gram stage's suggestions, not the
                # re-read sentence's (seconds a text on one core)
                self._scorer = Analyzer(damage=True, reread=False)
            return self._scorer

    def handle(self, path: str, raw: bytes) -> tuple[int, dict]:
        routes = {"/api/spin": self.spin, "/api/score": self.score, "/api/repair": self.repair}
        if path == "/api/trace":
            return self.trace_request(raw)
        if path == "/api/check":
            return self.check_request(raw)
        if path not in routes:
            return 404, {"error": f"no such endpoint: {path}"}
        if len(raw) > MAX_BYTES:
            return 413, {"error": too_big(len(raw))}
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("text"), str):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            return 400, {"error": 'send {"text": "..."} with the text as a string'}
        if not data["text"].strip():
            return 400, {"error": "the text is empty: paste or open a text first"}
        try:
            return 200, routes[path](data)
        except DetectorError as err:
            return 400, {"error": str(err)}

    def spin(self, data: dict) -> dict:
        from detector.present.html import substitutions_html
        from detector.spinner.spinner import SpinConfig, Spinner

        rate = min(max(float(data.get("rate", 0.2)), 0.0), 1.0)
        seed = int(data.get("seed", 0))
        result = Spinner(SpinConfig(rate=rate, seed=seed)).spin(data["text"])
        subs = [(s.start, s.end, s.original) for s in result.substitutions]
        return {"text": result.text, "html": substitutions_html(result.text, subs), "substitutions": len(subs),
                "words": result.words, "rate": rate, "seed": seed}

    def score(self, data: dict) -> dict:
        from detector.present.html import damage_html, shown_spans, spans_html

        result = self.scorer.score(data["text"])
        out = result.to_dict()
        return {"score": out["score"], "verdict": out["verdict"], "threshold": round(self.scorer.threshold, 4),
                "spans": len(result.shown_spans), "html": spans_html(result.text, shown_spans(out)),
                "damage_html": damage_html(out.get("damage", {})), "words": out["words"]}

    def repair(self, data: dict) -> dict:
        from detector.present.html import diff_html
        from detector.repair.repair import repair

        reference = data.get("reference")
        reference = reference if isinstance(reference, str) and reference.strip() else None
        before = self.scorer.score(data["text"])
        fixed = repair(data["text"], reference=reference, scorer=self.scorer, scored=before)
        after = self.scorer.score(fixed.text)
        return {"text": fixed.text, "html": diff_html(data["text"], [(c.start, c.end, c.after) for c in fixed.changes]),
                "changes": len(fixed.changes), "score_before": round(before.score, 4),
                "score_after": round(after.score, 4), "with_reference": reference is not None}

    def check_request(self, raw: bytes) -> tuple[int, dict]:
        """``/api/check``: a pasted or opened text ({text}) or a dropped PDF ({pdf: base64, name})."""
        import base64
        import binascii

        if len(raw) > CHECK_REQUEST_BYTES:
            return 413, {"error": too_big(len(raw), CHECK_REQUEST_BYTES)}
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not any(isinstance(data.get(k), str) for k in ("text", "pdf")):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            return 400, {"error": 'send {"text": "..."} or {"pdf": "<base64>", "name": "paper.pdf"}'}
        try:
            if isinstance(data.get("pdf"), str):
                try:
                    pdf = base64.b64decode(data["pdf"], validate=True)
                except (binascii.Error, ValueError):
                    return 400, {"error": "the PDF did not arrive whole (bad base64): open it again"}
                if len(pdf) > MAX_PDF_BYTES:
                    return 413, {"error": f"the PDF is {len(pdf) / 1e6:.1f} MB, over the "
                                          f"{MAX_PDF_BYTES / 1e6:.0f} MB limit of this page"}
                name = str(data.get("name") or "paper.pdf")[:200]
                return 200, self.check(None, pdf, name)
            if not data["text"].strip():
                return 400, {"error": "the text is empty: paste or open a text first"}
            if len(data["text"].encode("utf-8")) > MAX_BYTES:
                return 413, {"error": too_big(len(data["text"].encode("utf-8")))}
            return 200, self.check(data["text"])
        except DetectorError as err:
            return 400, {"error": str(err)}

    def check(self, text: str | None, pdf: bytes | None = None, name: str = "paper.pdf") -> dict:
        """A text, or a paper's body read from ``pdf``, checked as it is: score, spans, the tortured-phrase
        report, damage and the repaired text."""
        from detector.present.html import damage_html, diff_html, shown_spans, spans_html, tortured_html
        from detector.repair.repair import repair

        paper = None
        if pdf is not None:
            from detector.papers.paper import read_paper

            paper = read_paper(pdf, name)
            text = paper.text
            if not text.strip():
                raise DetectorError(f"{name} has no body text to check")
        assert text is not None
        result = self.scorer.score_many([text], [name if paper else None], exhaustive=True,
                                        locate=[paper.locate if paper else None])[0]
        out = result.to_dict()
        fixed = repair(text, scorer=self.scorer, scored=result)
        report = out.get("tortured", {"known": 0, "new": 0, "verdict": "clean", "rule": "", "findings": []})
        return {"score": out["score"], "verdict": out["verdict"], "threshold": round(self.scorer.threshold, 4),
                "words": out["words"], "spans": len(result.shown_spans), "html": spans_html(text, shown_spans(out)),
                "tortured": report, "tortured_html": tortured_html(report),
                "damage_html": damage_html(out.get("damage", {})),
                "paper": paper.to_dict() if paper else None, "text": text,
                "repaired_html": diff_html(text, [(c.start, c.end, c.after) for c in fixed.changes]),
                "repaired": fixed.text, "changes": len(fixed.changes)}

    def trace_request(self, raw: bytes) -> tuple[int, dict]:
        """``/api/trace``: check the documents (how many, how big, named once each), then :func:`trace`."""
        if len(raw) > MAX_TRACE_BYTES:
            return 413, {"error": too_big(len(raw), MAX_TRACE_BYTES)}
        try:
            data = json.loads(raw.decode("utf-8"))
            documents = data["documents"]
            if not isinstance(documents, list) or not all(
                    isinstance(d, dict) and isinstance(d.get("text"), str) and isinstance(d.get("id", ""), str)
                    for d in documents):
                raise ValueError
        except (ValueError, UnicodeDecodeError, KeyError, TypeError):
            return 400, {"error": TRACE_FORMAT + " with each text as a string"}
        if len(documents) > MAX_DOCUMENTS:
            return 413, {"error": f"{len(documents)} documents: this page traces at most {MAX_DOCUMENTS} at a time "
                                  "(`detector trace` takes any number)"}
        named = [((d.get("id") or "").strip() or f"text {i + 1}", d["text"]) for i, d in enumerate(documents)]
        for name, text in named:
            if not text.strip():
                return 400, {"error": f"{name} is empty: paste or open a text, or remove it"}
            size = len(text.encode("utf-8"))
            if size > MAX_BYTES:
                return 413, {"error": f"{name}: {too_big(size)}"}
        names = [name for name, _ in named]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            return 400, {"error": f"two documents are named {twice[0]}: give each its own name"}
        if len(named) < 2:
            return 400, {"error": "paste or open at least two documents to trace"}
        try:
            return 200, trace(named, scorer=self.scorer)
        except DetectorError as err:
            return 400, {"error": str(err)}

    @staticmethod
    def seeds() -> dict:
        """The five seed documents the family tab starts with (none when the seeds are not installed)."""
        from detector.present.demo import SEEDS

        return {"seeds": [{"id": path.name[:3], "text": path.read_text(encoding="utf-8")}
                          for path in sorted(SEEDS.glob("[0-9][0-9][0-9]_*.txt"))]}


def trace(documents: list[tuple[str, str]], scorer=None) -> dict:
    """The family tab's answer: ``TraceResult.to_dict()`` plus ``view`` (the trees, same-story links and
    unrelated documents of :func:`~detector.present.trace_html.family_view`) and ``edges``: the
    derived-from relations, each with the ``rows`` of its side-by-side view (texts, not offsets, so
    that the page's script needs no offset arithmetic). ``scorer``: the spinning detector to score each
document with (one is loaded when None)."""
    from detector.present.trace_html import derived_edges, family_view, side_by_side
    from detector.trace import align_pair, trace_documents

    texts = dict(documents)
    out = trace_documents(documents, scorer=scorer).to_dict()
    out["view"] = family_view(out)
    out["edges"] = [{**edge, "rows": side_by_side(align_pair(texts[edge["source"]], texts[edge["derived"]]),
                                                  texts[edge["source"]], texts[edge["derived"]])}
                    for edge in derived_edges(out)]
    return out


def too_big(n: int, limit: int = MAX_BYTES) -> str:
    what = "the text is" if limit == MAX_BYTES else "the documents are"
    return f"{what} {n / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit of this page"


def make_handler(api: Api):
    class Handler(BaseHTTPRequestHandler):
        server_version = "detector"
        sys_version = ""

        def log_message(self, format: str, *args) -> None:  # quiet: a teaching tool, not a web server log
            return

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for key, value in HEADERS.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            path = self.path.split("?", 1)[0]
            if path == "/api/seeds":
                self._send(200, json.dumps(api.seeds(), ensure_ascii=False).encode("utf-8"),
                           "application/json; charset=utf-8")
                return
            if path not in FILES:
                self._send(404, b"not found", "text/plain; charset=utf-8")
                return
            name, content_type = FILES[path]
            self._send(200, (STATIC / name).read_bytes(), content_type)

        def do_POST(self) -> None:  # noqa: N802
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            limit = {"/api/trace": MAX_TRACE_BYTES, "/api/check": CHECK_REQUEST_BYTES}.get(self.path, MAX_BYTES)
            if length < 0:
                status, body = 400, {"error": "bad Content-Length"}
            elif length > limit:
                status, body = 413, {"error": too_big(length, limit)}
                self.close_connection = True
                if length <= DRAIN_BYTES:  # read what the browser sends, so that it sees the answer
                    while length > 0:
                        chunk = self.rfile.read(min(length, 1 << 16))
                        if not chunk:
                            break
                        length -= len(chunk)
            else:
                status, body = api.handle(self.path, self.rfile.read(length))
            self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"),
                       "application/json; charset=utf-8")

    return Handler


def make_server(host: str = "127.0.0.1", port: int = 8765) -> ThreadingHTTPServer:
    """A server ready to ``serve_forever`` (port 0: any free port; see ``server_address``)."""
    server = ThreadingHTTPServer((host, port), make_handler(Api()))
    server.daemon_threads = True
    return server


def run(host: str, port: int, echo=print) -> None:
    try:
        server = make_server(host, port)
    except OSError as err:
        raise DetectorError(f"cannot listen on {host}:{port}: {err.strerror or err} (try another --port)") from err
    shown = f"[{host}]" if ":" in host else host
    echo(f"detector: serving on http://{shown}:{server.server_address[1]}/ (Ctrl-C stops)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo(f"detector: warning: listening on {host}: other machines can reach this page")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
