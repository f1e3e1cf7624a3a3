"""The browser tests' harness can fail: the guard refuses another host and reports a page that
breaks its own Content-Security-Policy, axe-core's check fails on a missing label, and
Chromium's fake camera films the QR video the tests write (the till's camera scan relies on
it). Each runs on the app's own `/` page, changed in the browser where a fault is needed."""

from __future__ import annotations

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from tests.browser.support import write_qr_video

CARD_URL = "https://cjeunedeprovence.fr/carte/7K3M0QAZW9T2XB"


async def test_a_request_to_another_host_is_refused_and_reported(page: Page, guard):
    elsewhere = "http://127.0.0.2:9/font.woff2"  # loopback: refused before it leaves anyway

    with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_CLIENT"):
        await page.goto(elsewhere)

    assert guard.outside == [elsewhere]
    with pytest.raises(pytest.fail.Exception, match="requested another host"):
        guard.check()  # what the `page` fixture does after each test
    assert guard.outside == []


async def test_a_script_the_pages_policy_refuses_is_reported(page: Page, guard):
    await page.goto("/")

    async with page.expect_console_message(lambda m: m.type == "error"):
        await page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "document.title = 'injected'";
              document.body.append(script);
            }"""
        )

    assert await page.title() != "injected"  # the CSP held
    assert any("Content Security Policy" in problem for problem in guard.broken)
    with pytest.raises(pytest.fail.Exception, match="Content Security Policy"):
        guard.check()


async def test_the_accessibility_check_fails_on_a_field_without_a_label(
    page: Page, check_accessibility
):
    await page.goto("/")
    assert await check_accessibility(page) is not None  # the page as served passes

    await page.evaluate(
        "() => document.querySelector('main').append(document.createElement('input'))"
    )

    with pytest.raises(pytest.fail.Exception) as failure:
        await check_accessibility(page)
    report = str(failure.value)
    assert "- label (critical): Form elements must have labels" in report
    assert "dequeuniversity.com/rules/axe/" in report and "\n    at input: Fix any of" in report


async def test_the_fake_camera_films_the_qr_video(camera_page, tmp_path):
    page = await camera_page(write_qr_video(CARD_URL, tmp_path / "card.y4m"))
    await page.goto("/")  # a secure context (127.0.0.1): getUserMedia is offered

    # One frame of the camera, drawn to a canvas as a QR decoder does: its size, its white
    # corners, and dark modules in the middle.
    seen = await page.evaluate(
        """async () => {
          const stream = await navigator.mediaDevices.getUserMedia({video: true});
          const video = document.createElement("video");
          video.muted = true;
          video.srcObject = stream;
          await video.play();
          while (video.videoWidth === 0) await new Promise(r => requestAnimationFrame(r));
          const canvas = document.createElement("canvas");
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          const context = canvas.getContext("2d");
          context.drawImage(video, 0, 0);
          const luma = (x, y) => context.getImageData(x, y, 1, 1).data[1];
          const middle = context.getImageData(170, 90, 300, 300).data;
          let dark = 0;
          for (let i = 1; i < middle.length; i += 4) if (middle[i] < 128) dark++;
          stream.getTracks().forEach(track => track.stop());
          return {
            width: canvas.width, height: canvas.height,
            corners: [luma(5, 5), luma(634, 474)], dark: dark / (300 * 300),
          };
        }"""
    )

    assert (seen["width"], seen["height"]) == (640, 480)
    assert min(seen["corners"]) > 230
    assert 0.25 < seen["dark"] < 0.75
