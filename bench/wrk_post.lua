-- wrk's script for bench/acks.py: POSTs the paths of $WRK_PATHS in order (one wrk thread, its connections sharing
-- the list), with $WRK_BODY as the form and $WRK_COOKIE as the cookie. At the $WRK_COUNT-th answer it prints
-- "answers ok seconds" (ok: answered 200; seconds from wrk's first call for a request) and ends wrk. If wrk stops
-- before (its -d duration ran out: the server stopped answering), `done` prints "incomplete" and the summary.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *t);
]]
local function now()
  local t = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, t) -- CLOCK_MONOTONIC
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end

local paths, next_path = {}, 0
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local count = tonumber(os.getenv("WRK_COUNT"))
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local cookie = os.getenv("WRK_COOKIE")
if cookie ~= nil and cookie ~= "" then wrk.headers["Cookie"] = cookie end

local answers, ok, started = 0, 0, nil

function request()
  -- wrk asks once before it connects, to check the script: that path is never sent. With bench/acks.py's
  -- COUNT (paths − connections − 1) nothing wraps around unless connections were lost and opened again.
  started = started or now()
  next_path = next_path % #paths + 1
  return wrk.format(nil, paths[next_path])
end

function response(status, headers, body)
  answers = answers + 1
  if status == 200 then ok = ok + 1 end
  if answers == count then
    io.write(string.format("%d %d %.6f\n", answers, ok, now() - started))
    io.flush()
    os.exit(0)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("incomplete: %d answers; errors connect %d, read %d, write %d, status %d, timeout %d\n",
    summary.requests, e.connect, e.read, e.write, e.status, e.timeout))
end
