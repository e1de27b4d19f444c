"""Veille: news articles in, evidence-linked records out.

>>> from veille import Pipeline
>>> record = Pipeline().analyze("Kim Jong Un a reçu Vladimir Poutine à Pyongyang.")
"""

from .document import Article, Failure, RawDocument, Source
from .errors import (
    BinaryInput,
    ConfigError,
    EmptyInput,
    InputError,
    InputTooLarge,
    MalformedRecord,
    ModelError,
    RecordNotFound,
    SourceNotFound,
    StoreError,
    UndecodableInput,
    VeilleError,
)

_LAZY = {"Pipeline", "PipelineConfig", "Record"}


def __getattr__(name: str):
    # The pipeline imports spaCy (a second or more): only load it when asked, so that
    # commands without NLP (`veille kb`, `veille screen`, `veille list`) start fast.
    if name in _LAZY:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Article",
    "BinaryInput",
    "ConfigError",
    "EmptyInput",
    "Failure",
    "InputError",
    "InputTooLarge",
    "MalformedRecord",
    "ModelError",
    "Pipeline",
    "PipelineConfig",
    "RawDocument",
    "Record",
    "RecordNotFound",
    "Source",
    "SourceNotFound",
    "StoreError",
    "UndecodableInput",
    "VeilleError",
]
