"""``dspy.signatures.signature``."""

from dspex.compat._names import unsupported
from dspex.signatures import Signature, SignatureMeta, ensure_signature, make_signature

__getattr__ = unsupported(__name__)

__all__ = ["Signature", "SignatureMeta", "ensure_signature", "make_signature"]
