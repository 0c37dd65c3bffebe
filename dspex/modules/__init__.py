"""Modules: Predict, ChainOfThought, ReAct, BestOfN, Refine, MultiChainComparison, Parallel,
ProgramOfThought, ``majority``, and the registry of module types by name."""

from dspex.modules.aggregation import majority
from dspex.modules.best_of_n import BestOfN
from dspex.modules.chain_of_thought import ChainOfThought
from dspex.modules.multi_chain_comparison import MultiChainComparison
from dspex.modules.predict import NoLMConfiguredError, Predict
from dspex.modules.program_of_thought import (
    ProgramOfThought,
    ProgramOfThoughtDisabledError,
    ProgramOfThoughtError,
)
from dspex.modules.react import ReAct
from dspex.modules.refine import Refine
from dspex.modules.registry import (
    ModuleType,
    UnknownModuleError,
    get_module,
    get_module_type,
    module_names,
    register_module,
    unregister_module,
)
from dspex.modules.vote import MajorityVote
from dspex.primitives.parallel import Parallel, ParallelExecutionError

__all__ = [
    "BestOfN",
    "ChainOfThought",
    "MajorityVote",
    "ModuleType",
    "MultiChainComparison",
    "NoLMConfiguredError",
    "Parallel",
    "ParallelExecutionError",
    "Predict",
    "ProgramOfThought",
    "ProgramOfThoughtDisabledError",
    "ProgramOfThoughtError",
    "ReAct",
    "Refine",
    "UnknownModuleError",
    "get_module",
    "get_module_type",
    "majority",
    "module_names",
    "register_module",
    "unregister_module",
]
