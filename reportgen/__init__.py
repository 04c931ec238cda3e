"""reportgen: monthly supervision reports for a development zone's key projects."""

__version__ = "0.1.0"
