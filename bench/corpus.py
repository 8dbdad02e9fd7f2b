#!/usr/bin/env python3
"""Writes the benchmark corpus: one set of pages as a juxta project, a Hugo project and an
mdBook book, so that the three tools build the same Markdown.

    python3 bench/corpus.py 10000 /dev/shm/juxta-bench/10000

The corpus is deterministic: the same N gives byte-identical files. N pages are spread over N/100
sections (at least one). Each page has TOML front matter (title, date, description, tags) and
1.5-3 KB of Markdown: headings, emphasis, inline code, lists, a GFM table, a fenced code block with
a language, 3-5 relative links to other pages and a footnote. Every 20th page shows the
comparison dataset `data/bench.toml` (a table component in juxta, a shortcode in Hugo; mdBook has
no data files, so its copy of those pages carries the same table as Markdown). Every page's
template lists the pages of its section, as real navigation does.

`juxta/` builds no search index, as the peers have none. Variants of it hold the same content:

- `juxta-defaults/`: what `juxta build` does out of the box, search index and highlighting on;
- `juxta-no-hl/`: the same with highlighting off (the difference is highlighting's share);
- `juxta-flat/` and `juxta-plain/`: for the comparison with the pulldown-cmark floor, which
  writes only the rendered Markdown, a page template without navigation, code highlighted in
  the first (as in `juxta/`) and not in the second (the floor has none).

`--variants` names the ones to write (all by default); `--no-variants` writes none.

Each code block is one of a few snippets with the page's own numbers and words in it, so that no
two pages have the same block: a highlighter that remembered blocks would gain nothing here that
a real site, which rarely repeats code, would not.
"""

import argparse
import datetime
import random
import re
import shutil
import sys
from pathlib import Path

WORDS = (
    "device gateway sensor network packet broker topic payload latency battery radio mesh cloud "
    "edge telemetry firmware protocol message session bandwidth uplink downlink meter signal "
    "channel frame register modem cellular subscriber reading fleet asset tracker valve pump "
    "controller relay module antenna coverage spectrum backhaul security certificate key token "
    "update rollout dashboard alert threshold sample interval schedule buffer queue retry "
    "acknowledgement handshake address route node cluster region tenant account billing plan "
    "vendor standard profile object resource endpoint server client poll push event stream"
).split()

# Snippets with a word `{w}` and numbers `{a}`, `{b}` drawn for each page.
LANGUAGES = {
    "rust": 'fn {w}_main() {{\n    let reading = sensor::read({a});\n    println!("{{}} mV", reading * {b});\n}}',
    "python": "def publish_{w}(client, topic, value):\n    payload = {{'v': value, 'n': {a}}}\n    client.send(topic, payload, qos={b})",
    "json": '{{\n  "device": "{w}-{a}",\n  "reading": {b}.5,\n  "unit": "kWh"\n}}',
    "c": "int main(void) {{\n    uint16_t {w} = adc_read({a});\n    uart_send(&{w}, sizeof {w});\n    return {b};\n}}",
    "bash": "for node in $(seq 1 {a}); do\n  ping -c 1 \"10.0.{b}.$node\" >/dev/null && echo \"{w} $node up\"\ndone",
    "yaml": "device:\n  id: {w}-{a}\n  interval: {b}\n  server: broker.local",
}

SUBJECTS = [("iot", "IoT"), ("m2m", "M2M")]
DIMENSIONS = [
    ("reach", "Reach", "Internet-wide", "Point to point"),
    ("scale", "Scale", "Millions of devices", "Hundreds of devices"),
    ("protocols", "Protocols", "IP-based", "Often proprietary"),
    ("cloud", "Cloud", "Central to the design", "Optional"),
    ("integration", "Integration", "Open APIs", "Closed systems"),
    ("analytics", "Analytics", "Across fleets", "Per device"),
    ("power", "Power", "Often battery", "Often mains"),
    ("cost", "Cost per node", "Low", "Moderate"),
]


