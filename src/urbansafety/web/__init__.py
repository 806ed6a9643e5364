"""The web app (Django): survey collection for residents, pages for analysts.

``urbansafety serve`` starts it on the workspace given (SQLite in the workspace by default,
PostgreSQL through ``DATABASE_URL``). Settings come from the environment that command sets:
``URBANSAFETY_WORKSPACE``, ``DATABASE_URL``, ``URBANSAFETY_SECRET_KEY``, ``URBANSAFETY_DEBUG``.
"""
