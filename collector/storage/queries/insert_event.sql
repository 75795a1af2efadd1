INSERT INTO events (site_id, ts_ms, day, visitor, kind, path, title, referrer_host,
    referrer_path, utm_source, utm_medium, utm_campaign, utm_term, utm_content, browser,
    browser_major, os, device, screen, language, country, event_category, event_action,
    event_name, event_value, target, search_query, search_category, search_count, goal_id,
    revenue, pv_id, new_visit)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
    ?, ?, ?, ?, ?)
