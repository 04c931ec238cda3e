"""The commands of `reportgen`, one module per command family.

Each module imports the library it calls at its top; `reportgen.cli` imports a module only when
its command runs (or its help is asked for), so `reportgen --help` loads none of the library.
"""
