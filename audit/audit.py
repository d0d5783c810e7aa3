"""Trust audit of theories/ (run by scripts/test.sh after `dune build`).

1. No `Admitted`, `admit`, `Axiom`, `Parameter`, `Conjecture` in theories/
   (outside comments).
2. `Print Assumptions` of each theorem in audit/headlines.txt lists only the
   allowlisted axioms below.
3. The printed assumptions equal the golden file audit/assumptions.expected
   (`--update` rewrites it).
4. theories/headlines/ restates exactly the theorems of headlines.txt: one
   `Theorem X : X_statement. Proof. exact @Q. Qed.` per headline Q (X the
   last component of Q, in the file <Folder>Headlines.v of Q's folder), none
   other.  Since X is
   proved by `exact @Q`, X rests on the axioms of Q and of X_statement; the
   statements (small definitions) must rest on allowlisted axioms only.
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
    # in theories/core/AxiomFacts.v (audited below as a headline).
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


HEADLINES_DIR = ROOT / "theories" / "headlines"
RESTATEMENT = re.compile(
    r"Theorem\s+([\w']+)\s*:\s*([\w']+)\s*\.\s*Proof\s*\.\s*exact\s+@([\w.']+)\s*\.\s*Qed\s*\.")


def headline_files() -> list[pathlib.Path]:
    return sorted(HEADLINES_DIR.glob("*Headlines.v"))


def restatements() -> tuple[dict[str, str], list[str]]:
    """The theorems of theories/headlines/, as {original: theorem's qualified
    name}, and the errors of their form."""
    found, errors = {}, []
    for path in headline_files():
        folder = path.stem[: -len("Headlines")].lower()
        where = f"theories/headlines/{path.name}"
        text = strip_comments(path.read_text())
        for m in re.finditer(r"\bTheorem\s", text):
            r = RESTATEMENT.match(text, m.start())
            if not r:
                line = text[m.start():].split("\n", 1)[0]
                errors.append(f"{where}: not of the form `Theorem X : X_statement. Proof. exact @Q. Qed.`: {line}")
                continue
            thm, stmt, orig = r.groups()
            if stmt != thm + "_statement":
                errors.append(f"{where}: {thm} is stated as {stmt}, not {thm}_statement")
            if orig.rsplit(".", 1)[-1] != thm:
                errors.append(f"{where}: {thm} is proved from {orig}, of another name")
            parts = orig.split(".")
            if len(parts) < 3 or parts[1] != folder:
                errors.append(f"{where}: {thm} (from {orig}) is not in the file of its folder")
            if orig in found:
                errors.append(f"theories/headlines/: {orig} restated twice")
            found[orig] = f"Certigrad.headlines.{path.stem}.{thm}"
    return found, errors


def print_assumptions(names: list[str], libraries: list[str] | None = None) -> str:
    """coqc's output for `Print Assumptions` of each name, after requiring
    `libraries` (by default the library of each name)."""
    modules = libraries or sorted({n.rsplit(".", 1)[0] for n in names})
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
    # theories/headlines/ against headlines.txt, and the axioms of each restatement.
    found, restate_errors = restatements()
    restate_errors += [f"{n} has no restatement in theories/headlines/" for n in names if n not in found]
    restate_errors += [f"theories/headlines/ restates {o}, which is not in audit/headlines.txt"
                       for o in found if o not in names]
    listed = [n for n in names if n in found]
    restated = [found[n] + "_statement" for n in listed]
    libraries = [f"Certigrad.headlines.{p.stem}" for p in headline_files()]
    restated_sets = axioms_of(print_assumptions(restated, libraries)) if restated else []
    if len(restated_sets) != len(restated):
        restate_errors.append(f"expected {len(restated)} Print Assumptions answers for theories/headlines/, "
                              f"got {len(restated_sets)}")
    for stmt, axioms in zip(restated, restated_sets):
        if axioms - ALLOWED:
            restate_errors.append(f"{stmt} rests on {sorted(axioms - ALLOWED)}")
    if not restate_errors:
        print(f"audit: ok theories/headlines/ restates the {len(names)} headlines (exact @original; "
              f"statements on allowlisted axioms)")
    errors += restate_errors
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
