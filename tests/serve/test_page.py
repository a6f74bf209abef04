"""The web page in a real headless Chromium (Debian's ``chromium``) driven by Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ..conftest import save_photo
from .conftest import Server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(
        "chromium is not installed (apt-get install chromium; .ci/run installs it)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_upload_score_map_and_sort(server: Server, tmp_path: Path) -> None:
    images = [
        save_photo(tmp_path / "garden.png", 300, 420, seed=1),
        save_photo(tmp_path / "street.jpg", 260, 260, seed=2),
        save_photo(tmp_path / "portrait.png", 420, 300, seed=3),
    ]
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    shots = Path(os.environ.get("MACLIP_SCREENSHOT_DIR", tmp_path))  # to look at them
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        requests_outside: list[str] = []
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((server.url, "blob:", "data:"))
                else requests_outside.append(r.url)
            ),
        )
        page.goto(server.url)
        sync_api.expect(page.locator("#model")).to_contain_text("TinyRN")

        # Keyboard only: Tab reaches the file picker, Space opens it.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "files"
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files([str(p) for p in images])
        cards = page.locator("#results > li")
        sync_api.expect(cards).to_have_count(3)
        sync_api.expect(page.locator("#status")).to_have_text("3 scored.", timeout=30_000)
        scores = page.locator(".score .q")
        values = [float(text) for text in scores.all_inner_texts()]
        assert len(values) == 3 and all(v > 0 for v in values)
        # Bars for Q_sim, Q_mag and the weights, exposed as meters.
        assert page.get_by_role("meter").count() == 12
        # The quality map overlay is shown (a PNG data URL), and can be turned off.
        first_image = cards.first.locator("img")
        assert first_image.get_attribute("src").startswith("data:image/png;base64,")
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "scored.png"), full_page=True)
        page.get_by_label("Show quality maps").uncheck()
        assert first_image.get_attribute("src").startswith("blob:")
        page.get_by_label("Show quality maps").check()

        # Sorting by quality orders the cards by Q.
        page.get_by_label("Sort").select_option("best")
        best_first = [float(t) for t in scores.all_inner_texts()]
        assert best_first == sorted(values, reverse=True)
        page.get_by_label("Sort").select_option("worst")
        assert [float(t) for t in scores.all_inner_texts()] == sorted(values)

        # A bad file shows its reason and the others stay.
        page.get_by_label("choose files").set_input_files(str(notes))
        alert = page.get_by_role("alert")
        sync_api.expect(alert).to_contain_text("not an image")
        sync_api.expect(page.locator("#status")).to_have_text("3 scored, 1 failed.")
        page.screenshot(path=str(shots / "sorted-with-error.png"), full_page=True)
        browser.close()
    assert requests_outside == []
