"""Named errors raised by the library. The CLI turns them into messages and exit codes."""


class ReportgenError(Exception):
    """Base of every error the library raises on purpose; the message is Chinese, for users."""


class ConfigError(ReportgenError):
    """reportgen.toml is missing a key, has a wrong type or an impossible value."""


class WorkspaceError(ReportgenError):
    """The folder is not a workspace, or a file the step needs is missing."""


class PlanError(ReportgenError):
    """A task-breakdown document or master workbook cannot be read as a plan."""


class TemplateError(ReportgenError):
    """A Word or Excel template has broken tags or names data that does not exist."""


class LedgerError(ReportgenError):
    """The history database is unusable (newer schema, corrupt file)."""


class HistoryError(ReportgenError):
    """The ledger holds too few months for the month-by-month history."""


class BusyError(ReportgenError):
    """Another run holds the workspace lock."""


class UsageError(ReportgenError):
    """The command was asked for something impossible (bad period, missing option value)."""
