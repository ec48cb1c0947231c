import re

import pytest

from core.text import InputError, clean_text, escape_markdown, require_text


def test_clean_text_strips_control_characters_and_keeps_cjk_and_emoji():
    assert clean_text("  花\x00谢了 🌹\x07\r\nthanks\t!  ") == "花谢了 🌹\nthanks\t!"


@pytest.mark.parametrize("text", [None, "", "   ", "\x00\x01\n\t"])
def test_require_text_refuses_empty_input(text):
    with pytest.raises(InputError, match="empty"):
        require_text(text, "complaint")


def test_escape_markdown_shows_html_links_and_images_verbatim():
    escaped = escape_markdown("<script>x</script> ![a](http://e/x.png) **b** $1")
    assert re.search(r"(?<!\\)[<>\[\]()*$!]", escaped) is None  # every special char escaped
    assert escaped.replace("\\", "") == "<script>x</script> ![a](http://e/x.png) **b** $1"
