"""Per-user opt-out: the keyed hash that matches a ``user_ref``/``uid`` without storing it
(``keyed``), the site backend's API (``api``), the account-settings widget (``widget``) and
Matomo's opt-out script (``matomo_js``)."""
