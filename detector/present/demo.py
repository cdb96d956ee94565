"""The teaching demo in the terminal: ``detector demo [FILE]``, four steps from clean to repaired.

>>> steps = demo_steps("The company said on Monday that users of the app can find the phone number online. " * 3,
...                    rate=0.3, seed=1)
>>> [step.title for step in steps.steps()][:2]
['1. The clean text', '2. The spun text: each substitution highlighted, the original after it']

Without FILE the demo uses the project's real case: seed 001 (a Reuters story; its interleaved
Chinese lines set aside) and seed 000, what a real spinner made of it. With FILE, the text is spun
here, with ``rate`` and ``seed``. The steps: (1) the clean text; (2) the spun text with each
substitution highlighted (or as spintax); (3) the detector's view, each span coloured by its score
with its reason; (4) the repair as a coloured diff, with the score before and after.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from detector.present.render import diff_view, highlight, mark_spans

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PREVIEW_CHARS = 1800


@dataclass
class Step:
    title: str
    body: str
    note: str = ""


@dataclass
class DemoCase:
    """A clean text, its spun copy and the substitutions between them (spun offsets, original)."""

    clean: str
    spun: str
    substitutions: list[tuple[int, int, str]]
    spintax: str
    source: str
    reference_repair: bool  # repair against the clean text (the real case), or by the detector alone
    color: bool = False
    full: bool = False

    def steps(self) -> Iterator[Step]:
        from detector.detection.scoring import Scorer
        from detector.repair.repair import repair

        scorer = Scorer()
        limit = None if self.full else PREVIEW_CHARS
        yield Step("1. The clean text", _cut(self.clean, limit), self.source)
        yield Step("2. The spun text: each substitution highlighted, the original after it",
                   _cut_marked(self.spun, self.substitutions, limit,
                               lambda t, m: highlight(t, m, self.color)),
                   f"{len(self.substitutions)} substitutions: the spinner swapped words for 'synonyms' that do "
                   "not fit their context.")
        scored = scorer.score(self.spun)
        marks = [(s.start, s.end, s.score, s.reasons[0] if s.reasons else "") for s in scored.shown_spans]
        caught = sum(any(s < b and a < e for s, e, *_ in marks) for a, b, _ in self.substitutions)
        top = sorted(scored.shown_spans, key=lambda s: -s.score)[:8]
        lines = [f"  {s.score:.2f}  {s.text!r}"
                 + (f" -> {s.suggestion!r}" if s.suggestion else " (no confident original)")
                 + f": {s.reasons[0] if s.reasons else ''}" for s in top]
        yield Step("3. The detector's view: suspicious words, coloured by score",
                   _cut_marked(self.spun, marks, limit, lambda t, m: _score_colours(t, m, self.color))
                   + "\n\nStrongest evidence:\n" + "\n".join(lines),
                   f"document score {scored.score:.3f} -> {scored.verdict.upper()}; {len(scored.shown_spans)} spans, "
                   f"{caught} of {len(self.substitutions)} substitutions inside one.")
        fixed = repair(self.spun, reference=self.clean if self.reference_repair else None, scorer=scorer)
        after = scorer.score(fixed.text)
        how = "aligned with the clean text" if self.reference_repair else "the detector's suggestions alone"
        yield Step(f"4. The repair ({how}): removed in red, restored in green",
                   _cut_marked(self.spun, [(c.start, c.end, c.after) for c in fixed.changes], limit,
                               lambda t, m: diff_view(t, m, self.color)),
                   f"{len(fixed.changes)} changes; document score {scored.score:.3f} before, {after.score:.3f} "
                   f"after ({after.verdict}).")


def _score_colours(text: str, marks, color: bool) -> str:
    def render(span: str, score: float, reason: str) -> str:
        if not color:
            return f"[{span}|{score:.2f}]"
        bg = "red" if score >= 0.8 else "yellow" if score >= 0.5 else None
        return click.style(span, fg="black" if bg else "yellow", bg=bg, underline=bg is None)

    return mark_spans(text, marks, render)


def _cut(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text.rstrip("\n")
    end = text.rfind(" ", 0, limit)
    return text[: end if end > 0 else limit] + f" ... ({len(text) - limit:,} more characters; --full shows all)"


def _cut_marked(text: str, marks, limit: int | None, render) -> str:
    """``render`` the text's first ``limit`` characters with the marks that end inside them."""
    if limit is None or len(text) <= limit:
        return render(text, marks).rstrip("\n")
    end = text.rfind(" ", 0, limit)
    end = end if end > 0 else limit
    return render(text[:end], [m for m in marks if m[1] <= end]) + \
        f" ... ({len(text) - end:,} more characters; --full shows all)"


def seed_case() -> DemoCase:
    """Seed 001 (English lines) and seed 000, the real spinner's copy of it."""
    from detector.damage.lines import strip_translations
    from detector.repair.align import align
    from detector.repair.repair import plausible_pair

    try:
        clean_path, spun_path = next(SEEDS.glob("001_*.txt")), next(SEEDS.glob("000_*.txt"))
    except StopIteration:
        raise click.UsageError(f"the seeds are not next to this installation ({SEEDS}); give a FILE") from None
    clean = strip_translations(clean_path.read_text(encoding="utf-8")).text
    spun = spun_path.read_text(encoding="utf-8")
    alignment = align(spun, clean).without_rewrites(spun, plausible_pair)
    subs = [(p.spun_start, p.spun_end, p.original) for p in alignment.substitutions]
    spintax = mark_spans(spun, subs, lambda t, original: f"{{{original}|{t}}}")
    return DemoCase(clean, spun, subs, spintax, f"{clean_path.name} (English lines); spun by a real spinner "
                    f"into {spun_path.name}", reference_repair=True)


def demo_steps(text: str, rate: float = 0.2, seed: int = 0, source: str = "your text") -> DemoCase:
    from detector.spinner.spinner import SpinConfig, Spinner

    result = Spinner(SpinConfig(rate=rate, seed=seed)).spin(text)
    subs = [(s.start, s.end, s.original) for s in result.substitutions]
    return DemoCase(text, result.text, subs, result.to_spintax(), f"{source}; spun here at rate {rate}, seed {seed}",
                    reference_repair=False)


def run_demo(case: DemoCase, spintax: bool, pause: bool) -> None:
    """Print the steps, waiting for a key between them when ``pause``."""
    color = case.color
    for k, step in enumerate(case.steps()):
        if k and pause:
            click.pause(click.style("\n-- press any key for the next step --", dim=True) if color else
                        "\n-- press any key for the next step --")
        title = click.style(step.title, bold=True, fg="cyan") if color else step.title
        click.echo(f"\n{title}\n{'=' * len(step.title)}", color=color)
        click.echo(step.body, color=color)
        if k == 1 and spintax:
            click.echo("\nAs spintax ({original|replacement}):\n" + _cut(case.spintax, None if case.full else
                                                                          PREVIEW_CHARS), color=color)
        if step.note:
            click.echo(click.style(f"\n{step.note}", dim=True) if color else f"\n{step.note}", color=color)
