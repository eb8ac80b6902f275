"""report.html in headless Chromium: it loads without console errors, every image decodes, the
answers table is there, and a screenshot is saved for a person to look at."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "results.json"
CHECK = """<!DOCTYPE html><html><body>
<iframe id="page" src="report.html" style="width:1280px;height:1000px"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {
  var doc = this.contentDocument, images = Array.from(doc.images);
  var result = {
    images: images.length,
    undecoded: images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).map(function (i) { return i.alt; }),
    answers: doc.querySelectorAll("table.answers tbody tr").length,
    first_table_is_answers: doc.querySelector("table").classList.contains("answers"),
  };
  var out = document.createElement("pre");
  out.id = "result";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script></body></html>"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("no headless Chromium on this machine (.ci/run installs Debian's chromium)")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("html")
    shutil.copy(FIXTURE, run_dir / "results.json")
    done = run_cli("report", run_dir)
    assert done.returncode == 0, done.stderr
    (run_dir / "check.html").write_text(CHECK)
    return run_dir


def headless(*args, timeout=120):
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
               "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def test_the_page_loads_without_console_errors_and_every_image_decodes(page):
    done = headless("--dump-dom", (page / "check.html").as_uri())
    found = re.search(r'<pre id="result">(.*?)</pre>', done.stdout)
    assert found, done.stderr[-2000:]
    result = json.loads(found.group(1).replace("&quot;", '"'))
    assert result["images"] >= 1 and result["undecoded"] == []
    assert result["first_table_is_answers"] and result["answers"] == 14
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line and "report.html" in line]
    assert console == []


def test_a_screenshot_of_the_first_screen_is_saved(page):
    shot = page / "first-screen.png"
    done = headless(f"--screenshot={shot}", "--window-size=1280,1000", (page / "report.html").as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000, done.stderr[-2000:]
