"""What an operator does for the people being counted: exclusion rules and their matching
(``exclusions``), previews, retroactive application and erasure (``tools``), the generated
privacy statement (``statement``) and data export (``export``)."""
