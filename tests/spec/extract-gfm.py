"""Writes gfm-0.29.json: the GitHub Flavored Markdown extension examples (tables, strikethrough,
task lists) as pulldown-cmark's own test suite carries them, read from the crate in the cargo
registry. Run from the repository root after a build has fetched the crate:

    python3 tests/spec/extract-gfm.py
"""

import glob
import json
import re
from pathlib import Path

SUITE = sorted(glob.glob(str(Path.home() / ".cargo/registry/src/*/pulldown-cmark-0.13.*/tests/suite")))[-1]
TEST = re.compile(
    r'fn (gfm_\w+)_test_(\d+)\(\) \{\s*let original = r##"(.*?)"##;\s*let expected = r##"(.*?)"##;', re.S
)

examples = []
for name in ["gfm_table", "gfm_strikethrough", "gfm_tasklist"]:
    text = Path(SUITE, f"{name}.rs").read_text()
    for section, number, markdown, html in TEST.findall(text):
        examples.append({"section": section, "number": int(number), "markdown": markdown, "html": html})
out = Path(__file__).with_name("gfm-0.29.json")
out.write_text(json.dumps(examples, indent=1, ensure_ascii=False) + "\n")
print(f"{len(examples)} examples from {SUITE}")
