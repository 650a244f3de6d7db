"""The catalogue's rules: import and export in the SPEC §12 format, the variant matrix, opening
stock, media and search without accents.

The import is one entry point, ``importing.import_catalogue(session, upload, dry_run=…)``: it reads
the file (``reading``), checks every row on its own (``rows``), compares the file with the database
(``planning``) and, unless it is a dry run or a row is bad, writes the plan (``applying``). It never
commits: the CLI, the API, the Import page and the job own the transaction.
"""
