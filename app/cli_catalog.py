"""``flask catalog …``: import and export the catalogue file (SPEC §12), rebuild the search text."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup


def catalog_group(app) -> AppGroup:
    group = AppGroup("catalog", help="The catalogue file: import, export; search text.")

    @group.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    def import_command(file: Path, dry_run: bool, as_json: bool):
        """Import FILE (CSV or XLSX), one transaction; any bad row rejects the whole file."""
        from app.extensions import db
        from app.services.catalog.importing import CatalogueRejected, Upload, import_catalogue
        session = db.session
        try:
            report = import_catalogue(session, Upload(file.name, file.read_bytes()),
                                      dry_run=dry_run)
        except CatalogueRejected as exc:
            session.rollback()
            if as_json:
                click.echo(json.dumps({"errors": [{"line": p.line, "column": p.column,
                                                   "message": str(p.message)}
                                                  for p in exc.problems]}, ensure_ascii=False))
            else:
                for p in exc.problems:
                    click.echo(f"line {p.line}, {p.column or '-'}: {p.message}", err=True)
                click.echo(exc.message, err=True)
            sys.exit(1)
        if dry_run:
            session.rollback()
        else:
            session.commit()
        if as_json:
            click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        verb = "would be" if dry_run else "were"
        click.echo(f"{report.rows} rows read. Created ({verb}): "
                   + ", ".join(f"{k} {v}" for k, v in report.created.items())
                   + f". Updated ({verb}): "
                   + ", ".join(f"{k} {v}" for k, v in report.updated.items())
                   + f". Opening stock left out (stock moves exist): {report.opening_skipped}."
                   + (" Dry run: nothing was written." if dry_run else ""))

    @group.command("export")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def export_command(file: Path):
        """Write the catalogue to FILE (.csv or .xlsx) in the import's format."""
        from app.extensions import db
        from app.services.catalog import exporting
        rows = exporting.catalogue_rows(db.session)
        write = exporting.to_xlsx if file.suffix.lower() == ".xlsx" else exporting.to_csv
        file.write_bytes(write(rows))
        click.echo(f"{len(rows)} rows written to {file}.")

    @group.command("reindex")
    def reindex_command():
        """Fold the search text of every product, variant and customer again."""
        from app.extensions import db
        from app.services.catalog.search import reindex
        changed = reindex(db.session)
        db.session.commit()
        click.echo(f"{changed} search texts updated.")

    return group
