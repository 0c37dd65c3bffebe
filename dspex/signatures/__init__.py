"""Signatures: typed input/output contracts (string syntax, class syntax, validation)."""

from dspex.signatures.errors import FieldDeclarationError, FieldValidationError, SignatureError
from dspex.signatures.field import FieldInfo, InputField, OutputField, infer_prefix
from dspex.signatures.signature import Signature, SignatureMeta, ensure_signature, make_signature

__all__ = [
    "FieldDeclarationError",
    "FieldInfo",
    "FieldValidationError",
    "InputField",
    "OutputField",
    "Signature",
    "SignatureError",
    "SignatureMeta",
    "ensure_signature",
    "infer_prefix",
    "make_signature",
]
