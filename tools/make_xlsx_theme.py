"""Write reportgen/xlsx_theme.xml: the theme part of the workbooks reportgen.xlsx_package writes.

It is the theme openpyxl puts in every workbook it saves, so a workbook written as a package looks
as one openpyxl wrote (theme colours and the minor font of the default style). Run after upgrading
openpyxl: `python -m tools.make_xlsx_theme`; tests/test_checkreport_package.py says when it differs.
"""

from __future__ import annotations

from openpyxl.writer.theme import theme_xml

from reportgen.xlsx_package import THEME_PATH


def main() -> None:
    THEME_PATH.write_bytes(theme_xml.encode("utf-8"))
    print(f"已写入 {THEME_PATH}")


if __name__ == "__main__":
    main()
