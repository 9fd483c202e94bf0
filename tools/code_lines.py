"""Count a package's code lines: lines holding code, not docstrings, comments or blanks.

Usage::

    python tools/code_lines.py skmlp             # total
    python tools/code_lines.py skmlp -v          # per file
    python tools/code_lines.py skmlp --doc-text  # also not docstring text built in code

With ``--doc-text``, the string literals of ``__doc__ = ...`` assignments and long
module-level string constants (``_docs.py``'s shared parameter docs) count as
docstrings too; without it they count as code.
"""
import ast, io, sys, tokenize
from pathlib import Path


def count(path, doc_text=False):
    src = path.read_text()
    tree = ast.parse(src)
    doc = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
                doc.update(range(body[0].lineno, body[0].end_lineno + 1))
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            module_const = node in tree.body and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str) and len(node.value.value) > 200
            if doc_text and ("__doc__" in names or module_const):
                for sub in ast.walk(node.value):
                    if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                        doc.update(range(sub.lineno, sub.end_lineno + 1))
    code = set()
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        if tok.type == tokenize.STRING and all(l in doc for l in range(tok.start[0], tok.end[0] + 1)):
            continue
        for ln in range(tok.start[0], tok.end[0] + 1):
            if tok.type != tokenize.STRING or ln not in doc:
                code.add(ln)
    return len(code)


root = Path(sys.argv[1])
rows = [(count(p, "--doc-text" in sys.argv), p) for p in sorted(root.rglob("*.py"))]
if "-v" in sys.argv:
    for n, p in sorted(rows):
        print(f"{n:6d} {p}")
print(f"{sum(n for n, _ in rows):6d} total")
