"""A logistic regression over binned features: non-linear enough, tiny, and stored as plain JSON.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(2000, 2)); y = (X[:, 0] ** 2 > 1).astype(int)   # not linear in X
>>> model = BinnedLogistic(n_bins=32).fit(X, y)
>>> float(((model.predict_proba(X) > 0.5) == y).mean()) > 0.95
True
>>> BinnedLogistic.from_dict(model.to_dict()).predict_proba(X[:3]).round(3).tolist() == \\
...     model.predict_proba(X[:3]).round(3).tolist()
True

Each feature is cut at its quantiles into at most ``n_bins`` bins; the model learns one weight per
bin plus one per raw (standardised) feature. Prediction is a handful of ``searchsorted`` calls and
a sum: fast, and nothing but numbers to save, so a model file can never run code when loaded.
"""

from __future__ import annotations

import numpy as np


class BinnedLogistic:
    """Logistic regression on quantile-binned plus raw features (scikit-learn style fit/predict)."""

    def __init__(self, n_bins: int = 10, C: float = 1.0, max_iter: int = 300, random_state: int = 0):
        self.n_bins = n_bins
        self.C = C
        self.max_iter = max_iter
        self.random_state = random_state

    def _design(self, X: np.ndarray):
        from scipy import sparse

        n, d = X.shape
        blocks = [sparse.csr_matrix((X - self.mean_) / self.scale_)]
        for j in range(d):
            b = np.searchsorted(self.edges_[j], X[:, j], side="right")
            blocks.append(sparse.csr_matrix((np.ones(n), (np.arange(n), b)), shape=(n, len(self.edges_[j]) + 1)))
        return sparse.hstack(blocks).tocsr()

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> BinnedLogistic:
        from sklearn.linear_model import LogisticRegression

        X = np.asarray(X, dtype=np.float64)
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0) + 1e-9
        qs = np.linspace(0, 1, self.n_bins + 1)[1:-1]
        self.edges_ = [np.unique(np.quantile(X[:, j], qs)) for j in range(X.shape[1])]
        lr = LogisticRegression(C=self.C, max_iter=self.max_iter, random_state=self.random_state)
        lr.fit(self._design(X), y, sample_weight=sample_weight)
        coef = lr.coef_[0]
        d = X.shape[1]
        self.raw_ = coef[:d] / self.scale_
        self.intercept_ = float(lr.intercept_[0] - (coef[:d] * self.mean_ / self.scale_).sum())
        self.bins_ = []
        pos = d
        for j in range(d):
            k = len(self.edges_[j]) + 1
            self.bins_.append(coef[pos : pos + k])
            pos += k
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        z = X @ self.raw_ + self.intercept_
        for j, (edges, weights) in enumerate(zip(self.edges_, self.bins_)):
            z += weights[np.searchsorted(edges, X[:, j], side="right")]
        return z

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of the positive class (a 1-D array, unlike scikit-learn's two columns)."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(X)))

    def to_dict(self) -> dict:
        return {"n_bins": self.n_bins, "C": self.C, "intercept": self.intercept_, "raw": self.raw_.tolist(),
                "edges": [e.tolist() for e in self.edges_], "bins": [b.tolist() for b in self.bins_]}

    @classmethod
    def from_dict(cls, data: dict) -> BinnedLogistic:
        model = cls(n_bins=int(data["n_bins"]), C=float(data["C"]))
        model.intercept_ = float(data["intercept"])
        model.raw_ = np.asarray(data["raw"], dtype=np.float64)
        model.edges_ = [np.asarray(e, dtype=np.float64) for e in data["edges"]]
        model.bins_ = [np.asarray(b, dtype=np.float64) for b in data["bins"]]
        if not (len(model.raw_) == len(model.edges_) == len(model.bins_)) or any(
            len(b) != len(e) + 1 for b, e in zip(model.bins_, model.edges_)
        ):
            raise ValueError("inconsistent binned-logistic parameters")
        return model


class MonotoneLogistic:
    """A logistic regression whose score never falls as any evidence rises: every coefficient is
    non-negative, except for the features named free (document length). Fitted by L-BFGS-B with
    bounds, L2-regularised, on standardised features; stored as plain numbers.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 3)); y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    >>> model = MonotoneLogistic(free=(2,)).fit(X, y)
    >>> bool((model.coef_[:2] >= 0).all()), float(((model.predict_proba(X) > 0.5) == y).mean()) > 0.95
    (True, True)
    >>> MonotoneLogistic.from_dict(model.to_dict()).predict_proba(X[:2]).round(4).tolist() == \\
    ...     model.predict_proba(X[:2]).round(4).tolist()
    True

    Why monotone: with many correlated aggregates (shares over several cuts, likelihood ratios at
    several rates) a free regression trades them against each other, and a heavily spun short text
    with many suspicious words could score lower than a clean one with two.
    """

    def __init__(self, C: float = 1.0, free: tuple[int, ...] = ()):
        self.C = C
        self.free = tuple(free)

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> MonotoneLogistic:
        from scipy.optimize import minimize

        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-9
        Z = (X - mean) / scale

        def loss(theta):
            z = Z @ theta[:-1] + theta[-1]
            p = 1.0 / (1.0 + np.exp(-z))
            value = np.sum(w * (np.logaddexp(0, z) - y * z)) + 0.5 / self.C * np.sum(theta[:-1] ** 2)
            grad = np.r_[Z.T @ (w * (p - y)) + theta[:-1] / self.C, np.sum(w * (p - y))]
            return value, grad

        bounds = [(None, None) if j in self.free else (0.0, None) for j in range(X.shape[1])] + [(None, None)]
        theta = minimize(loss, np.zeros(X.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds).x
        self.coef_ = theta[:-1] / scale
        self.intercept_ = float(theta[-1] - (theta[:-1] * mean / scale).sum())
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, dtype=np.float64) @ self.coef_ + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of the positive class (a 1-D array)."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(X)))

    def to_dict(self) -> dict:
        return {"kind": "monotone-logistic", "C": self.C, "free": list(self.free), "coef": self.coef_.tolist(),
                "intercept": self.intercept_}

    @classmethod
    def from_dict(cls, data: dict) -> MonotoneLogistic:
        if data.get("kind") != "monotone-logistic":
            raise ValueError("not a monotone logistic regression")
        model = cls(C=float(data["C"]), free=tuple(int(j) for j in data["free"]))
        model.coef_ = np.asarray(data["coef"], dtype=np.float64)
        model.intercept_ = float(data["intercept"])
        return model
