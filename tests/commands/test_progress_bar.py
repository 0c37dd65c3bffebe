"""The commands' progress bar: redrawn in place on a terminal, one final line elsewhere."""

from __future__ import annotations

import io

from core.terminal_progress import Progress


def test_off_a_terminal_it_prints_only_a_final_line():
    err, out = io.StringIO(), io.StringIO()
    with Progress(4, stream=err, label="executing") as bar:
        for i in range(4):
            bar.write(f"line {i}", out)
            bar.advance()
    assert err.getvalue().count("\n") == 1
    assert "\r" not in err.getvalue()
    assert err.getvalue().startswith("executing [") and " 4/4 " in err.getvalue()
    assert out.getvalue() == "line 0\nline 1\nline 2\nline 3\n"


def test_on_a_terminal_it_redraws_one_line():
    err, out = io.StringIO(), io.StringIO()
    bar = Progress(2, stream=err, label="x", width=10, tty=True)
    bar.advance()
    bar.write("a prediction", out)
    bar.advance()
    bar.close()
    text = err.getvalue()
    assert "\r\033[K" in text
    assert "[#####.....] 1/2" in text
    assert text.endswith("[##########] 2/2 " + text.rsplit(" ", 1)[-1])
    assert out.getvalue() == "a prediction\n"


def test_a_bar_of_nothing_is_full():
    err = io.StringIO()
    Progress(0, stream=err, width=4).close()
    assert "[####] 0/0" in err.getvalue()
