"""The neural model's tokenizer: byte-level BPE over the vocabulary and merges in its GGUF file.

>>> tok = ByteBPE(["a", "b", "ab", "Ġ", "Ġab"], ["a b", "Ġ ab"])
>>> tok.encode("ab ab")
([2, 4], [(0, 2), (2, 5)])

GPT-2's scheme, as SmolLM2 uses it: text is cut into pieces (letters with one leading space,
each digit alone, runs of other symbols, spaces), each piece's UTF-8 bytes are written as
printable characters, and the merges, lowest rank first, join them into vocabulary tokens. Every
token keeps the character span it came from, so surprisals can be put back on the words of the
text. Pure Python with a cache per piece: a text's words repeat, so it costs little.
"""

from __future__ import annotations

import bisect
import functools

import regex

# GPT-2's pieces, with digits cut one by one (SmolLM2's pre-tokenizer)
_PIECES = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


@functools.lru_cache(maxsize=1)
def _byte_chars() -> list[str]:
    """GPT-2's printable stand-in for each byte value."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), 256))
    chars, extra = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return [chars[b] for b in range(256)]


class ByteBPE:
    """Byte-level BPE: ``encode(text)`` gives token ids and each token's character span."""

    def __init__(self, tokens: list[str], merges: list[str]):
        self.tokens = tokens
        self.index = {t: i for i, t in enumerate(tokens)}
        self.ranks = {tuple(m.split(" ", 1)): r for r, m in enumerate(merges)}
        self._chars = _byte_chars()
        self._piece = functools.lru_cache(maxsize=200_000)(self._bpe)

    def _bpe(self, piece: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(ids, byte lengths) of one piece."""
        raw = piece.encode("utf-8")
        parts = [self._chars[b] for b in raw]
        ranks = self.ranks
        while len(parts) > 1:
            best, at = None, -1
            for i in range(len(parts) - 1):
                r = ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best is None or r < best):
                    best, at = r, i
            if best is None:
                break
            parts[at : at + 2] = [parts[at] + parts[at + 1]]
        ids, lengths = [], []
        for part in parts:
            if part in self.index:
                ids.append(self.index[part])
                lengths.append(len(part))
            else:  # not in the vocabulary (never for this model's merges): its bytes one by one
                for ch in part:
                    ids.append(self.index.get(ch, 0))
                    lengths.append(1)
        return tuple(ids), tuple(lengths)

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids of ``text`` and each token's (start, end) in characters of ``text``."""
        ids: list[int] = []
        spans: list[tuple[int, int]] = []
        for m in _PIECES.finditer(text):
            piece = m.group()
            piece_ids, lengths = self._piece(piece)
            start = m.start()
            if piece.isascii():
                for i, n in zip(piece_ids, lengths):
                    ids.append(i)
                    spans.append((start, start + n))
                    start += n
                continue
            # byte offsets back to characters: a character belongs to the token holding its last byte
            ends, total = [], 0
            for ch in piece:
                total += len(ch.encode("utf-8"))
                ends.append(total)
            done = 0
            for i, n in zip(piece_ids, lengths):
                ids.append(i)
                spans.append((start + bisect.bisect_right(ends, done), start + bisect.bisect_right(ends, done + n)))
                done += n
        return ids, spans

    def decode(self, ids: list[int]) -> str:
        back = {c: b for b, c in enumerate(self._chars)}
        return bytes(back[c] for i in ids for c in self.tokens[i] if c in back).decode("utf-8", "replace")
