"""What ProgramOfThought programs ordinarily do still works inside the sealed, filtered child:
arithmetic, the allowed modules, classes, dataclasses, errors, printing."""

from __future__ import annotations

import textwrap

import pytest

from dspex.sandbox import PythonSandbox

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def sandbox():
    return PythonSandbox()


def run_ok(sandbox, code):
    result = sandbox.run(textwrap.dedent(code))
    assert result.ok, result.error
    assert result.confinement == "seccomp"
    return result.value


def test_arithmetic_comprehensions_and_printing(sandbox):
    result = sandbox.run("squares = [i * i for i in range(10) if i % 2]\nprint('sum', sum(squares))\nsquares")
    assert result.ok and result.value == [1, 9, 25, 49, 81] and result.stdout == "sum 165\n"
    numbers = run_ok(sandbox, "2 ** 100 % 97, divmod(17, 5), round(2.675, 2), int('ff', 16)")
    assert numbers == [16, [3, 2], 2.67, 255]
    assert run_ok(sandbox, "len(str(2 ** 10000))") == 3011


def test_math_statistics_decimal_and_fractions(sandbox):
    value = run_ok(
        sandbox,
        """
        import math, statistics, cmath
        from decimal import Decimal, getcontext
        from fractions import Fraction
        getcontext().prec = 20
        SUBMIT({
            "factorial": math.factorial(25), "isqrt": math.isqrt(10 ** 20), "comb": math.comb(10, 3),
            "mean": statistics.mean([1, 2, 3, 4]), "stdev": round(statistics.stdev([1, 2, 3, 4]), 4),
            "decimal": str(Decimal(1) / Decimal(7)), "fraction": str(Fraction(3, 4) + Fraction(1, 6)),
            "complex": str(cmath.sqrt(-4)),
        })
        """,
    )
    assert value == {
        "factorial": 15511210043330985984000000,
        "isqrt": 10**10,
        "comb": 120,
        "mean": 2.5,
        "stdev": 1.291,
        "decimal": "0.14285714285714285714",
        "fraction": "11/12",
        "complex": "2j",
    }


def test_re_json_datetime_and_text(sandbox):
    value = run_ok(
        sandbox,
        """
        import re, json, datetime, textwrap, string, unicodedata, difflib, time, calendar
        when = datetime.datetime.strptime("2024-02-28 10:30", "%Y-%m-%d %H:%M") + datetime.timedelta(days=2)
        SUBMIT({
            "re": re.findall(r"\\d+", "a1b22c333"),
            "json": json.loads(json.dumps({"a": [1, 2.5, None], "b": "é"})),
            "when": when.isoformat(), "weekday": when.strftime("%A"),
            "utc": datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc).isoformat(),
            "leap": calendar.isleap(2024), "clock": time.time() > 0,
            "wrap": textwrap.wrap("the quick brown fox jumps", 10),
            "template": string.Template("$x!").substitute(x="hi"),
            "name": unicodedata.name("é"), "ratio": difflib.SequenceMatcher(None, "abcd", "abed").ratio(),
            "latin": list("é".encode("latin-1")), "idna": "bücher".encode("idna").decode(),
        })
        """,
    )
    assert value == {
        "re": ["1", "22", "333"],
        "json": {"a": [1, 2.5, None], "b": "é"},
        "when": "2024-03-01T10:30:00",
        "weekday": "Friday",
        "utc": "2020-01-01T00:00:00+00:00",
        "leap": True,
        "clock": True,
        "wrap": ["the quick", "brown fox", "jumps"],
        "template": "hi!",
        "name": "LATIN SMALL LETTER E WITH ACUTE",
        "ratio": 0.75,
        "latin": [233],
        "idna": "xn--bcher-kva",
    }


