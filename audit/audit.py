"""Trust audit of theories/ (run by scripts/test.sh after `dune build`).

1. No `Admitted`, `admit`, `Axiom`, `Parameter`, `Conjecture` in theories/
   (outside comments).
2. `Print Assumptions` of each theorem in audit/headlines.txt lists only the
   allowlisted axioms below.
3. The printed assumptions equal the golden file audit/assumptions.expected
   (`--update` rewrites it).
"""
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
ALLOWED = {
    # Coq's classical real numbers (Stdlib Reals).
    "ClassicalDedekindReals.sig_forall_dec",
    "ClassicalDedekindReals.sig_not_dec",
    # Extensionality and choice, as allowed by DEVELOPERS.md.
    "FunctionalExtensionality.functional_extensionality_dep",
    "PropExtensionality.propositional_extensionality",
    "IndefiniteDescription.constructive_indefinite_description",
    "Classical_Prop.classic",
    # mathcomp-analysis (mathcomp.classical.boolp) states the same three
    # axioms under its own names: functional extensionality (dependent),
    # propositional extensionality, constructive indefinite description.
    "boolp.functional_extensionality_dep",
    "boolp.propositional_extensionality",
    "boolp.constructive_indefinite_description",
    # Hilbert's epsilon, used by mathcomp-analysis to make Stdlib's R a
    # realType; derived from constructive_indefinite_description and classic
    # in theories/AxiomFacts.v (audited below as a headline).
    "Epsilon.epsilon_statement",
}
FORBIDDEN = re.compile(r"\b(Admitted|admit|Axiom|Axioms|Parameter|Parameters|Conjecture)\b")


def strip_comments(text: str) -> str:
    out, depth, i = [], 0, 0
    while i < len(text):
        if text.startswith("(*", i):
            depth, i = depth + 1, i + 2
        elif text.startswith("*)", i) and depth:
            depth, i = depth - 1, i + 2
        else:
            if depth == 0:
                out.append(text[i])
            i += 1
    return "".join(out)


def check_sources() -> list[str]:
    errors = []
    for path in sorted((ROOT / "theories").rglob("*.v")):
        for lineno, line in enumerate(strip_comments(path.read_text()).splitlines(), 1):
            if FORBIDDEN.search(line):
                errors.append(f"{path.relative_to(ROOT)}:{lineno}: forbidden: {line.strip()}")
    return errors


def headlines() -> list[str]:
    names = []
    for line in (ROOT / "audit" / "headlines.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line)
    return names


def print_assumptions(names: list[str]) -> str:
    modules = sorted({n.rsplit(".", 1)[0] for n in names})
    src = "".join(f"Require {m}.\n" for m in modules)
    src += "".join(f'Print Assumptions {n}.\n' for n in names)
    with tempfile.TemporaryDirectory() as tmp:
        vfile = pathlib.Path(tmp) / "Audit.v"
        vfile.write_text(src)
        proc = subprocess.run(
            ["coqc", "-w", "-all", "-Q", str(ROOT / "_build/default/theories"), "Certigrad", str(vfile)],
            capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"audit: coqc failed:\n{proc.stderr}")
    return proc.stdout


def axioms_of(output: str) -> list[set[str]]:
    """One set of axiom names per `Print Assumptions` answer."""
    blocks = re.split(r"^(?=Axioms:|Closed under the global context)", output, flags=re.M)
    result = []
    for block in blocks:
        if block.startswith("Closed"):
            result.append(set())
        elif block.startswith("Axioms:"):
            # Each axiom starts a line with its qualified name; its type may
            # follow on the same line ("name : type") or on the next ones.
            result.append(set(re.findall(r"^([A-Za-z_][\w.']*)(?: :|$)", block, flags=re.M)) - {"Axioms:"})
    return result


def main() -> None:
    errors = check_sources()
    names = headlines()
    output = print_assumptions(names)
    sets = axioms_of(output)
    if len(sets) != len(names):
        errors.append(f"expected {len(names)} Print Assumptions answers, got {len(sets)}")
    for name, axioms in zip(names, sets):
        bad = sorted(axioms - ALLOWED)
        status = "FAIL" if bad else "ok"
        print(f"audit: {status} {name}: {len(axioms)} allowlisted axioms" + (f"; NOT ALLOWED: {bad}" if bad else ""))
        if bad:
            errors.append(f"{name} rests on {bad}")
    golden = ROOT / "audit" / "assumptions.expected"
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "assumptions.txt").write_text(output)
    if "--update" in sys.argv:
        golden.write_text(output)
    elif not golden.exists() or golden.read_text() != output:
        errors.append("Print Assumptions output differs from audit/assumptions.expected "
                      "(see _build/assumptions.txt; rerun with --update if intended)")
    if errors:
        print("\n".join("audit: " + e for e in errors), file=sys.stderr)
        sys.exit(1)
    print(f"audit: {len(names)} headline theorems, sources clean")


if __name__ == "__main__":
    main()
