"""Pure analysis functions: tables and parameters in, tables or small dataclasses out."""