def sections(n):
    return max(1, n // 100)


def page_ids(n):
    """(section, page) pairs in order: page k of the corpus lives in section k // 100."""
    count = sections(n)
    per = -(-n // count)
    return [(k // per, k % per) for k in range(n)]


def sentence(rng, words=None):
    words = words or rng.randint(8, 16)
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng, sentences=None):
    return " ".join(sentence(rng) for _ in range(sentences or rng.randint(2, 4)))


class Page:
    """One page's Markdown, written once with links in each tool's form."""

    def __init__(self, n, ids, index, rng):
        self.section, self.number = ids[index]
        self.rng = rng
        self.title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {self.section}.{self.number}"
        self.date = datetime.date(2024, 1, 1) + datetime.timedelta(days=index % 700)
        self.description = sentence(rng, 10)
        self.tags = sorted({rng.choice(WORDS) for _ in range(3)})
        self.comparison = index % 20 == 0
        targets = [ids[rng.randrange(n)] for _ in range(rng.randint(3, 5))]
        self.blocks = self._blocks(targets)

    def _blocks(self, targets):
        rng = self.rng
        links = list(targets)
        blocks = []

        def inline_extra():
            return f"The **{rng.choice(WORDS)}** value is set by `{rng.choice(WORDS)}_{rng.randint(1, 99)}`"

        blocks.append(("p", f"{paragraph(rng)} {inline_extra()}, see ", links.pop(), f". {sentence(rng)}"))
        blocks.append(("h2", f"{rng.choice(WORDS).capitalize()} and {rng.choice(WORDS)}"))
        blocks.append(("p", f"{paragraph(rng)} *{rng.choice(WORDS)} {rng.choice(WORDS)}* matters here."))
        items = [sentence(rng, 6) for _ in range(rng.randint(3, 5))]
        blocks.append(("list", items, links.pop()))
        columns = ["Setting", "Default", "Range"]
        rows = [
            [f"`{rng.choice(WORDS)}`", str(rng.randint(1, 500)), f"{rng.randint(0, 9)}-{rng.randint(10, 999)}"]
            for _ in range(rng.randint(3, 5))
        ]
        blocks.append(("table", columns, rows))
        language = rng.choice(sorted(LANGUAGES))
        code = LANGUAGES[language].format(w=rng.choice(WORDS), a=rng.randint(1, 999), b=rng.randint(1, 999))
        blocks.append(("code", language, code))
        blocks.append(("p", f"{paragraph(rng)} The footnote explains why[^note]. See ", links.pop(), "."))
        if self.comparison:
            blocks.append(("comparison",))
        blocks.append(("h3", f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}"))
        blocks.append(("ordered", [sentence(rng, 7) for _ in range(3)]))
        for target in links:
            blocks.append(("p", f"{paragraph(rng, 2)} Related: ", target, "."))
        # Pad to a size drawn between 1.5 and 3 KB.
        target_size = rng.randint(1500, 3000)
        while self.size(blocks) < target_size:
            blocks.append(("p", paragraph(rng)))
        blocks.append(("footnote", sentence(rng, 9)))
        return blocks

    def size(self, blocks):
        return sum(len(str(b)) for b in blocks)

    def markdown(self, link, comparison):
        """The body, with `link(section, number)` writing links and `comparison` the dataset's place."""
        out = []
        for block in self.blocks:
            kind = block[0]
            if kind == "p" and len(block) == 4:
                target = block[2]
                out.append(f"{block[1]}[{WORDS[target[1] % len(WORDS)]}]({link(*target)}){block[3]}")
            elif kind == "p":
                out.append(block[1])
            elif kind == "h2":
                out.append(f"## {block[1]}")
            elif kind == "h3":
                out.append(f"### {block[1]}")
            elif kind == "list":
                items = [f"- {item}" for item in block[1]]
                target = block[2]
                items.append(f"- Read [the {WORDS[target[0] % len(WORDS)]} page]({link(*target)}) next")
                out.append("\n".join(items))
            elif kind == "ordered":
                out.append("\n".join(f"{i}. {item}" for i, item in enumerate(block[1], 1)))
            elif kind == "table":
                lines = ["| " + " | ".join(block[1]) + " |", "|" + "---|" * len(block[1])]
                lines += ["| " + " | ".join(row) + " |" for row in block[2]]
                out.append("\n".join(lines))
            elif kind == "code":
                out.append(f"```{block[1]}\n{block[2]}\n```")
            elif kind == "comparison":
                out.append(comparison)
            elif kind == "footnote":
                out.append(f"[^note]: {block[1]}")
        return "\n\n".join(out) + "\n"

    def front_matter(self):
        tags = ", ".join(f'"{t}"' for t in self.tags)
        return (
            f'+++\ntitle = "{self.title}"\ndate = {self.date.isoformat()}\n'
            f'description = "{self.description}"\ntags = [{tags}]\n+++\n\n'
        )


def name(section, number):
    return f"s{section:04}", f"p{number:04}"


def comparison_toml():
    lines = ['kind = "comparison"', 'title = "IoT and M2M at a glance"', ""]
    for sid, sname in SUBJECTS:
        lines += ["[[subjects]]", f'id = "{sid}"', f'name = "{sname}"', ""]
    for did, label, iot, m2m in DIMENSIONS:
        lines += ["[[dimensions]]", f'id = "{did}"', f'label = "{label}"', f'summary = "How each differs in {label.lower()}"', f'values = {{ iot = "{iot}", m2m = "{m2m}" }}', ""]
    return "\n".join(lines)


def comparison_markdown():
    lines = ["| Dimension | IoT | M2M |", "|---|---|---|"]
    lines += [f"| {label} | {iot} | {m2m} |" for _, label, iot, m2m in DIMENSIONS]
    return "\n".join(lines)


JUXTA_TEMPLATES = {
    "base.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{% block title %}{{ site.title }}{% endblock title %}</title>
<link rel="stylesheet" href="{{ url(path='style.css') }}">
</head>
<body>
<nav><a href="{{ url(path='') }}">{{ site.title }}</a></nav>
{% block main %}{% endblock main %}
</body>
</html>
""",
    "page.html": """{% extends "base.html" %}
{% block title %}{{ page.title }} · {{ site.title }}{% endblock title %}
{% block main %}
<aside><h2>{{ page.section.title }}</h2><ul>
{%- for p in page.section.pages %}
<li><a href="{{ p.url }}">{{ p.title }}</a></li>
{%- endfor %}
</ul></aside>
<main>
<h1>{{ page.title }}</h1>
<p><time datetime="{{ page.date }}">{{ page.date }}</time></p>
{{ page.content }}
</main>
{% endblock main %}
""",
    "section.html": """{% extends "base.html" %}
{% block main %}
<main><h1>{{ section.title }}</h1>
<ul>
{%- for p in section.pages %}
<li><a href="{{ p.url }}">{{ p.title }}</a></li>
{%- endfor %}
</ul></main>
{% endblock main %}
""",
    "index.html": """{% extends "base.html" %}
{% block main %}
<main><h1>{{ section.title }}</h1>
<ul>
{%- for s in section.subsections %}
<li><a href="{{ s.url }}">{{ s.title }}</a></li>
{%- endfor %}
</ul></main>
{% endblock main %}
""",
    "404.html": """{% extends "base.html" %}
{% block main %}<main><h1>Not found</h1></main>{% endblock main %}
""",
}

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ block "title" . }}{{ .Site.Title }}{{ end }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
</head>
<body>
<nav><a href="{{ "" | relURL }}">{{ .Site.Title }}</a></nav>
{{ block "main" . }}{{ end }}
</body>
</html>
""",
    "_default/single.html": """{{ define "title" }}{{ .Title }} · {{ .Site.Title }}{{ end }}
{{ define "main" }}
<aside><h2>{{ .CurrentSection.Title }}</h2><ul>
{{- range .CurrentSection.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
</ul></aside>
<main>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time></p>
{{ .Content }}
</main>
{{ end }}
""",
    "_default/list.html": """{{ define "main" }}
<main><h1>{{ .Title }}</h1>
<ul>
{{- range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
</ul></main>
{{ end }}
""",
    "index.html": """{{ define "main" }}
<main><h1>{{ .Site.Title }}</h1>
<ul>
{{- range .Sections }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
</ul></main>
{{ end }}
""",
    "404.html": """{{ define "main" }}<main><h1>Not found</h1></main>{{ end }}
""",
    "shortcodes/comparison.html": """{{ $d := .Site.Data.bench }}
<table><caption>{{ $d.title }}</caption>
<thead><tr><th scope="col">Dimension</th>{{ range $d.subjects }}<th scope="col">{{ .name }}</th>{{ end }}</tr></thead>
<tbody>
{{- range $d.dimensions }}{{ $dim := . }}
<tr><th scope="row">{{ .label }}</th>{{ range $d.subjects }}<td>{{ index $dim.values .id }}</td>{{ end }}</tr>
{{- end }}
</tbody></table>
""",
}

STYLE = "body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 0 auto; }\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


CONFIG = 'title = "Bench"\nbase_url = "https://example.com/"\n'
SEARCH_OFF = "\n[search]\nenabled = false\n"
HIGHLIGHT_OFF = "\n[markdown]\nhighlight_code = false\n"
# Each variant: its site.toml, and whether its pages show the section's navigation.
VARIANTS = {
    "juxta-defaults": (CONFIG, True),
    "juxta-no-hl": (CONFIG + HIGHLIGHT_OFF, True),
    "juxta-flat": (CONFIG + SEARCH_OFF, False),
    "juxta-plain": (CONFIG + SEARCH_OFF + HIGHLIGHT_OFF, False),
}


def write_variants(juxta, root, names):
    """Copies of `juxta/` that differ in their site.toml or page template."""
    flat_page = re.sub(r"<aside>.*?</aside>\n", "", JUXTA_TEMPLATES["page.html"], flags=re.S)
    for name_ in names:
        config, navigation = VARIANTS[name_]
        shutil.copytree(juxta, root / name_)
        if not navigation:
            write(root / name_ / "templates/page.html", flat_page)
        write(root / name_ / "site.toml", config)


def main():
    parser = argparse.ArgumentParser(description="Writes the benchmark corpus.")
    parser.add_argument("n", type=int, help="number of pages")
    parser.add_argument("dir", type=Path, help="an empty or absent folder")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="the variants to write, by name")
    parser.add_argument("--no-variants", action="store_true", help="write none of the variants")
    args = parser.parse_args()
    n, root = args.n, args.dir
    if root.exists() and any(root.iterdir()):
        sys.exit(f"{root} is not empty")
    rng = random.Random(n)
    ids = page_ids(n)
    juxta, hugo, book = root / "juxta", root / "hugo", root / "mdbook"

    # The peers build no search index here (Hugo has none; mdBook's is turned off), so neither does
    # `juxta/`; `juxta-defaults/` has it.
    variants = [] if args.no_variants else [v for v in args.variants.split(",") if v]
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        sys.exit(f"unknown variants: {', '.join(sorted(unknown))}; the variants are {', '.join(VARIANTS)}")
    write(juxta / "site.toml", CONFIG + SEARCH_OFF)
    write(hugo / "hugo.toml", HUGO_CONFIG)
    write(book / "book.toml", BOOK_CONFIG)
    for name_, text in JUXTA_TEMPLATES.items():
        write(juxta / "templates" / name_, text)
    for name_, text in HUGO_LAYOUTS.items():
        write(hugo / "layouts" / name_, text)
    write(juxta / "static/style.css", STYLE)
    write(hugo / "static/style.css", STYLE)
    write(juxta / "data/bench.toml", comparison_toml())
    write(hugo / "data/bench.toml", comparison_toml())
    write(juxta / "content/_index.md", '+++\ntitle = "Bench"\n+++\n\nThe benchmark corpus.\n')
    write(hugo / "content/_index.md", '+++\ntitle = "Bench"\n+++\n\nThe benchmark corpus.\n')
    write(book / "src/README.md", "# Bench\n\nThe benchmark corpus.\n")

    summary = ["# Summary", "", "[Bench](README.md)", ""]
    for section in range(sections(n)):
        s = f"s{section:04}"
        front = f'+++\ntitle = "Section {section}"\nweight = {section}\n+++\n\nPages of section {section}.\n'
        write(juxta / "content" / s / "_index.md", front)
        write(hugo / "content" / s / "_index.md", front)
        write(book / "src" / s / "README.md", f"# Section {section}\n\nPages of section {section}.\n")
        summary.append(f"- [Section {section}]({s}/README.md)")
        pages = [number for sec, number in ids if sec == section]
        summary += [f"    - [{s}/p{number:04}]({s}/p{number:04}.md)" for number in pages]

    for index in range(n):
        page = Page(n, ids, index, rng)
        s, p = name(page.section, page.number)

        def juxta_link(section, number, here=page.section):
            ts, tp = name(section, number)
            return f"{tp}.md" if section == here else f"../{ts}/{tp}.md"

        def hugo_link(section, number, here=page.section):
            ts, tp = name(section, number)
            return f"../{tp}/" if section == here else f"../../{ts}/{tp}/"

        front = page.front_matter()
        write(
            juxta / "content" / s / f"{p}.md",
            front + page.markdown(juxta_link, '{{ comparison_table(dataset="bench") }}'),
        )
        write(hugo / "content" / s / f"{p}.md", front + page.markdown(hugo_link, "{{< comparison >}}"))
        write(
            book / "src" / s / f"{p}.md",
            f"# {page.title}\n\n" + page.markdown(juxta_link, comparison_markdown()),
        )
    write(book / "src/SUMMARY.md", "\n".join(summary) + "\n")
    write_variants(juxta, root, variants)


HUGO_CONFIG = """baseURL = "https://example.com/"
title = "Bench"
disableKinds = ["taxonomy", "term"]
[outputs]
home = ["HTML", "RSS"]
section = ["HTML"]
[markup.highlight]
noClasses = false
"""

BOOK_CONFIG = """[book]
title = "Bench"

[output.html]
[output.html.search]
enable = false
"""

if __name__ == "__main__":
    main()
