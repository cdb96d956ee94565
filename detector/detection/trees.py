"""The token model: gradient-boosted trees (LightGBM), stored as LightGBM's own text format.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(3000, 3)); y = ((X[:, 0] > 0) & (X[:, 1] > 0)).astype(int)  # an interaction
>>> model = BoostedTrees(n_estimators=50, random_state=0).fit(X, y)
>>> float(((model.predict_proba(X) > 0.5) == y).mean()) > 0.97
True
>>> again = BoostedTrees.from_string(model.to_string())
>>> bool(np.allclose(again.predict_proba(X[:5]), model.predict_proba(X[:5])))
True

Why LightGBM: spun words show up through *interactions* ("a better-fitting synonym exists" only
counts when the neighbours are common words), which trees learn and a linear model does not
(token F1 0.74 against 0.69 on the same features); its text model format is parsed, never
executed, so loading a model runs no code.

Faster, optionally: with ``pip install 'spun-text-detector[fast]'`` (lleaves, which compiles
LightGBM text models to native code with LLVM), :meth:`BoostedTrees.compile` swaps prediction to
the compiled trees: the same probabilities (to 1e-12) about five times faster. The code is
generated on this machine from the model text and cached under ``~/.cache/detector/compiled/``,
keyed by the model's SHA-256 and the compiler's versions; compiling takes about half a minute per
model, once. Batch cleaning uses it when it is installed.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np


class BoostedTrees:
    """Binary classifier with scikit-learn style ``fit``/``predict_proba`` (1-D probabilities)."""

    def __init__(self, n_estimators: int = 100, num_leaves: int = 31, learning_rate: float = 0.1,
                 min_child_samples: int = 100, subsample: float = 0.8, colsample: float = 0.8,
                 random_state: int = 0, n_jobs: int = 2, monotone: list[int] | None = None):
        """``monotone``: per feature, +1 (the probability never falls as it grows), -1, or 0 (free)."""
        self.params = {"n_estimators": n_estimators, "num_leaves": num_leaves, "learning_rate": learning_rate,
                       "min_child_samples": min_child_samples, "subsample": subsample, "subsample_freq": 1,
                       "colsample_bytree": colsample, "random_state": random_state, "n_jobs": n_jobs,
                       "deterministic": True, "force_row_wise": True, "verbose": -1}
        if monotone is not None:
            self.params["monotone_constraints"] = list(monotone)
        self.booster = None
        self._compiled = None

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> BoostedTrees:
        import lightgbm

        self.booster = lightgbm.LGBMClassifier(**self.params).fit(np.asarray(X, dtype=np.float64), y,
                                                                  sample_weight=sample_weight).booster_
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros(0)
        X = np.ascontiguousarray(X, dtype=np.float64)
        if self._compiled is not None:
            return self._compiled.predict(X, n_jobs=1)
        return self.booster.predict(X, num_threads=1)

    def compile(self) -> bool:
        """Predict with natively compiled trees from now on, when lleaves is installed (see the module
        docstring); returns whether it did. Any failure leaves LightGBM in charge."""
        try:
            import lleaves
        except ImportError:
            return False
        import hashlib
        import importlib.metadata
        import platform

        from detector.lexicon.resources import cache_root, write_atomic

        text = self.to_string()
        versions = [importlib.metadata.version(name) for name in ("lleaves", "llvmlite")]
        key = hashlib.sha256("|".join([text, *versions, platform.machine()]).encode()).hexdigest()
        folder = cache_root() / "compiled"
        try:
            model_file = folder / f"{key[:16]}.txt"
            if not model_file.exists():
                write_atomic(model_file, text.encode("utf-8"))
            compiled = lleaves.Model(model_file=str(model_file))
            with open(folder / f"{key[:16]}.lock", "w") as lock:  # workers starting together compile once
                with contextlib.suppress(ImportError, OSError):
                    import fcntl

                    fcntl.flock(lock, fcntl.LOCK_EX)
                target = folder / f"{key[:16]}.o"
                if target.exists():
                    compiled.compile(cache=str(target))
                else:  # written aside and renamed: a run killed half-way never leaves half an object file
                    partial = folder / f"{key[:16]}.{os.getpid()}.partial"
                    compiled.compile(cache=str(partial))
                    os.replace(partial, target)
        except Exception:  # an old LLVM, a read-only cache, an unknown platform: LightGBM stays
            return False
        self._compiled = compiled
        return True

    def to_string(self) -> str:
        return self.booster.model_to_string()

    @classmethod
    def from_string(cls, text: str) -> BoostedTrees:
        import lightgbm

        model = cls()
        model.booster = lightgbm.Booster(model_str=text)
        return model
