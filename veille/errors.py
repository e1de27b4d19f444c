"""Every error Veille raises, in one place.

Each message says what went wrong, why, and how to fix it. The CLI turns any
``VeilleError`` into a one-line message and a non-zero exit; a batch records
it as the failure of one document and goes on.

    VeilleError
    ├── InputError              the document cannot be read as an article
    │   ├── SourceNotFound      no such file or directory
    │   ├── EmptyInput          nothing but whitespace
    │   ├── BinaryInput         an image, PDF, archive... not text
    │   ├── UndecodableInput    text in no encoding we could detect
    │   ├── InputTooLarge       bigger than the configured limit
    │   └── MalformedRecord     a JSON Lines record we cannot use
    ├── ModelError              a spaCy pipeline is missing or broken
    ├── ConfigError             a configuration value is wrong
    └── StoreError              the database cannot do what was asked
        └── RecordNotFound      no article with that id
"""

from __future__ import annotations

__all__ = [
    "BinaryInput",
    "ConfigError",
    "EmptyInput",
    "InputError",
    "InputTooLarge",
    "MalformedRecord",
    "ModelError",
    "RecordNotFound",
    "SourceNotFound",
    "StoreError",
    "UndecodableInput",
    "VeilleError",
    "error_for",
]


class VeilleError(Exception):
    """Base class of every error Veille raises on purpose."""

    #: short machine-readable reason, stored with failed documents
    code = "error"


class InputError(VeilleError):
    code = "input"


class SourceNotFound(InputError):
    code = "not_found"


class EmptyInput(InputError):
    code = "empty"


class BinaryInput(InputError):
    code = "binary"


class UndecodableInput(InputError):
    code = "encoding"


class InputTooLarge(InputError):
    code = "too_large"


class MalformedRecord(InputError):
    code = "malformed"


class ModelError(VeilleError):
    code = "model"


class ConfigError(VeilleError):
    code = "config"


class StoreError(VeilleError):
    code = "store"


class RecordNotFound(StoreError):
    code = "not_found"


def error_for(code: str, message: str) -> VeilleError:
    """The error of the catalogue whose ``code`` is ``code`` (a recorded failure raised again)."""
    classes = [VeilleError, *VeilleError.__subclasses__()]
    for cls in classes:
        classes += [c for c in cls.__subclasses__() if c not in classes]
    return next((cls for cls in classes if cls.code == code), VeilleError)(message)
