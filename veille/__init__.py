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
from .pipeline import Pipeline, PipelineConfig, Record

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
