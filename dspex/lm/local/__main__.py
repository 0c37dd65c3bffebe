"""``python -m dspex.lm.local serve --port N`` runs the bundled model server in the foreground;
``python -m dspex.lm.local check`` completes one token in a child process."""

from __future__ import annotations

import argparse
import signal
import sys

from dspex.lm.local.model import BASE_URL_ENV, EMBEDDER_BASE_URL_ENV, LOCAL_MODELS, ensure_model_file
from dspex.lm.local.runtime import check_runtime
from dspex.lm.local.server import N_CTX, LocalServer


def main(argv: list[str] | None = None) -> int:
    """``python -m dspex.lm.local serve --port N``: run the model server in the foreground."""
    parser = argparse.ArgumentParser(prog="python -m dspex.lm.local")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the bundled model over the OpenAI API")
    serve.add_argument("--model", default="gemma-3-270m", choices=sorted(LOCAL_MODELS))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--n-ctx", type=int, default=N_CTX)
    serve.add_argument("--n-threads", type=int, default=None)
    serve.add_argument("--embedding", action="store_true", help="serve /v1/embeddings instead of completions")
    check = commands.add_parser("check", help="complete one token in a child process")
    check.add_argument("--model", default="gemma-3-270m", choices=sorted(LOCAL_MODELS))
    args = parser.parse_args(argv)
    if args.command == "check":
        result = check_runtime(args.model)
        print(result.report(args.model), file=sys.stdout if result.ok else sys.stderr, flush=True)
        return 0 if result.ok else 1
    server = LocalServer(
        ensure_model_file(args.model),
        host=args.host,
        port=args.port,
        n_ctx=args.n_ctx,
        n_threads=args.n_threads,
        embedding=args.embedding,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"starting llama.cpp server for {args.model} (log: {server.log_path})", flush=True)
    try:
        server.start()
        variable = EMBEDDER_BASE_URL_ENV if args.embedding else BASE_URL_ENV
        print(f"ready: {variable}={server.base_url}", flush=True)
        assert server.process is not None
        return server.process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
