"""detector: find and repair spun text.

>>> import detector
>>> result = detector.spin("Users can find the phone number online.", rate=0.3, seed=1)
>>> result.text != "Users can find the phone number online."
True
>>> detector.score(result.text).verdict in ("spun", "clean", "too-short")
True
"""

from __future__ import annotations

__version__ = "0.3.0"

from detector.analysis import Analyzer, score
from detector.detection.scoring import Scorer, ScoreResult, Span
from detector.errors import DetectorError, InputError, ModelError, ResourceError
from detector.repair.repair import RepairResult, repair
from detector.spinner.spinner import SpinConfig, SpinResult, Substitution, spin
from detector.text.tokenize import Token, tokenize

__all__ = [
    "Analyzer",
    "DetectorError",
    "InputError",
    "ModelError",
    "RepairResult",
    "ResourceError",
    "ScoreResult",
    "Scorer",
    "Span",
    "SpinConfig",
    "SpinResult",
    "Substitution",
    "Token",
    "__version__",
    "repair",
    "score",
    "spin",
    "tokenize",
]
