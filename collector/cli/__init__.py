"""The ``collector`` command line: ``parser`` builds the argument parser and dispatches,
``commands`` does the work of each command, ``privacy`` the operator's privacy tools
(exclusions, erasure)."""
