-- wrk script of the KopNet benchmark (bench/run.py runs it):
--
--     wrk -c16 -t2 -d10s -s bench/wrk.lua http://127.0.0.1:8100 -- URLS_FILE [COOKIE [random [STATUS]]]
--
-- Each request takes the next path of URLS_FILE (one per line), each thread starting at
-- its own offset, so that a case spreads over its URLs instead of hammering one. COOKIE,
-- if given, is sent as the Cookie header (the admin case's session). With "random" as
-- the third argument, each request adds a parameter of a random value (r=<number>), as
-- clients that add odd parameters do: a page cache keyed by the raw query string would
-- miss on every one of them. Every answer that is not the expected one is counted: a
-- 2xx, or exactly STATUS when given (304 for a conditional request, whose If-None-Match
-- wrk's -H sends). wrk itself only counts 4xx and 5xx, and a redirect is no page either.
-- done() prints one line, BENCH_JSON followed by the figures as JSON (latencies in µs).

local threads = {}

function setup(thread)
    thread:set("thread_number", #threads)
    table.insert(threads, thread)
end

function init(args)
    paths = {}
    for line in io.lines(args[1]) do
        if line ~= "" then
            table.insert(paths, line)
        end
    end
    if #paths == 0 then
        error("no URLs in " .. args[1])
    end
    if args[2] and args[2] ~= "" then
        wrk.headers["Cookie"] = args[2]
    end
    random_param = args[3] == "random"
    expected = tonumber(args[4] or "")
    math.randomseed(os.time() * 1000 + thread_number)
    -- Threads start spread over the list; each then walks it round-robin.
    position = (thread_number * 7919) % #paths
    unexpected = 0
    statuses = {}
end

function request()
    position = position % #paths + 1
    local path = paths[position]
    if random_param then
        local separator = string.find(path, "?", 1, true) and "&" or "?"
        path = path .. separator .. "r=" .. math.random(1, 1000000000)
    end
    return wrk.format("GET", path)
end

function response(status, headers, body)
    local wrong
    if expected then
        wrong = status ~= expected
    else
        wrong = status < 200 or status > 299
    end
    if wrong then
        unexpected = unexpected + 1
        statuses[status] = (statuses[status] or 0) + 1
    end
end

function done(summary, latency, requests)
    local unexpected_total = 0
    local by_status = {}
    local expected_text = "2xx"
    for _, thread in ipairs(threads) do
        expected_text = thread:get("expected") and tostring(thread:get("expected")) or expected_text
        unexpected_total = unexpected_total + thread:get("unexpected")
        for status, count in pairs(thread:get("statuses")) do
            by_status[status] = (by_status[status] or 0) + count
        end
    end
    local status_parts = {}
    for status, count in pairs(by_status) do
        table.insert(status_parts, string.format('"%d": %d', status, count))
    end
    local errors = summary.errors
    local seconds = summary.duration / 1e6
    io.write(string.format(
        'BENCH_JSON {"requests": %d, "duration_s": %.6f, "requests_per_s": %.3f, "bytes": %d, '
            .. '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}, '
            .. '"expected": "%s", "unexpected": %d, "unexpected_by_status": {%s}, '
            .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
        summary.requests, seconds, summary.requests / seconds, summary.bytes,
        latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
        expected_text, unexpected_total, table.concat(status_parts, ", "),
        errors.connect, errors.read, errors.write, errors.timeout
    ))
end
