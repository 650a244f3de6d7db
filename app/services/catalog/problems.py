"""What is wrong with an imported file: one ``RowProblem`` per bad cell (line as a spreadsheet
numbers it, header = 1; the column's header name; the rule in words), and the refusal that lists
them all."""
from __future__ import annotations

from dataclasses import dataclass

from app.services.errors import N_, DomainError, FieldMessage


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str | None
    message: FieldMessage  # an English text that keeps its template for translation

    @classmethod
    def of(cls, line: int, column: str | None, template: str, /, **details) -> "RowProblem":
        return cls(line, column, FieldMessage(template, **details))

    def sort_key(self):
        return (self.line, self.column or "")


class CatalogueRejected(DomainError):
    """The file was not imported (nothing was written) because of the rows in ``problems``."""

    http_status = 422

    def __init__(self, problems: list[RowProblem]):
        self.problems = sorted(problems, key=RowProblem.sort_key)
        lines = len({p.line for p in self.problems})
        super().__init__(N_("The file was not imported: %(lines)s line(s) have errors. Nothing "
                            "was changed."), lines=lines)


class Problems:
    """Collects problems while a file is checked."""

    def __init__(self):
        self.items: list[RowProblem] = []

    def add(self, line: int, column: str | None, template: str, /, **details) -> None:
        self.items.append(RowProblem.of(line, column, template, **details))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise CatalogueRejected(self.items)
