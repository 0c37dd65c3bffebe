"""Platform benchmark: REST ``execute`` latency with a cached LM, and SQL queries of a GraphQL list.

    python bench/platform_bench.py [--calls 300]

Runs Django in-process on a fresh SQLite file (the zero-setup default) against the stub
OpenAI-compatible server in its own process. REST requests go through DRF's test client (the full
Django stack: middleware, token auth, throttling, services, Execution + trace rows), so the
numbers are the platform's own cost, without a network hop. For comparison it also times the
bare engine call (Predict on the same cached LM).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _common import print_table, save, stub_server

ANSWER = "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"


def setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DSPEX_EXECUTE_THROTTLE"] = "1000000/min"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dspex_project.settings")
    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    call_command("migrate", verbosity=0)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rest_execute_latency(base_url: str, calls: int) -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    import dspex
    from programs.services import program_create, signature_create

    user = get_user_model().objects.create_user("bench", password="bench-password")
    token = Token.objects.create(user=user)
    signature = signature_create(name="qa", spec="question -> answer", owner=user)
    lm_config = {"model": "openai/stub-model", "base_url": base_url, "api_key_env": "BENCH_STUB_KEY"}
    program = program_create(name="qa", signature=signature, lm_config=lm_config, owner=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/programs/{program.pk}/execute/"
    body = {"question": "What is the capital of France?"}
    for _ in range(10):  # warm: the first call fills the LM cache
        assert client.post(url, body, format="json").status_code == 200
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        response = client.post(url, body, format="json")
        samples.append((time.perf_counter() - start) * 1e3)
        assert response.status_code == 200, response.content

    lm = dspex.LM(lm_config["model"], base_url=base_url, api_key_env="BENCH_STUB_KEY")
    predict = dspex.Predict("question -> answer")
    predict(lm=lm, **body)
    engine = []
    for _ in range(calls):
        start = time.perf_counter()
        predict(lm=lm, **body)
        engine.append((time.perf_counter() - start) * 1e3)
    return {
        "rest_p50_ms": statistics.median(samples),
        "rest_p99_ms": percentile(samples, 0.99),
        "engine_p50_ms": statistics.median(engine),
    }


GRAPHQL_PROGRAMS = """{ programs(first: 100) { edges { node {
    name signature { name spec } currentVersion { number }
    versions { edges { node { number } } } } } } }"""


def graphql_query_counts(sizes: tuple[int, ...]) -> dict[str, int | float]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from programs.models import Program
    from programs.services import program_create, program_version_create, signature_create

    user = get_user_model().objects.create_user("graph", password="graph-password")
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    signature = signature_create(name="graph-qa", spec="question -> answer", owner=user)
    results: dict[str, int | float] = {}
    for size in sizes:
        while Program.objects.filter(owner=user).count() < size:
            index = Program.objects.filter(owner=user).count()
            program = program_create(name=f"g{index:03d}", signature=signature, owner=user)
            program_version_create(program=program, state=program.current_version.state, created_by=user)
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.post("/graphql/", {"query": GRAPHQL_PROGRAMS}, format="json")
            elapsed = (time.perf_counter() - start) * 1e3
        data = response.json()
        assert "errors" not in data, data
        assert len(data["data"]["programs"]["edges"]) == size
        results[f"queries_{size}"] = len(queries.captured_queries)
        results[f"ms_{size}"] = elapsed
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        with stub_server(default=ANSWER) as base_url:
            rest = rest_execute_latency(base_url, args.calls)
        graph = graphql_query_counts((10, 100))
    print_table(
        f"REST POST /api/programs/{{id}}/execute/, cached LM, {args.calls} calls",
        [
            ("p50 ms", f"{rest['rest_p50_ms']:.2f}", f"engine Predict p50 {rest['engine_p50_ms']:.3f}", ""),
            ("p99 ms", f"{rest['rest_p99_ms']:.2f}", "", ""),
        ],
    )
    print_table(
        "GraphQL: programs with signature, current version and versions",
        [
            ("SQL queries, 10 programs", str(graph["queries_10"]), "", ""),
            (
                "SQL queries, 100 programs",
                str(graph["queries_100"]),
                "",
                "constant" if graph["queries_10"] == graph["queries_100"] else "GROWS",
            ),
            ("ms, 100 programs", f"{graph['ms_100']:.1f}", "", ""),
        ],
    )
    print(f"\nsaved {save('platform', {'rest_execute': rest, 'graphql_programs': graph})}")


if __name__ == "__main__":
    main()
