"""One browser check: headless Chromium logs into the admin, fills a program's "Try it" form,
submits it and reads the output from the page (the program's LM is the stub server)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from programs.models import Execution
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db(transaction=True)

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,1024",
)  # fmt: skip


def _find(env: str, *candidates: str) -> str | None:
    for candidate in (os.environ.get(env), *candidates):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


@pytest.fixture
def browser() -> Iterator[Any]:
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed (pip install -e .[dev])"
    )
    chromium = _find("DSPEX_CHROMIUM", "/usr/bin/chromium", "chromium", "chromium-browser")
    driver_path = _find("DSPEX_CHROMEDRIVER", "/usr/bin/chromedriver", "chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip(
            "needs Chromium and its driver (Debian: apt-get install chromium chromium-driver; "
            f"found chromium={chromium}, chromedriver={driver_path}); .ci/run installs them in CI"
        )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="dspex-chromium-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_the_try_it_form_runs_the_program_and_shows_the_answer(
    live_server, browser, openai_stub, qa_program, admin_user
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    openai_stub.script(reply(answer="Paris"))
    wait = WebDriverWait(browser, 20)

    browser.get(live_server.url + reverse("admin:login"))
    browser.find_element(By.NAME, "username").send_keys(admin_user.username)
    browser.find_element(By.NAME, "password").send_keys("password")  # pytest-django's admin_user
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.ID, "logout-form")))

    browser.get(live_server.url + reverse("admin:programs_program_change", args=[qa_program.pk]))
    browser.find_element(By.CSS_SELECTOR, "a.dspex-action-execute").click()
    question = wait.until(ec.presence_of_element_located((By.ID, "id_question")))
    question.send_keys("What is the capital of France?")
    browser.find_element(By.ID, "try-it-run").click()

    answer = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "pre.output-value[data-field=answer]"))
    )
    assert answer.text == "Paris"
    assert browser.find_element(By.ID, "try-it-status").text == "Succeeded"
    trace = browser.find_element(By.ID, "lm-call-1").text
    assert "What is the capital of France?" in trace
    assert "cache hit: no" in trace
    execution = Execution.objects.get()
    assert execution.inputs == {"question": "What is the capital of France?"}
    assert execution.created_by == admin_user
