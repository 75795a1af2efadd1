-- Paths lose their campaign keys (the campaign is in its own columns), so a page reached
-- from a newsletter counts as the same page.
UPDATE _visit_events AS e SET path = m.page FROM _page_map AS m WHERE e.path = m.path
