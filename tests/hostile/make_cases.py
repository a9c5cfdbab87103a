"""Writes tests/hostile/cases.json, the hostile-input corpus run by tests/hostile.rs:
`python3 tests/hostile/make_cases.py` after changing a case here."""
import json
import os
H = 'methodology "H" version 1\n'
R = H + 'input n: number\ninput p: decimal optional\ninput t: text optional\nrule positive "n is positive" require n > 0 message "{unit}: n = {n}"\n'
cases = []
def case(name, about, files, args, exit, stderr=(), stdout=(), absent=(), timeout=60):
    cases.append(dict(name=name, about=about, files=files, args=args, exit=exit,
                      stderr=list(stderr), stdout=list(stdout), absent=list(absent), timeout=timeout))
def rep(text, times, prefix='', suffix='', numbered=False):
    d = {"repeat": text, "times": times, "prefix": prefix, "suffix": suffix}
    if numbered: d["numbered"] = True
    return d
CHECK = ["check", "r.chiso"]
def run(data='d.json', *extra): return ["run", "--rules", "r.chiso", "--data", data, *extra]
HA = H + 'input a: number\ninput g: number\n'
NEST = "formula nested more than 64 levels deep"

# ---- rule files: nesting, size, length ----
case("deep-list-brackets", "list brackets 10,000 deep in a constant", {"r.chiso": [HA + "constant c = ", rep("[", 10000), "1", rep("]", 10000), "\n"]}, CHECK, 2, [NEST, "r.chiso:4:"])
case("deep-list-in-formula", "a list 3,000 deep inside a formula", {"r.chiso": [HA + "indicator b = a + ", rep("[", 3000), "1", rep("]", 3000), "\n"]}, CHECK, 2, [NEST, "r.chiso:4:"])
case("deep-if-else", "`if … else if …` 10,000 deep", {"r.chiso": rep("if a > 1 then 1 else ", 10000, HA + "indicator b = ", "0\n")}, CHECK, 2, [NEST])
case("deep-among", "`among` 5,000 deep", {"r.chiso": rep("rank of a among ", 5000, HA + "indicator b = normalise a by max among ", "a > 1\n")}, CHECK, 2, [NEST])
case("deep-where", "`count of units where` 3,000 deep (`where` was not counted as a level: a stack overflow)", {"r.chiso": rep("count of units where ", 3000, HA + "indicator b = ", "a > 1\n")}, CHECK, 2, [NEST], timeout=10)
case("failing-if-after-else", "30 `if … else a = if a >` whose last `if` has no `then` (each enclosing expression retried the failing tail: 16 took a second, 30 hours)", {"r.chiso": rep("if a then 1 else a = if a > ", 30, HA + "indicator b = ", "a\n")}, CHECK, 2, ["expected", "`then`"], timeout=10)
case("failing-among-and-where-tails", "20 `rank of a among a = if a >` and 20 `count of units where a = if a >`, left without `then` (19 s and 17 s in the fuzz build before)", {"r.chiso": [HA + "indicator b = ", rep("rank of a among a = if a > ", 20), "a\nindicator c = ", rep("count of units where a = if a > ", 20), "a\n"]}, CHECK, 2, ["expected", "`then`"], timeout=10)
case("deep-if-in-require", "`if … then` 5,000 deep in a requirement", {"r.chiso": rep("if a > 1 then ", 5000, HA + "rule r require ", "a > 1\n")}, CHECK, 2, [NEST])
case("deep-parentheses", "parentheses 5,000 deep", {"r.chiso": [HA + "indicator b = ", rep("(", 5000), "a", rep(")", 5000), "\n"]}, CHECK, 2, ["parentheses nested more than 32 deep"])
case("deep-negations", "50,000 negations", {"r.chiso": rep("- ", 50000, HA + "indicator b = ", "a\n")}, CHECK, 2, ["expression has 50001 operators and operands"])
case("long-sum", "a sum of 20,000 terms", {"r.chiso": rep(" + a", 20000, HA + "indicator b = a", "\n")}, CHECK, 2, ["expression has 40001 operators and operands; at most 400"])
case("power-tower", "150 powers", {"r.chiso": rep(" ^ a", 150, HA + "indicator b = a", "\n")}, CHECK, 2, ["nested more than 100 levels deep"])
case("deep-function-calls", "max( 40 deep: the parenthesis bound", {"r.chiso": [HA + "indicator b = ", rep("max(", 40), "a", rep(", 1)", 40), "\n"]}, CHECK, 2, ["parentheses nested more than 32 deep"])
case("unclosed-list-brackets", "60 list brackets left open in a requirement (each level once tried twice: 28 took 25 minutes)", {"r.chiso": rep("[", 60, HA + "rule r\n  require", " a ~= a\n")}, CHECK, 2, ["r.chiso:6:1", "expected"], timeout=10)
case("unclosed-calls-and-lists", "`abs([` 30 deep, `n(` and `- [` 30 deep, left open", {"r.chiso": [HA + "indicator b = ", rep("abs([", 15), "a\nindicator c = ", rep("n(- [", 15), "a\nrule r require a > 0\n"]}, CHECK, 2, ["r.chiso:"], timeout=10)
case("deepest-allowed-if", "30 nested `(if … > 2 then 2 else 2) > 2`: linear-time checking", {"r.chiso": [H + "input a: number\n" + "rule r require ", rep("(if ", 30), "a", rep(" > 2 then 2 else 2)", 30), " > 1\n"]}, CHECK, 0, [], ["ok: r.chiso"], timeout=30)
case("five-megabyte-rule-file", "a 5 MB rule file: 20,000 indicators with long labels", {"r.chiso": rep('indicator i{i} "' + "x" * 200 + '" = a + {i}\n', 20000, HA + "rule r require a > 0\nrule s require g > 0\n", "", True)}, CHECK, 0, [], ["ok: r.chiso", "20000 indicators and scores"], timeout=90)
case("ten-thousand-rules", "10,000 rules", {"r.chiso": rep("rule r{i} require a > {i}\n", 10000, HA + "rule s require g > 0\n", "", True)}, CHECK, 0, [], ["10001 rules"], timeout=90)
case("twenty-seven-thousand-declarations", "27,000 declarations and a text report over 20 units", {"r.chiso": rep("indicator i{i} = a + {i}\nrule r{i} require i{i} > 0\nconstant c{i} = {i}\n", 9000, HA + "rule s require g > 0\n", "", True), "d.json": {"units": 20, "fields": {"a": "1", "g": "1"}}}, ["run", "--rules", "r.chiso", "--data", "d.json"], 0, [], ["Summary: 20 units, 9001 rules"], timeout=90)
case("rule-file-too-large", "a rule file beyond the 16 MiB limit is refused unread", {"r.chiso": rep("# " + "x" * 1000 + "\n", 17000, HA)}, CHECK, 2, ["larger than 16 MiB"], timeout=60)
case("long-identifier", "a name of 100,000 letters", {"r.chiso": rep("x", 100000, HA + "indicator ", " = a\nrule r require a > 0\n")}, CHECK, 1, ["is never used"], ["1 warning"])
case("long-string", "a message of 1,000,000 characters", {"r.chiso": rep("y", 1000000, HA + 'rule r require a > g message "', '"\n')}, CHECK, 0, [], ["ok: r.chiso"])
case("empty-rule-file", "an empty rule file", {"r.chiso": ""}, CHECK, 2, ["methodology"])
case("only-comments", "a rule file of comments", {"r.chiso": "# nothing\n# here\n"}, CHECK, 2, ["methodology"])
case("unclosed-string", "a string left open at the end of the file", {"r.chiso": H + 'input a: number "label\n'}, CHECK, 2, ["r.chiso:2:"])
case("reserved-word-name", "a reserved word as a name", {"r.chiso": H + "input rule: number\n"}, CHECK, 2, ["r.chiso:2:"])
# ---- cycles ----
case("cycle-two", "two indicators defined by each other", {"r.chiso": HA + "indicator b = c + 1\nindicator c = b + 1\nrule r require b > 0\n"}, CHECK, 2, ["cycle"])
case("cycle-self", "an indicator defined by itself", {"r.chiso": HA + "indicator b = b + 1\nrule r require b > 0\n"}, CHECK, 2, ["cycle"])
case("cycle-long", "a cycle through 1,000 indicators", {"r.chiso": rep("indicator i{i} = i{next} + 1\n", 1000, HA + "rule r require i0 > 0\n", "", True)}, CHECK, 2, ["cycle"], timeout=60)
case("extends-cycle", "two rule sets extending each other", {"a/a.chiso": H + '  extends "../b"\ninput a: number\n', "b/b.chiso": H + '  extends "../a"\ninput b: number\n'}, ["check", "a"], 2, ["`extends` nested more than 8 deep"])
# ---- Unicode and bytes in rule files ----
case("unicode-identifiers", "Vietnamese names", {"r.chiso": H + "input điểm_số: number\nindicator tỷ_lệ = điểm_số / 2\nrule đạt require tỷ_lệ > 0\n"}, CHECK, 0, [], ["ok: r.chiso"])
case("nfd-spelling-of-declared-name", "a name declared in NFC and used in NFD is one name", {"r.chiso": H + "input \u0111i\u1ec3m: number\nrule r require \u0111ie\u0302\u0309m > 0\n"}, CHECK, 0, [], ["ok: r.chiso"])
case("nfc-nfd-twin-inputs", "NFC and NFD spellings of one name declared twice", {"r.chiso": H + "input \u0111i\u1ec3m: number\ninput \u0111ie\u0302\u0309m: number\nrule r require \u0111i\u1ec3m > 0\n"}, CHECK, 2, ["declared twice"])
case("invalid-utf8-rule-file", "a rule file with bytes that are not UTF-8", {"r.chiso": {"hex": (H + "input a: number\n").encode().hex() + "ff fe 80".replace(" ", "") + "0a"}}, CHECK, 2, ["not UTF-8 text"])
case("nul-in-rule-file", "a NUL byte in a rule file", {"r.chiso": H + "input a: num\u0000ber\n"}, CHECK, 2, ["r.chiso:2:"])
case("utf16-rule-file-without-bom", "a rule file in UTF-16 without a byte-order mark", {"r.chiso": {"utf16le": H + "input a: number\n"}}, CHECK, 2, ["r.chiso"])
case("utf8-bom-rule-file", "a rule file starting with a UTF-8 byte-order mark", {"r.chiso": "\ufeff" + H + "input a: number\nrule r require a > 0\n"}, CHECK, 2, ["r.chiso:1:"])
case("control-characters-in-message", "ESC and newline escapes in a message", {"r.chiso": H + 'input a: number\nrule r require a > 0 message "\u001b[31m{unit}\\nFAIL"\n', "d.json": '[{"unit": "u", "a": 0}]'}, run(), 1, [], ["FAIL  u"])
# ---- numbers in rule files ----
case("huge-constant", "1e400 as a constant", {"r.chiso": H + "constant c = 1e400\ninput a: number\nrule r require a > c\n"}, CHECK, 2, ["r.chiso:2:"])
case("forty-digit-constant", "a 40-digit integer constant", {"r.chiso": H + "constant c = 1234567890123456789012345678901234567890\ninput a: number\nrule r require a > c\n"}, CHECK, 2, ["r.chiso:2:"])
case("negative-zero-literal", "-0 in a bound and a formula", {"r.chiso": H + "input a: number >= -0\nrule r require a > -0\n", "d.json": '[{"unit": "u", "a": 1}, {"unit": "v", "a": -0}]'}, run(), 1, [], ["pass  u", "FAIL  v"])
case("limit-too-large-to-read", "a limit beyond 64 bits", {"r.chiso": H + 'hooks "s.rhai" limits operations 99999999999999999999999\ninput a: number\n', "s.rhai": "fn f(x) { x }"}, CHECK, 2, ["not a whole number that fits"])
# ---- hook limits that would switch the sandbox off ----
for lim, val in [("string", "0"), ("array", "0"), ("map", "0"), ("operations", "0"), ("depth", "0"), ("calls", "1000000"), ("milliseconds", "100000000")]:
    case(f"limit-{lim}-{val}", f"`limits {lim} {val}` would switch the sandbox off", {"r.chiso": H + f'hooks "s.rhai" limits {lim} {val}\ninput a: number\nindicator b = f(a)\nrule r require b > 0\n', "s.rhai": "fn f(x) { x }"}, CHECK, 2, [f"the `{lim}` limit must be between 1 and", "r.chiso:2:"])
