-- wrk script for bench/run.sh, bench/profile.sh and bench/side_by_side.py: POST the body in $BODY_FILE as the operation in $TARGET
-- (any JSON 1.1 operation), print one JSON line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService." .. os.getenv("TARGET")
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0"
local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
wrk.body = f:read("*a")
f:close()

-- A body with %N% in it (SignUp's username) gets a number unique to each request:
-- $UNIQUE_PREFIX (one per run) and a counter.
if string.find(wrk.body, "%N%", 1, true) then
  local template = wrk.body
  local prefix = os.getenv("UNIQUE_PREFIX") or tostring(os.time())
  local n = 0
  request = function()
    n = n + 1
    local body = string.gsub(template, "%%N%%", prefix .. "-" .. n)
    return wrk.format(nil, nil, nil, body)
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local ok = summary.requests - e.status
  io.write(string.format(
    '{"requests": %d, "non_2xx": %d, "socket_errors": %d, "seconds": %.2f, "rps_ok": %.1f, "p50_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout, seconds, ok / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
