"""The paper compiler: a PDF or arXiv-style HTML paper becomes an ARA with located claims.

``compile_paper(path, aras=..., router=...)`` reads the paper (pypdf / BeautifulSoup), asks the
model (phase ``compilation``) which passages state claims, keeps only proposals grounded in
the extracted text, and writes sections, figures, tables, references and claims through
``AraService``. See docs/compile.md.

The package is named after the command; import its submodules (``researchos.compile.compiler``)
rather than binding the package itself to a name, which would shadow the ``compile`` builtin.
"""

from researchos.compile.compiler import CompileResult, compile_paper, read_paper
from researchos.compile.limits import CompileLimits

__all__ = ["CompileLimits", "CompileResult", "compile_paper", "read_paper"]
