"""``python -m dspex doctor``: check this machine (see :mod:`dspex.doctor`)."""

from __future__ import annotations

import argparse
import sys

from dspex.doctor import EndpointSpec, engine_checks, render, run_checks


def _endpoint(text: str) -> EndpointSpec:
    """``name=provider,base_url[,KEY_ENV]``, e.g. ``vllm=openai,http://127.0.0.1:8000/v1,VLLM_KEY``."""
    name, _, rest = text.partition("=")
    provider, base_url, *key = rest.split(",")
    if not name or not provider or not base_url:
        raise argparse.ArgumentTypeError(f"expected name=provider,base_url[,KEY_ENV], got {text!r}")
    return EndpointSpec(name, provider, base_url, key[0] if key else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dspex")
    commands = parser.add_subparsers(dest="command", required=True)
    doctor = commands.add_parser("doctor", help="check Python, packages, the local model, endpoints, dspy")
    doctor.add_argument(
        "--endpoint",
        action="append",
        type=_endpoint,
        default=[],
        metavar="NAME=PROVIDER,BASE_URL[,KEY_ENV]",
        help="an LM endpoint to check (repeatable); the key variable is read, never printed",
    )
    doctor.add_argument("--no-local", action="store_true", help="skip the local model checks")
    args = parser.parse_args(argv)
    results = run_checks(engine_checks(args.endpoint, local=not args.no_local))
    print(render(results))
    return 1 if any(row.failed for row in results) else 0


if __name__ == "__main__":
    sys.exit(main())