# ---- hooks that misbehave (per unit: the rest of the report stands) ----
HK = H + 'hooks "s.rhai"\ninput a: number\nindicator b = f(a)\nrule hooked require b > 0\nrule plain require a > 0\n'
D2 = '[{"unit": "u", "a": 1}, {"unit": "v", "a": 2}]'
def hook(name, about, script, words, code=1, more=()):
    case(name, about, {"r.chiso": HK, "s.rhai": script, "d.json": D2}, run(), code, [], list(words) + ["pass  u", "pass  v"] + list(more), timeout=60)
hook("hook-endless-loop", "a hook that loops forever", "fn f(x) { loop { } x }", ["stopped after 1000000 operations"])
hook("hook-recursion", "a hook that recurses forever", "fn f(x) { f(x + 1) }", ["calls nested deeper than 32"])
hook("hook-huge-string", "a hook that doubles a string forever", 'fn f(x) { let s = "ab"; loop { s += s; } }', ["grew beyond its limit"])
hook("hook-huge-array", "a hook that doubles an array forever", "fn f(x) { let a = [1]; loop { a += a; } }", ["grew beyond its limit"])
hook("hook-huge-map", "a hook that fills a map forever (stopped by a size, operation or time limit)", 'fn f(x) { let m = #{}; let i = 0; loop { m["k" + i] = i; i += 1; } }', ["ERROR u: cannot decide: hook function `f`"])
hook("hook-pad-array", "one native call asking for 100 million elements", "fn f(x) { let a = []; a.pad(100000000, 1); a.len() }", ["grew beyond its limit"])
hook("hook-file-access", "a hook that tries to open a file", 'fn f(x) { open_file("/etc/passwd") }', ["does not exist here"])
hook("hook-network-access", "a hook that tries to fetch a URL", 'fn f(x) { http_get("http://example.com") }', ["does not exist here"])
hook("hook-process-access", "a hook that tries to run a program", 'fn f(x) { system("rm -rf /") }', ["does not exist here"])
hook("hook-wrong-type", "a hook that returns text where a number is needed: no comparison, not a fail", 'fn f(x) { "many" }', ["ERROR u: cannot decide: `b` is text, expected a number"], more=["0 failed"])
hook("hook-returns-nothing", "a hook that returns nothing", "fn f(x) { }", ["returned nothing"])
hook("hook-throws", "a hook that throws", 'fn f(x) { throw "no data"; }', ["no data"])
hook("hook-divides-by-zero", "a hook dividing by zero", "fn f(x) { x / 0 }", ["ERROR u"])
case("hook-eval", "a hook that calls eval", {"r.chiso": HK, "s.rhai": 'fn f(x) { eval("x + 1") }', "d.json": D2}, run(), 2, ["hook scripts cannot use `eval` or `import`"])
case("hook-import", "a hook that imports a module", {"r.chiso": HK, "s.rhai": 'import "os" as os;\nfn f(x) { x }', "d.json": D2}, run(), 2, ["hook scripts cannot use `eval` or `import`"])
case("hook-syntax-error", "a hook script that does not compile", {"r.chiso": HK, "s.rhai": "fn f(x) { x +* }", "d.json": D2}, run(), 2, ["hook script does not compile", "s.rhai:1:"])
case("hook-invalid-utf8", "a hook script that is not UTF-8", {"r.chiso": HK, "s.rhai": {"hex": "666e206628782920ff7b20787d"}, "d.json": D2}, run(), 2, ["not UTF-8 text"])
case("hook-deep-expression", "a hook script nested 10,000 deep", {"r.chiso": HK, "s.rhai": ["fn f(x) { ", rep("(", 10000), "x", rep(")", 10000), " }"], "d.json": D2}, run(), 2, ["hook script does not compile"])
# ---- files named by rule files ----
SECRET = "secret line one\n"
case("hooks-outside-root", "hooks \"../../secret.rhai\"", {"set/r.chiso": H + 'hooks "../../secret.rhai"\ninput a: number\n', "../secret.rhai": SECRET}, ["check", "set"], 2, ["outside the rule-set root"], [], ["secret line"])
case("hooks-absolute", "hooks naming an absolute path", {"r.chiso": H + 'hooks "/etc/passwd"\ninput a: number\n'}, CHECK, 2, ["is an absolute path"], [], ["root:"])
case("hooks-dev-zero", "hooks \"/dev/zero\"", {"r.chiso": H + 'hooks "/dev/zero"\ninput a: number\n'}, CHECK, 2, ["is an absolute path"], timeout=20)
case("hooks-not-rhai", "hooks naming a text file", {"r.chiso": H + 'hooks "notes.txt"\ninput a: number\n', "notes.txt": SECRET}, CHECK, 2, ["hook scripts are `.rhai` files"], [], ["secret line"])
case("hooks-symlink-outside", "a .rhai symlink leading outside the root", {"set/r.chiso": H + 'hooks "s.rhai"\ninput a: number\n', "set/s.rhai": {"symlink": "/etc/passwd"}}, ["check", "set"], 2, ["outside the rule-set root"], [], ["root:"])
case("hooks-symlink-to-dev-zero", "a .rhai symlink to /dev/zero", {"r.chiso": H + 'hooks "s.rhai"\ninput a: number\n', "s.rhai": {"symlink": "/dev/zero"}}, CHECK, 2, ["outside the rule-set root"], timeout=20)
case("hooks-directory", "hooks naming a folder called x.rhai", {"r.chiso": H + 'hooks "x.rhai"\ninput a: number\n', "x.rhai": {"dir": True}}, CHECK, 2, ["is not a regular file"])
case("hooks-missing", "hooks naming a file that does not exist", {"r.chiso": H + 'hooks "gone.rhai"\ninput a: number\n'}, CHECK, 2, ["cannot read hook script"])
case("hooks-in-root-above", "a script in the folder above the rule set's (the root) is read", {"set/r.chiso": H + 'hooks "../shared.rhai"\ninput a: number\nindicator b = f(a)\nrule r require b > 0\n', "shared.rhai": "fn f(x) { x * 2 }"}, ["check", "set"], 0, [], ["ok: set"])
case("extends-non-rule-file", "extends naming a text file", {"set/r.chiso": H + '  extends "../notes.txt"\ninput a: number\n', "notes.txt": SECRET}, ["check", "set"], 2, ["is not a rule file"], [], ["secret line"])
case("extends-passwd", "extends \"../../../../../etc/passwd\"", {"set/r.chiso": H + '  extends "../../../../../../../../etc/passwd"\ninput a: number\n'}, ["check", "set"], 2, ["is not a rule file"], [], ["root:"])
case("extends-absolute", "extends naming an absolute folder", {"r.chiso": H + '  extends "/etc"\ninput a: number\n'}, CHECK, 2, ["is an absolute path"])
case("extends-outside-root", "extends a folder above the root", {"a/b/r.chiso": H + '  extends "../../.."\ninput a: number\n'}, ["check", "a/b"], 2, ["outside the rule-set root"])
case("extends-symlink-outside", "a .chiso symlink in the base leading outside the root", {"fam/base/b.chiso": {"symlink": "../../../outside.chiso"}, "../outside.chiso": H + "input z: number\n", "fam/new/r.chiso": H + '  extends "../base"\ninput a: number\n'}, ["check", "fam/new"], 2, ["outside the rule-set root"])
case("extends-missing", "extends naming a folder that does not exist", {"r.chiso": H + '  extends "nowhere"\ninput a: number\n'}, CHECK, 2, ["cannot read the extended rule set"])
case("extends-sibling-version", "2019 extends ../2018, inside the root", {"fam/2018/r.chiso": 'methodology "M" version 2018\ninput a: number\nrule r require a > 0\n', "fam/2019/r.chiso": 'methodology "M" version 2019\n  extends "../2018"\ninput b: number\nrule s require b > 0\n'}, ["check", "fam/2019"], 0, [], ["ok: fam/2019"])
case("symlink-loop-in-rule-tree", "three symbolic links back up a rule folder", {"t/a/r.chiso": HA + "rule r require a > 0\nrule s require g > 0\n", "t/a/x": {"symlink": ".."}, "t/a/y": {"symlink": ".."}, "t/a/z": {"symlink": "."}}, ["check", "t"], 0, [], ["ok: t/a"], timeout=30)
# ---- data files (the standard rule set r.chiso) ----
def data(name, about, files, code, stderr=(), stdout=(), absent=(), args=None, timeout=60):
    f = {"r.chiso": R}; f.update(files)
    case(name, about, f, args or run(list(files)[0]), code, stderr, stdout, absent, timeout)
