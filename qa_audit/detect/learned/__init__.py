"""The learned second opinion: a small linear model over character n-grams and the lexicons' own
signals, trained on labelled agent turns and supervisors' decisions (``qa-audit train``).

    from qa_audit.detect.learned import second_opinion
    det = Detector.load(second_opinion=True)     # or config `second_opinion: true` / a model path
    [f for f in det.scan(call) if f.details.get("suggested")]   # ML-THREAT … proposals

At run time only numpy is used (``model.py``); scikit-learn is needed only to train (``train.py``).
A suggestion never counts in a score or a penalty referral until a supervisor confirms it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from qa_audit.detect.learned.features import MODEL_CATEGORIES  # noqa: F401
from qa_audit.detect.learned.model import (PACKAGED, SUGGESTED_CODES, LinearModel, ModelError,  # noqa: F401
                                           SecondOpinion, is_suggested, load_model)


def second_opinion(spec: Any) -> Optional[SecondOpinion]:
    """``spec``: False/None/"" → off; True or "packaged" → the packaged model; a path → that model."""
    if spec is None or spec is False or (isinstance(spec, str) and spec.strip().lower() in ("", "false", "off", "no", "none")):
        return None
    if spec is True or (isinstance(spec, str) and spec.strip().lower() in ("true", "on", "yes", "packaged")):
        return SecondOpinion(load_model())
    return SecondOpinion(load_model(Path(str(spec))))
