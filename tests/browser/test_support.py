"""The browser tests' own helpers that need no browser: the fake camera's video, the text a
QWERTY QR reader types on an AZERTY computer, screenshot names, axe-core's report."""

from __future__ import annotations

from PIL import Image

from tests.browser.support import (
    FRAME_SIZE,
    Y4M_HEADER,
    accessibility_report,
    azerty_garbled,
    blocking_violations,
    qr_frame,
    screenshot_name,
    write_qr_video,
    y4m_frame,
)

CARD_URL = "https://cjeunedeprovence.fr/carte/7K3M0QAZW9T2XB"


def test_a_qwerty_reader_on_an_azerty_layout_garbles_the_url_as_in_the_shops():
    typed = azerty_garbled(CARD_URL)

    assert typed.startswith("httpsM!!cjeunedeprovence:fr!cqrte!")  # `https://` as `httpsM!!`
    assert typed.endswith('èK"?àAQWZçTéXB')  # digits unshifted, a↔q, z↔w, M as ?
    assert azerty_garbled("1234567890") == "&é\"'(-è_çà"


def test_the_qr_frame_is_a_white_640_by_480_picture_with_the_code_in_its_middle():
    frame = qr_frame(CARD_URL).convert("L")

    assert frame.size == FRAME_SIZE
    assert frame.getpixel((10, 10)) == 255 and frame.getpixel((630, 470)) == 255
    middle = frame.crop((170, 90, 470, 390))  # the 300 px square of the code
    assert middle.getextrema() == (0, 255)  # dark modules on white
    dark = sum(middle.histogram()[:128]) / (300 * 300)
    assert 0.25 < dark < 0.75


def test_the_video_is_y4m_4_2_0_frames_of_the_qr(tmp_path):
    video = write_qr_video(CARD_URL, tmp_path / "card.y4m")

    data = video.read_bytes()
    frame_bytes = len(b"FRAME\n") + 640 * 480 + 2 * (320 * 240)
    assert data.startswith(Y4M_HEADER)
    assert len(data) == len(Y4M_HEADER) + 10 * frame_bytes
    first = data[len(Y4M_HEADER) : len(Y4M_HEADER) + frame_bytes]
    assert first.startswith(b"FRAME\n")
    luma = Image.frombytes("L", FRAME_SIZE, first[6 : 6 + 640 * 480])
    assert luma.tobytes() == qr_frame(CARD_URL).convert("YCbCr").split()[0].tobytes()
    chroma = first[6 + 640 * 480 :]
    assert set(chroma) == {128}  # black and white: no colour


def test_a_frame_of_another_size_is_refused():
    try:
        y4m_frame(Image.new("RGB", (320, 240), "white"))
    except ValueError as error:
        assert "640×480" in str(error)
    else:
        raise AssertionError("a 320×240 frame was accepted")


def test_screenshot_names_say_the_test_the_label_and_the_width():
    assert screenshot_name("test_till", "", 360) == "test_till-360.png"
    assert (
        screenshot_name("test_till[AZERTY]", "ticket", 1280) == "test_till_AZERTY_-ticket-1280.png"
    )


def test_the_accessibility_report_names_rule_impact_elements_and_help():
    violations = [
        {"id": "region", "impact": "moderate", "help": "…", "helpUrl": "h", "nodes": []},
        {
            "id": "label",
            "impact": "critical",
            "help": "Form elements must have labels",
            "helpUrl": "https://dequeuniversity.com/rules/axe/4.12/label",
            "nodes": [{"target": ["#code"], "failureSummary": "Fix any of the following:\n x"}],
        },
    ]

    blocking = blocking_violations(violations)
    report = accessibility_report("http://127.0.0.1/partenaires/caisse", blocking)

    assert [v["id"] for v in blocking] == ["label"]
    assert "- label (critical): Form elements must have labels — https://deque" in report
    assert "at #code: Fix any of the following:  x" in report