data("json-10000-deep", "JSON nested 10,000 deep", {"d.json": [rep("[", 10000), rep("]", 10000)]}, 2, ["d.json:1:", "invalid JSON"])
data("json-duplicate-key", "a JSON key written twice", {"d.json": '[{"unit": "u", "n": 5, "n": -5}]'}, 2, ["the key `n` is written twice"])
data("json-duplicate-key-nfc-nfd", "a key written in NFC and in NFD", {"d.json": '[{"unit": "u", "n": 1, "\u0111i\u1ec3m": 1, "\u0111ie\u0302\u0309m": 2}]'}, 2, ["is written twice"])
data("csv-duplicate-column", "a CSV column named twice", {"d.csv": "unit,n,n\nu,5,-5\n"}, 2, ["columns 2 and 3 are both named `n`"])
data("csv-short-row", "a CSV row with too few cells", {"d.csv": "unit,n,p\nu,1\nv,2,0.5\n"}, 2, ["d.csv:2:", "found record with 2 fields"])
data("csv-long-row", "a CSV row with too many cells", {"d.csv": "unit,n\nu,1,2,3\n"}, 2, ["d.csv:2:"])
def xlsx(sheet_data):
    """The bytes (as hex) of a one-sheet workbook whose sheet holds `sheet_data`."""
    import io, zipfile
    ns = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships {ns}><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships {ns}><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + sheet_data + "</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            z.writestr(info, text, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return {"hex": out.getvalue().hex()}