def test_collections_itertools_functools_and_hashing(sandbox):
    value = run_ok(
        sandbox,
        """
        import collections, itertools, functools, operator, heapq, bisect, hashlib, base64, random, copy
        @functools.lru_cache(maxsize=None)
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)
        Point = collections.namedtuple("Point", "x y")
        random.seed(7)
        SUBMIT({
            "counter": collections.Counter("mississippi").most_common(2),
            "pairs": list(itertools.combinations("abc", 2)),
            "fib": fib(90), "product": functools.reduce(operator.mul, range(1, 8)),
            "point": Point(1, 2)._asdict(), "smallest": heapq.nsmallest(2, [5, 1, 4]),
            "slot": bisect.bisect_left([1, 3, 5], 4), "sha": hashlib.sha256(b"abc").hexdigest()[:12],
            "b64": base64.b64encode(b"hi").decode(), "sample": len(random.sample(range(100), 5)),
            "copy": copy.deepcopy({"a": [1, [2]]}),
            "sorted": sorted([{"k": 2}, {"k": 1}], key=operator.itemgetter("k")),
        })
        """,
    )
    assert value["counter"] == [["i", 4], ["s", 4]]
    assert value["pairs"] == [["a", "b"], ["a", "c"], ["b", "c"]]
    assert value["fib"] == 2880067194370816120 and value["product"] == 5040
    assert value["point"] == {"x": 1, "y": 2} and value["smallest"] == [1, 4] and value["slot"] == 2
    assert value["sha"] == "ba7816bf8f01" and value["b64"] == "aGk=" and value["sample"] == 5
    assert value["copy"] == {"a": [1, [2]]} and value["sorted"] == [{"k": 1}, {"k": 2}]


def test_classes_dataclasses_enums_and_typing(sandbox):
    value = run_ok(
        sandbox,
        """
        import dataclasses, enum, typing, abc

        @dataclasses.dataclass(order=True)
        class Item:
            price: float
            name: str = "x"
            tags: list = dataclasses.field(default_factory=list)

        @dataclasses.dataclass(frozen=True)
        class Frozen:
            a: int

        class Color(enum.Enum):
            RED = 1
            GREEN = enum.auto()

        class Shape(abc.ABC):
            @abc.abstractmethod
            def area(self): ...

        class Square(Shape):
            def __init__(self, side: float):
                self.side = side
            def area(self) -> float:
                return self.side ** 2
            def __repr__(self):
                return f"Square({self.side})"

        class Big(Square):
            def __init__(self):
                super().__init__(10)

        def first(items: typing.List[int]) -> typing.Optional[int]:
            return items[0] if items else None

        if __name__ == "__main__":
            SUBMIT({
                "item": dataclasses.asdict(Item(2.5, "pen")), "order": Item(1.0) < Item(2.0),
                "frozen": repr(Frozen(1)), "color": [Color.RED.name, Color(2).name, list(Color.__members__)],
                "area": Big().area(), "repr": repr(Square(2)), "first": first([3]),
            })
        """,
    )
    assert value == {
        "item": {"price": 2.5, "name": "pen", "tags": []},
        "order": True,
        "frozen": "Frozen(a=1)",
        "color": ["RED", "GREEN", ["RED", "GREEN"]],
        "area": 100,
        "repr": "Square(2)",
        "first": 3,
    }


def test_in_memory_text_and_csv(sandbox):
    value = run_ok(
        sandbox,
        """
        import csv, io
        buffer = io.StringIO()
        csv.writer(buffer).writerow(["a", "b,c"])
        rows = list(csv.DictReader(io.StringIO("x,y\\n1,2\\n")))
        SUBMIT({"written": buffer.getvalue(), "rows": rows})
        """,
    )
    assert value == {"written": 'a,"b,c"\r\n', "rows": [{"x": "1", "y": "2"}]}


def test_a_failing_import_can_be_caught_like_a_missing_package(sandbox):
    value = run_ok(
        sandbox,
        """
        try:
            import numpy as np
        except ImportError:
            np = None
        np is None
        """,
    )
    assert value is True


def test_a_forbidden_name_is_reported_with_its_line(sandbox):
    result = sandbox.run("x = 1\nclass A:\n    pass\nA().__dict__")
    assert result.error_type == "PermissionError"
    assert result.error == (
        "PermissionError: sandbox: line 4: the attribute '__dict__' (underscore names and frame internals) "
        "is not allowed in the sandbox"
    )
    syntax = sandbox.run("def f(:\n    pass")
    assert syntax.error_type == "SyntaxError" and "line 1" in syntax.error
