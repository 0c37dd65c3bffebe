"""``dspy.signatures``: mapped onto :mod:`dspex.signatures`."""

from dspex.compat._names import unsupported
from dspex.compat.dspy.signatures import field, signature
from dspex.signatures import (
    InputField,
    OutputField,
    Signature,
    SignatureMeta,
    ensure_signature,
    infer_prefix,
    make_signature,
)

__getattr__ = unsupported(__name__)

__all__ = [
    "InputField",
    "OutputField",
    "Signature",
    "SignatureMeta",
    "ensure_signature",
    "field",
    "infer_prefix",
    "make_signature",
    "signature",
]
