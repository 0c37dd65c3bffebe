"""Modules: Predict, ChainOfThought (more reasoning modules arrive later), and the registry of
module types by name."""

from dspex.modules.chain_of_thought import ChainOfThought
from dspex.modules.predict import NoLMConfiguredError, Predict
from dspex.modules.registry import (
    ModuleType,
    UnknownModuleError,
    get_module,
    get_module_type,
    module_names,
    register_module,
    unregister_module,
)

__all__ = [
    "ChainOfThought",
    "ModuleType",
    "NoLMConfiguredError",
    "Predict",
    "UnknownModuleError",
    "get_module",
    "get_module_type",
    "module_names",
    "register_module",
    "unregister_module",
]
