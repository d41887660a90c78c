"""Import a directive from its document (.txt, .md, .docx, .pdf laid out per Decree 30/2020/NĐ-CP)."""

from cascade.directives.docimport.importer import (
    ImportResult,
    import_document,
    import_lines,
    load_units,
)
from cascade.directives.docimport.names import fold, name_key
from cascade.directives.docimport.output import write_directive_yaml
from cascade.directives.docimport.problems import ImportProblem
from cascade.directives.docimport.resolve import Resolver, UnitRef

__all__ = [
    "ImportProblem",
    "ImportResult",
    "Resolver",
    "UnitRef",
    "fold",
    "import_document",
    "import_lines",
    "load_units",
    "name_key",
    "write_directive_yaml",
]
