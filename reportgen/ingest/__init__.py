"""Submission files → Submissions + Issues: exact where the unit followed the form, forgiving
where the meaning is clear, and loud and specific where it is not.

Files are read into memory once (never opened for writing), checked byte-wise by
`reportgen.safety`, then read with python-calamine, which gets Chinese date formats right and
reads .xlsx/.xlsm/.xls/.ods alike. Layout: `reportgen.formspec`.

One job per module, read bottom-up:
  values     a cell's text/number → amount, date, status (pure)
  grid       a workbook as grids of values (calamine + the raw worksheet XML)
  index      look-ups over the plan; the context of one file and its issues
  layout     where the tables are: hidden sheet, header rows, merged cells, missing rows
  identify   whose file, for which month
  figures    the cumulative figures table
  milestones the milestones table and the footer
  reader     one file → FileRead
  batch      a folder → IngestResult (newest file per unit; a process pool for large batches)
"""

from reportgen.ingest.batch import IngestResult, read_submissions
from reportgen.ingest.reader import FileRead, read_submission
from reportgen.ingest.values import STATUS_WORDS, parse_amount, parse_date, parse_status

__all__ = [
    "STATUS_WORDS",
    "FileRead",
    "IngestResult",
    "parse_amount",
    "parse_date",
    "parse_status",
    "read_submission",
    "read_submissions",
]
