/* juxta's search client. It finds the search box (an element with `data-search`), shows it in
   place of the link to every page that works without JavaScript, and on first use loads the
   index written by `juxta build` with <script> elements, which work from a web host and from
   file:// alike. The box follows the ARIA combobox pattern: `/` focuses it, the arrow keys move
   through the results, Enter opens one, Escape closes the list and then clears the box. */
(function () {
  "use strict";

  var SECTIONS = 64;
  var SHOWN = 10;
  var STOP = {};
  ("an and are as at be but by for from has have in is it its of on or so that the this to was were " +
    "will with").split(" ").forEach(function (w) { STOP[w] = true; });
  var WORD = /[\p{Alphabetic}\p{N}]+/gu;

  var api = (typeof window !== "undefined" ? window : globalThis).juxtaSearch = {};

  // --- Words, as the index was built (src/search.rs: terms, fold, stem) -----------------------

  function fold(word) {
    return word.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function ends(word, suffixes) {
    for (var i = 0; i < suffixes.length; i++) {
      if (word.slice(-suffixes[i].length) === suffixes[i]) return true;
    }
    return false;
  }

  function stem(word) {
    var n = Array.from(word).length;
    if (n > 4 && ends(word, ["ies"])) word = word.slice(0, -3) + "y";
    else if (ends(word, ["sses"]) || (n > 4 && ends(word, ["xes", "ches", "shes", "zes"]))) {
      word = word.slice(0, -2);
    } else if (n > 3 && ends(word, ["s"]) && !ends(word, ["ss", "us", "is"])) word = word.slice(0, -1);
    n = Array.from(word).length;
    if (n >= 7 && ends(word, ["ing"])) word = word.slice(0, -3);
    else if (n >= 6 && ends(word, ["ed"])) word = word.slice(0, -2);
    return word;
  }

  /* The index term of one word, or "" for a stop word or a one-letter word. */
  function term(word) {
    var folded = fold(word);
    return Array.from(folded).length < 2 || STOP[folded] ? "" : stem(folded);
  }

  function terms(text) {
    var out = [];
    (text.match(WORD) || []).forEach(function (w) {
      var t = term(w);
      if (t) out.push(t);
    });
    return out;
  }

  /* For tests: the index terms of a text, exactly as the index was built. */
  api.normalize = terms;

  // --- Loading the index -----------------------------------------------------------------------

  var root = "";
  var manifest = null;
  var tables = {};
  var records = {};
  var loading = {};

  function load(file) {
    if (!loading[file]) {
      loading[file] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = root + "search/" + file;
        script.async = true;
        script.onload = resolve;
        script.onerror = function () {
          delete loading[file];
          reject(new Error("could not load search/" + file));
        };
        document.head.appendChild(script);
      });
    }
    return loading[file];
  }

  function storeRecords(first, list) {
    for (var i = 0; i < list.length; i++) records[first + i] = list[i];
  }

  api.index = function (m) {
    manifest = m;
    if (m.depth === 0) {
      tables[""] = m.t;
      storeRecords(0, m.d);
    }
  };
  api.terms = function (key, table) { tables[key] = table; };
  api.docs = function (_, first, list) { storeRecords(first, list); };

  function shardKey(t) {
    return manifest.depth === 0 ? "" : Array.from(t).slice(0, manifest.depth).join("");
  }

  function fileKey(key) {
    return Array.from(key).map(function (c) {
      return /^[A-Za-z0-9]$/.test(c) ? c : "_" + c.codePointAt(0).toString(16);
    }).join("");
  }

  function loadTables(keys) {
    return Promise.all(keys.map(function (key) {
      if (tables[key] || manifest.depth === 0 || manifest.terms.indexOf(key) < 0) return null;
      return load("t-" + fileKey(key) + ".js");
    }));
  }

  function loadRecords(pages) {
    if (manifest.depth === 0) return Promise.resolve();
    var shards = {};
    pages.forEach(function (p) {
      if (records[p]) return;
      var n = 0;
      while (n + 1 < manifest.docs.length && manifest.docs[n + 1] <= p) n++;
      shards[n] = true;
    });
    return Promise.all(Object.keys(shards).map(function (n) { return load("d-" + n + ".js"); }));
  }

  // --- Ranking ---------------------------------------------------------------------------------

  function distance(a, b, most) {
    a = Array.from(a);
    b = Array.from(b);
    if (Math.abs(a.length - b.length) > most) return most + 1;
    var before = [], row = [], i, j;
    for (j = 0; j <= b.length; j++) row[j] = j;
    for (i = 1; i <= a.length; i++) {
      var next = [i];
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var d = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
        next[j] = d;
      }
      before = row;
      row = next;
    }
    return row[b.length];
  }

  /* The index terms a query term stands for, with a factor: itself (1), words it begins when it is
     the word being typed (0.7), and when neither exists, words one or two typos away (0.5). */
  function expand(q, table, typing) {
    var found = [];
    if (table.hasOwnProperty(q)) found.push([q, 1]);
    if (typing && Array.from(q).length >= 2) {
      for (var t in table) {
        if (t !== q && t.lastIndexOf(q, 0) === 0) found.push([t, 0.7]);
        if (found.length > 60) break;
      }
    }
    var length = Array.from(q).length;
    if (!found.length && length >= 4) {
      var most = length >= 8 ? 2 : 1;
      for (var u in table) {
        if (distance(q, u, most) <= most) found.push([u, 0.5]);
      }
    }
    return found;
  }

  function rank(queryTerms, typed) {
    var pages = {};
    queryTerms.forEach(function (q, qi) {
      var table = tables[shardKey(q)] || {};
      var typing = typed && qi === queryTerms.length - 1;
      expand(q, table, typing).forEach(function (pair) {
        var list = table[pair[0]];
        var seen = {}, count = 0, doc = 0, i;
        for (i = 0; i < list.length; i += 2) {
          doc += list[i];
          var p = Math.floor(doc / SECTIONS);
          if (!seen[p]) { seen[p] = true; count++; }
        }
        var weight = pair[1] * Math.log(1 + manifest.pages / count);
        for (doc = 0, i = 0; i < list.length; i += 2) {
          doc += list[i];
          var page = Math.floor(doc / SECTIONS), section = doc % SECTIONS;
          var entry = pages[page] || (pages[page] = { page: page, sections: {}, matched: {}, words: {} });
          entry.sections[section] = (entry.sections[section] || 0) + list[i + 1] * weight;
          entry.matched[qi] = true;
          entry.words[pair[0]] = true;
        }
      });
    });
    var results = Object.keys(pages).map(function (key) {
      var entry = pages[key], best = -1, top = 0, rest = 0;
      for (var s in entry.sections) {
        var score = entry.sections[s];
        if (score > top) { rest += top; top = score; best = +s; } else rest += score;
      }
      var coverage = Object.keys(entry.matched).length / queryTerms.length;
      entry.score = (top + 0.25 * rest) * coverage * coverage;
      entry.best = best;
      return entry;
    });
    results.sort(function (a, b) { return b.score - a.score || a.page - b.page; });
    return results;
  }

  // --- Excerpts --------------------------------------------------------------------------------

  function escape(text) {
    return text.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function matches(word, found, prefixes) {
    var t = term(word);
    if (!t) return false;
    if (found[t]) return true;
    for (var i = 0; i < prefixes.length; i++) if (t.lastIndexOf(prefixes[i], 0) === 0) return true;
    return false;
  }

  /* `text` with the matched words in <mark>; a window of about `size` characters around the first
     match when `size` is given. */
  function highlight(text, found, prefixes, size) {
    var spans = [], m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      if (matches(m[0], found, prefixes)) spans.push([m.index, m.index + m[0].length]);
    }
    var start = 0, end = text.length;
    if (size && text.length > size) {
      var first = spans.length ? spans[0][0] : 0;
      start = Math.max(0, first - Math.floor(size / 3));
      if (start > 0) start = text.indexOf(" ", start) + 1 || start;
      end = Math.min(text.length, start + size);
      if (end < text.length) end = text.lastIndexOf(" ", end) > start ? text.lastIndexOf(" ", end) : end;
    }
    var out = start > 0 ? "… " : "", at = start;
    spans.forEach(function (span) {
      if (span[0] < start || span[1] > end) return;
      out += escape(text.slice(at, span[0])) + "<mark>" + escape(text.slice(span[0], span[1])) + "</mark>";
      at = span[1];
    });
    return out + escape(text.slice(at, end)) + (end < text.length ? " …" : "");
  }

  // --- The search box --------------------------------------------------------------------------

  function setUp(box) {
    var input = box.querySelector("input");
    var list = box.querySelector("[role=listbox]");
    var status = box.querySelector("[role=status]");
    var count = box.querySelector(".search-count");
    var popup = box.querySelector(".search-popup");
    root = box.getAttribute("data-root") || "";
    var active = -1, options = [], generation = 0, timer = 0;

    box.hidden = false;
    document.querySelectorAll("[data-search-fallback]").forEach(function (e) { e.hidden = true; });

    function start() {
      return manifest ? Promise.resolve() : load("index.js");
    }

    function open(show) {
      popup.hidden = !show;
      input.setAttribute("aria-expanded", show ? "true" : "false");
      if (!show) select(-1);
    }

    function select(i) {
      if (options[active]) options[active].setAttribute("aria-selected", "false");
      active = i;
      if (options[i]) {
        options[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(query, ranked, found, prefixes) {
      list.textContent = "";
      options = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      ranked.slice(0, SHOWN).forEach(function (entry, i) {
        var record = records[entry.page];
        var section = record[2][entry.best] || record[2][0];
        var option = document.createElement("a");
        option.id = "search-result-" + i;
        option.className = "search-result";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.tabIndex = -1;
        option.href = root + record[0] + (section[0] ? "#" + encodeURIComponent(section[0]) : "");
        var title = highlight(record[1], found, prefixes);
        if (section[1]) title += " <span aria-hidden=\"true\">›</span> " + highlight(section[1], found, prefixes);
        option.innerHTML = "<span class=\"search-result-title\">" + title + "</span>" +
          (section[2] ? "<span class=\"search-result-text\">" + highlight(section[2], found, prefixes, 160) +
            "</span>" : "");
        option.addEventListener("mousedown", function (e) { e.preventDefault(); });
        list.appendChild(option);
        options.push(option);
      });
      list.hidden = !options.length;
      var n = ranked.length;
      open(true);
      tell(n === 0 ? "No results for “" + query + "”"
        : n + (n === 1 ? " result" : " results") + " for “" + query + "”" +
          (n > SHOWN ? ", showing the first " + SHOWN : ""));
    }

    /* Shows `text` above the results and announces it to screen readers (the live region stays
       rendered, visually hidden, so that announcements are not lost while the list opens). */
    function tell(text) {
      count.textContent = text;
      status.textContent = text;
    }

    function run() {
      var query = input.value.trim();
      var mine = ++generation;
      if (!query) {
        tell("");
        list.textContent = "";
        options = [];
        open(false);
        return;
      }
      var queryTerms = terms(query).filter(function (t, i, all) { return all.indexOf(t) === i; });
      var typed = !/\s$/.test(input.value);
      start().then(function () {
        return loadTables(queryTerms.map(shardKey));
      }).then(function () {
        var ranked = queryTerms.length ? rank(queryTerms, typed) : [];
        return loadRecords(ranked.slice(0, SHOWN).map(function (e) { return e.page; })).then(function () {
          return ranked;
        });
      }).then(function (ranked) {
        if (mine !== generation) return;
        var found = {};
        ranked.forEach(function (e) { for (var w in e.words) found[w] = true; });
        var prefixes = typed && queryTerms.length ? [queryTerms[queryTerms.length - 1]] : [];
        show(query, ranked, found, prefixes);
        box.dispatchEvent(new CustomEvent("juxta-search-results", { detail: { count: ranked.length } }));
      }).catch(function (error) {
        if (mine !== generation) return;
        open(true);
        tell("Search is unavailable: " + error.message);
      });
    }

    input.addEventListener("focus", function () { start().catch(function () {}); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 60);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!options.length) return;
        if (popup.hidden) open(true);
        var step = e.key === "ArrowDown" ? 1 : -1;
        select((active + step + options.length + (active < 0 && step < 0 ? 1 : 0)) % options.length);
      } else if (e.key === "Enter") {
        var chosen = options[active] || options[0];
        if (chosen) {
          e.preventDefault();
          chosen.click();
        }
      } else if (e.key === "Escape") {
        if (!popup.hidden) open(false);
        else {
          input.value = "";
          run();
        }
      }
    });
    box.addEventListener("focusout", function (e) {
      if (!box.contains(e.relatedTarget)) open(false);
    });
    input.addEventListener("click", function () {
      if (options.length || count.textContent) open(true);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      var target = e.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      e.preventDefault();
      input.focus();
    });
  }

  if (typeof document !== "undefined") {
    var init = function () {
      var box = document.querySelector("[data-search]");
      if (box) setUp(box);
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
    else init();
  }
})();