HEAD_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>unit</t></is></c><c r="B1" t="inlineStr"><is><t>n</t></is></c></row>'
data("xlsx-100000-attributes", "an XLSX cell tag with 100,000 attributes before its reference (quick-xml before 0.41 checked them for duplicates in quadratic time, RUSTSEC-2026-0194)", {"d.xlsx": xlsx(HEAD_ROW + '<row r="2"><c' + "".join(f' x{i}="1"' for i in range(100000)) + ' r="A2" t="inlineStr"><is><t>u</t></is></c><c r="B2"><v>1</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>v</t></is></c><c r="B3"><v>2</v></c></row>')}, 0, [], ["pass  u", "pass  v"], timeout=20)
def perunit(name, about, bad, words, fmt="json", code=1):
    if fmt == "json":
        files = {"d.json": '[{"unit": "good", "n": 1}, {"unit": "bad", "n": %s}, {"unit": "last", "n": 2}]' % bad}
    else:
        files = {"d.csv": "unit,n\ngood,1\nbad,%s\nlast,2\n" % bad}
    data(name, about, files, code, [], ["pass  good", "pass  last"] + list(words))
perunit("number-1e400", "1e400 in the data", "1e400", ["ERROR bad", "expected a number"])
perunit("number-negative-zero", "-0 in the data is 0, not positive", "-0", ["FAIL  bad"])
perunit("number-40-digits", "a 40-digit integer", "1234567890123456789012345678901234567890", ["ERROR bad", "representable range"])
perunit("number-29-digits", "a decimal with 39 significant digits is not cut", "0.100000000000000000000000000000000000001", ["ERROR bad", "28 significant digits"])
perunit("number-as-words", "a number written as words", '"five"', ["ERROR bad", "expected a number"])
perunit("number-with-comma", "a number with a decimal comma", '"1,5"', ["ERROR bad"])
perunit("number-nan", "NaN as text", '"NaN"', ["ERROR bad"])
perunit("number-infinity", "Infinity as text", '"Infinity"', ["ERROR bad"])
perunit("number-null", "null is absent", "null", ["ERROR bad", "is missing"])
perunit("number-as-object", "an object where a number is expected", '{"x": 1}', ["ERROR bad"])
perunit("number-as-list", "a list where a number is expected", "[1, 2]", ["ERROR bad"])
perunit("number-nul-text", "a NUL byte inside a value", '"1\\u0000"', ["ERROR bad"])
data("number-huge-text", "a value of 1,000,000 characters", {"d.json": ['[{"unit": "good", "n": 1}, {"unit": "bad", "n": "', rep("9", 1000000), '"}, {"unit": "last", "n": 2}]']}, 1, [], ["pass  good", "pass  last", "ERROR bad"])
perunit("csv-1e400", "1e400 in a CSV cell", "1e400", ["ERROR bad"], fmt="csv")
perunit("csv-40-digits", "a 40-digit integer in a CSV cell", "1234567890123456789012345678901234567890", ["ERROR bad"], fmt="csv")
data("unit-name-nul", "a NUL byte in a unit name", {"d.json": '[{"unit": "a\\u0000b", "n": 1}]'}, 2, ["control character U+0000"])
data("unit-name-escape-forgery", "a unit name with a newline and ESC forging report lines", {"d.json": '[{"unit": "a\\n\\u001b[31mpass  evil", "n": 1}]'}, 2, ["control character U+000A"])
data("unit-name-65536", "a unit name of 65,536 characters", {"d.json": ['[{"unit": "', rep("u", 65536), '", "n": 1}, {"unit": "v", "n": 2}]']}, 0, [], ["pass  v"])
data("unit-twins-nfc-nfd", "one unit written in NFC and in NFD", {"d.json": '[{"unit": "\u0110\u00e0 N\u1eb5ng", "n": 1}, {"unit": "\u0110a\u0300 Na\u0306\u0303ng", "n": 2}]'}, 2, ["appears twice"])
data("unit-duplicate", "one unit twice", {"d.json": '[{"unit": "u", "n": 1}, {"unit": "u", "n": 2}]'}, 2, ["unit `u` appears twice"])
data("unit-missing", "a record without a unit", {"d.json": '[{"n": 1}]'}, 2, ["record has no `unit` field"])
data("unit-as-object", "a unit named by an object", {"d.json": '[{"unit": {"a": 1}, "n": 1}]'}, 2, ["must name the unit"])
data("json-invalid-utf8", "JSON bytes that are not UTF-8", {"d.json": {"hex": '5b7b22756e6974223a202275ff222c20226e223a20317d5d'}}, 2, ["is not valid UTF-8"])
data("json-utf16-without-bom", "JSON in UTF-16 without a byte-order mark", {"d.json": {"utf16le": '[{"unit": "u", "n": 1}]'}}, 2, ["d.json"])
data("json-utf16-with-bom", "JSON in UTF-16 with a byte-order mark is read", {"d.json": {"utf16le_bom": '[{"unit": "u", "n": 1}]'}}, 0, [], ["pass  u"])
data("json-utf8-bom", "JSON with a UTF-8 byte-order mark is read", {"d.json": '\ufeff[{"unit": "u", "n": 1}]'}, 0, [], ["pass  u"])
data("json-empty-file", "an empty JSON file", {"d.json": ""}, 2, ["d.json"])
data("json-empty-array", "a JSON file without records", {"d.json": "[]"}, 2, ["no units in d.json"])
data("json-a-number", "a JSON file that is a number", {"d.json": "42"}, 2, ["expected an array of records"])
data("json-trailing-garbage", "JSON followed by garbage", {"d.json": '[{"unit": "u", "n": 1}] xyz'}, 2, ["d.json:1:"])
data("csv-header-only", "a CSV file with a header and no rows", {"d.csv": "unit,n\n"}, 2, ["no units in d.csv"])
data("csv-no-unit-column", "a CSV file without the unit column", {"d.csv": "name,n\nu,1\n"}, 2, ["`unit` column"])
data("csv-semicolons", "a CSV file with semicolons is read", {"d.csv": "unit;n\nu;1\nv;2\n"}, 0, [], ["pass  u", "pass  v"])
data("csv-utf8-bom", "a CSV file with a byte-order mark is read", {"d.csv": "\ufeffunit,n\nu,1\n"}, 0, [], ["pass  u"])
data("csv-invalid-utf8", "CSV bytes that are not UTF-8", {"d.csv": {"hex": "756e69742c6e0a75ff2c310a"}}, 2, ["is not valid UTF-8"])
data("csv-nul-byte", "a NUL byte in a CSV cell is that unit's problem", {"d.csv": "unit,n\ngood,1\nbad,1\u00002\n"}, 1, [], ["pass  good", "ERROR bad"])
data("data-unknown-extension", "a data file with an unknown extension", {"d.xml": "<units/>"}, 2, ["unknown data format"])
data("data-missing-file", "a data file that does not exist", {}, 2, ["cannot read data file"], args=run("gone.json"))
data("data-directory", "a folder named as a data file", {"d.json": {"dir": True}}, 2, ["d.json"])
data("data-dev-zero", "a data file linked to /dev/zero", {"d.json": {"symlink": "/dev/zero"}}, 2, ["is a device, not a data file"], timeout=20)
data("data-stream-dev-zero", "a JSON Lines stream linked to /dev/zero", {"d.jsonl": {"symlink": "/dev/zero"}}, 2, ["is a device, not a data file"], args=run("d.jsonl", "--format", "jsonl"), timeout=20)
data("previous-dev-zero", "last year's report linked to /dev/zero", {"d.json": '[{"unit": "u", "n": 1}]', "p.json": {"symlink": "/dev/zero"}}, 2, ["is a device, not a data file"], args=run("d.json", "--previous", "p.json"), timeout=20)
data("jsonl-duplicate-key", "a JSON Lines record with a key written twice", {"d.jsonl": '{"unit": "u", "n": 1}\n{"unit": "v", "n": 5, "n": -5}\n'}, 2, ["d.jsonl:2:", "written twice"], ["\"unit\":\"u\""], args=run("d.jsonl", "--format", "jsonl"))
data("jsonl-bad-line", "a JSON Lines file with a broken line in the middle", {"d.jsonl": '{"unit": "u", "n": 1}\n{"unit": "v", "n": \n{"unit": "w", "n": 1}\n'}, 2, ["d.jsonl:2:"], ["\"unit\":\"u\""], args=run("d.jsonl", "--format", "jsonl"))
data("csv-stream-duplicate-column", "a streamed CSV with a column named twice", {"d.csv": "unit,n,n\nu,5,-5\n"}, 2, ["columns 2 and 3 are both named `n`"], args=run("d.csv", "--format", "jsonl"))
data("million-units-one-bad", "1,000,000 units, one with a bad value: named, every other unit evaluated", {"d.csv": {"units": 1000000, "bad": 500000, "format": "csv", "fields": {"n": "1"}}}, 1, [], ["ERROR u500000", "1000000 units", "999999 passed, 0 failed", "1 could not be decided"], args=run("d.csv", "--findings", "failing", "--values", "none"), timeout=110)
data("fifty-thousand-units-one-bad", "50,000 JSON units, one bad record value: a full text report", {"d.json": {"units": 50000, "bad": 25000, "format": "json", "fields": {"n": "1"}}}, 1, [], ["ERROR u25000", "pass  u49999", "50000 units"], timeout=90)
# ---- runs: options and calendars ----
data("explain-unknown-unit", "--explain of a unit not in the data", {"d.json": '[{"unit": "Quang Ninh", "n": 1}]'}, 2, ["no unit `Quang Nin`", "did you mean `Quang Ninh`"], args=run("d.json", "--explain", "Quang Nin"))
data("sensitivity-without-declaration", "--sensitivity on a rule set that declares none", {"d.json": '[{"unit": "u", "n": 1}]'}, 2, ["declares no `sensitivity`"], args=run("d.json", "--sensitivity", "3"))
data("previous-garbage", "--previous naming a file that is no data", {"d.json": '[{"unit": "u", "n": 1}]', "p.json": "not json"}, 2, ["p.json"], args=run("d.json", "--previous", "p.json"))
data("bad-arguments", "an unknown option", {"d.json": '[{"unit": "u", "n": 1}]'}, 2, ["--frobnicate"], args=run("d.json", "--frobnicate"))
CAL = H + "input docs: list of record { issued: date, posted: date }\nrule r require all(docs where working_days_between(issued, posted) <= 2)\n"
case("working-days-over-millennia", "1,000 working-day counts over 9,000 years, a holiday declared in each", {"r.chiso": rep("holidays {y}-01-01\n", 9000, CAL, "", True), "d.json": rep('{"issued": "1000-01-02", "posted": "9999-12-30"}, ', 999, '[{"unit": "a", "docs": [', '{"issued": "1000-01-02", "posted": "9999-12-30"}]}]')}, run(), 1, [], ["FAIL  a"], timeout=60)
case("working-days-undeclared-year", "a working-day count over a year without holidays is an error, not a guess", {"r.chiso": CAL, "d.json": '[{"unit": "a", "docs": [{"issued": "2019-12-30", "posted": "2020-01-03"}]}]'}, run(), 1, [], ["ERROR a", "no public holidays are declared for 2019"])
case("weeks-over-millennia", "weeks with fewer posts over 8,000 years", {"r.chiso": H + "input posts: list of date\nindicator thin = weeks_with_fewer(posts, 2, 2020-01-06, 9999-12-27)\nrule r require thin = []\n", "d.json": '[{"unit": "a", "posts": ["2020-01-07", "9999-12-20"]}]'}, run("d.json", "--values", "none"), 1, [], ["FAIL  a"], timeout=60)
case("date-arithmetic-overflow", "a date plus 10^20 days", {"r.chiso": H + "input d: date\ninput k: number\nindicator e = d + k\nrule r require e > d\n", "d.json": '[{"unit": "a", "d": "2020-01-01", "k": 100000000000000000000}, {"unit": "b", "d": "2020-01-01", "k": 1}]'}, run(), 1, [], ["ERROR a", "pass  b"])
case("arithmetic-overflow", "a product beyond the decimal range", {"r.chiso": H + "input x: number\nindicator y = x * x * x\nrule r require y > 0\n", "d.json": '[{"unit": "a", "x": 10000000000000000000}, {"unit": "b", "x": 2}]'}, run(), 1, [], ["ERROR a", "number too large", "pass  b"])
case("division-by-zero", "a division by zero", {"r.chiso": H + "input x: number\nindicator y = 1 / x\nrule r require y > 0\n", "d.json": '[{"unit": "a", "x": 0}, {"unit": "b", "x": 2}]'}, run(), 1, [], ["ERROR a", "division by zero", "pass  b"])
case("sqrt-of-negative", "a square root of a negative number", {"r.chiso": H + "input x: number\nindicator y = sqrt(x)\nrule r require y >= 0\n", "d.json": '[{"unit": "a", "x": -4}, {"unit": "b", "x": 4}]'}, run(), 1, [], ["ERROR a", "pass  b"])
case("closed-pipe", "the reader closes the pipe after 100 bytes", {"r.chiso": R, "d.json": {"units": 20000, "format": "json", "fields": {"n": "1"}}}, run(), 141, [], [], timeout=60)
for c in cases:
    if c["name"] == "closed-pipe":
        c["close_stdout_after"] = 100
json.dump({"about": "Hostile inputs for the chiso command line (issue 16), run by tests/hostile.rs. Each case writes its files into a fresh folder (a value is the text, or {repeat, times, prefix, suffix[, numbered]} for large text, a list of such pieces joined, {hex}, {utf16le}, {utf16le_bom}, {symlink}, {dir}, or {units, format, fields[, bad]} for generated data), runs chiso there with args, and expects the exit code, words in stderr and stdout, and words absent from both; no case may panic, abort or run past its timeout (seconds).", "cases": cases}, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cases.json'), 'w'), ensure_ascii=False, indent=1)
print(len(cases), 'cases')
