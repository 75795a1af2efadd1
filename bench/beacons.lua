-- wrk script for `python -m bench.ingest`: rotates realistic Matomo page-view beacons.
--
--   wrk -t1 -c50 -d10s -s bench/beacons.lua http://127.0.0.1:PORT -- SITE_ID [unique-ua]
--
-- Every request is built once in init() (a fixed seed, so every run and both apps get
-- the same sequence); request() only hands out the next one. done() prints one line,
-- BENCH_RESULT followed by JSON, that bench/ingest.py parses.
--
-- With `unique-ua`, every request carries a User-Agent never seen before (what a flood
-- from a botnet looks like): the pool's browser User-Agent with a run id and a counter
-- put into its platform comment, "(Windows NT 10.0; Win64; x64; 6745f0a1-17)". The
-- request is kept in two halves around that spot, so request() only joins three strings.

local site_id = "1"
local pool = {}
local pool_size = 1000
local cursor = 0
local unique_ua = false
local halves = {}  -- unique-ua: { before the spot, after it } per pooled request
local run_id = ""
local counter = 0

local user_agents = {
  -- Chrome, Windows desktop
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  -- Chrome, macOS desktop
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
  -- Firefox, Windows desktop
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
  -- Firefox, Linux desktop
  "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
  -- Safari, macOS desktop
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  -- Safari, iPhone
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  -- Safari, iPad
  "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  -- Chrome, Android phone
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
  -- Samsung Internet, Android phone
  "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
  -- Firefox, Android phone
  "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0",
  -- Edge, Windows desktop
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
}

local languages = {
  "en-US,en;q=0.9", "en-GB,en;q=0.9", "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
  "fr-FR,fr;q=0.9,en;q=0.8", "nb-NO,nb;q=0.9,no;q=0.8,en;q=0.7", "es-ES,es;q=0.9",
  "pt-BR,pt;q=0.9,en-US;q=0.8", "ja,en-US;q=0.9,en;q=0.8",
}

local screens = {
  "1920x1080", "2560x1440", "1536x864", "1440x900", "1366x768", "390x844", "414x896",
  "360x800", "412x915", "820x1180", "768x1024",
}

local products = {
  "linen-shirt", "wool-socks", "rain-jacket", "canvas-tote", "leather-boots", "denim-jeans",
  "merino-sweater", "silk-scarf", "cotton-hoodie", "trail-runners", "sun-hat", "gift-card",
}
local categories = { "men", "women", "kids", "sale", "new-in", "accessories", "shoes" }
local posts = { "how-to-wash-wool", "spring-lookbook-2025", "our-suppliers", "size-guide" }

-- { page path, title }
local function page()
  local r = math.random(100)
  if r <= 40 then
    local p = products[math.random(#products)]
    return "/products/" .. p, p:gsub("-", " "):gsub("^%l", string.upper) .. " | Shop Example"
  elseif r <= 60 then
    local c = categories[math.random(#categories)]
    return "/collections/" .. c .. "?page=" .. math.random(5), "Collection: " .. c .. " – Shop Example"
  elseif r <= 72 then
    local b = posts[math.random(#posts)]
    return "/blog/" .. b, b:gsub("-", " ") .. " - Shop Example Journal"
  elseif r <= 80 then
    return "/search?q=" .. products[math.random(#products)]:gsub("-", "+"), "Search results | Shop Example"
  elseif r <= 86 then
    return "/cart", "Your cart | Shop Example"
  elseif r <= 90 then
    return "/checkout/information", "Checkout - Shop Example"
  end
  return "/", "Shop Example – clothes that last"
end

local campaigns = {
  "utm_source=newsletter&utm_medium=email&utm_campaign=autumn_sale",
  "utm_source=facebook&utm_medium=cpc&utm_campaign=retargeting&utm_content=carousel_2",
  "utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=shop+example",
  "mtm_campaign=spring&mtm_source=instagram",
}

local referrers = {
  "https://www.google.com/", "https://duckduckgo.com/", "https://www.bing.com/",
  "https://news.ycombinator.com/item?id=41234567", "https://www.reddit.com/r/malefashionadvice/",
  "https://t.co/abc123XyZ", "https://l.facebook.com/", "https://shop.example/collections/sale",
}

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(t)
end

local alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
local function pv_id()
  local t = {}
  for i = 1, 6 do
    local k = math.random(#alnum)
    t[i] = alnum:sub(k, k)
  end
  return table.concat(t)
end

local function beacon()
  local path, title = page()
  if math.random(100) <= 25 then
    path = path .. (path:find("?", 1, true) and "&" or "?") .. campaigns[math.random(#campaigns)]
  end
  local url = "https://shop.example" .. path
  local ref = ""
  if math.random(100) <= 60 then
    ref = referrers[math.random(#referrers)]
  end
  local now = os.time()
  local query = table.concat({
    "action_name=" .. encode(title),
    "idsite=" .. site_id,
    "rec=1",
    "r=" .. string.format("%06d", math.random(0, 999999)),
    "h=" .. math.random(0, 23), "m=" .. math.random(0, 59), "s=" .. math.random(0, 59),
    "url=" .. encode(url),
    "urlref=" .. encode(ref),
    "_id=" .. hex(16),
    "_idn=0",
    "send_image=0",
    "_refts=0",
    "pdf=1", "qt=0", "realp=0", "wma=0", "fla=0", "java=0", "ag=0", "cookie=0",
    "res=" .. screens[math.random(#screens)],
    "pv_id=" .. pv_id(),
  }, "&")
  local headers = {
    ["User-Agent"] = user_agents[math.random(#user_agents)],
    ["Accept-Language"] = languages[math.random(#languages)],
    ["Accept"] = "*/*",
    ["Referer"] = url,
  }
  return wrk.format("GET", "/matomo.php?" .. query, headers)
end

function init(args)
  if args[1] then site_id = args[1] end
  unique_ua = args[2] == "unique-ua"
  math.randomseed(20251122)
  for i = 1, pool_size do
    pool[i] = beacon()
    if unique_ua then
      -- the spot: the end of the User-Agent's first comment, "(…; x64" | ")"
      local ua_at = pool[i]:find("User-Agent: ", 1, true)
      local spot = pool[i]:find(")", ua_at, true)
      halves[i] = { pool[i]:sub(1, spot - 1) .. "; ", pool[i]:sub(spot) }
    end
  end
  -- differs from run to run (the warm-up's User-Agents are not the measured run's)
  run_id = string.format("%x%04x", os.time(), math.floor((os.clock() * 1e6) % 65536))
end

function request()
  cursor = cursor % pool_size + 1
  if unique_ua then
    counter = counter + 1
    local h = halves[cursor]
    return h[1] .. run_id .. "-" .. counter .. h[2]
  end
  return pool[cursor]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
