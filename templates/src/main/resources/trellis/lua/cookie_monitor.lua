--[[
Trellis edge cookie monitor: the script of the edge gateway's Envoy Lua HTTP filter
(envoy.filters.http.lua, typed_config envoy.extensions.filters.http.lua.v3.Lua, as
default_source_code.inline_string).

For privacy review, every Set-Cookie a service sends through the edge is checked against that
service's allowlist of cookie names (edge.cookies.allowed in its definition). A cookie whose name
is not on the list is a violation: it is logged and counted, and in mode "enforce" its Set-Cookie
header is removed from the response. Allowed cookies always pass untouched.

Where the per-service configuration comes from
  response_handle:metadata() returns the matched route's metadata entry for this filter: Envoy
  looks under the HTTP filter's config name and falls back to the canonical name
  "envoy.filters.http.lua" (older releases look only there). Trellis therefore names the filter
  "envoy.filters.http.lua" and renders, on every route of the service's edge virtual host (it is
  the route's metadata that metadata() reads, not the virtual host's):

    metadata:
      filter_metadata:
        envoy.filters.http.lua:
          cookie_monitor:
            service: "shop"                       # shown in logs and dynamic metadata
            mode: "enforce"                       # "monitor" | "enforce"
            allowed: ["session", "csrftoken"]     # exact cookie names, compared case-sensitively

  A route without this entry (a service that declares no edge.cookies) is not monitored. Route
  metadata rather than LuaPerRoute.filter_context: the latter exists only in recent Envoy releases,
  and metadata() works on every route without a per-route script override.

How repeated Set-Cookie headers are read
  headers:get() joins repeated values with "," which is ambiguous for Set-Cookie (an Expires
  attribute contains a comma), so each value is read on its own with headers:getNumValues() and
  headers:getAtIndex() (0-based; Envoy returns nil for an empty value, and an empty Set-Cookie sets
  nothing). headers:remove() drops every value of a header, so enforcing removes "set-cookie" and
  adds the allowed values back with headers:add(), in their original order. replace() is not
  used: it would keep a single value.

Counting
  Envoy's Lua filter has no API to define counters. Each violation is one warning log line:
    trellis_cookie_violation service="shop" cookie="tracker" reason=not_allowed action=kept
  (action=stripped in enforce mode; reason=no_name for a Set-Cookie without a name, which browsers
  following RFC 6265bis store as a nameless cookie). A response with violations also gets dynamic
  metadata in namespace "trellis.cookie_monitor": violations and stripped (numbers), cookies (the
  names, comma-separated), service and mode, for access logs, e.g.
  %DYNAMIC_METADATA(trellis.cookie_monitor:violations)%. Responses without violations get none.
  Cookie values are never logged. Names (and the service) are shown with any byte outside the
  RFC 6265 token characters escaped as \xNN, and cut to 64 bytes.

Written for LuaJIT (Lua 5.1 syntax and library); the script keeps no state between responses.
]]

local CONFIG_KEY = "cookie_monitor"
local DYNAMIC_METADATA_NAMESPACE = "trellis.cookie_monitor"
local SET_COOKIE = "set-cookie"
local MAX_SHOWN_NAME_BYTES = 64

-- Removes leading and trailing spaces and tabs (RFC 6265 section 5.2 trims WSP around the name).
local function trim(text)
  return string.match(text, "^[ \t]*(.-)[ \t]*$")
end

-- The cookie name of one Set-Cookie value as a user agent parses it (RFC 6265 section 5.2):
-- the name-value pair ends at the first ";" and the name at its first "=". Returns "" when there
-- is no name: no "=" at all, or nothing before it.
local function cookie_name(set_cookie)
  local pair = string.match(set_cookie, "^[^;]*")
  local equals = string.find(pair, "=", 1, true)
  if equals == nil then
    return ""
  end
  return trim(string.sub(pair, 1, equals - 1))
end

local function escape_byte(byte)
  return string.format("\\x%02X", string.byte(byte))
end

-- A cookie name made safe for a log line or a comma-separated list. The set spells out ASCII
-- ranges because Lua's letter classes depend on the locale (LuaJ's take in Latin-1 letters too).
local function shown(name)
  local cut = string.sub(name, 1, MAX_SHOWN_NAME_BYTES)
  return (string.gsub(cut, "[^a-zA-Z0-9!#%$%%&'%*%+%-%.%^_`|~]", escape_byte))
end

local function allowed_set(allowed)
  local set = {}
  if type(allowed) == "table" then
    for _, name in ipairs(allowed) do
      if type(name) == "string" then
        set[name] = true
      end
    end
  end
  return set
end

function envoy_on_response(response_handle)
  local headers = response_handle:headers()
  local count = headers:getNumValues(SET_COOKIE)
  if count == 0 then
    return
  end
  local config = response_handle:metadata():get(CONFIG_KEY)
  if type(config) ~= "table" then
    return
  end

  local service = shown(type(config.service) == "string" and config.service or "unknown")
  local mode = config.mode
  if mode ~= "monitor" and mode ~= "enforce" then
    -- The loader rejects such a mode; should one get here anyway, never strip on a doubtful config.
    response_handle:logErr(string.format(
      "trellis_cookie_monitor service=\"%s\" has mode \"%s\", " ..
      "neither monitor nor enforce: monitoring only", service, shown(tostring(mode))))
    mode = "monitor"
  end
  local allowed = allowed_set(config.allowed)

  local kept = {}
  local violations = {}
  for index = 0, count - 1 do
    local value = headers:getAtIndex(SET_COOKIE, index)
    if value ~= nil then
      local name = cookie_name(value)
      if name ~= "" and allowed[name] then
        kept[#kept + 1] = value
      else
        violations[#violations + 1] = name
      end
    end
  end
  if #violations == 0 then
    return
  end

  local enforce = mode == "enforce"
  local action = enforce and "stripped" or "kept"
  local names = {}
  for i, name in ipairs(violations) do
    names[i] = shown(name)
    response_handle:logWarn(string.format(
      "trellis_cookie_violation service=\"%s\" cookie=\"%s\" reason=%s action=%s",
      service, names[i], name == "" and "no_name" or "not_allowed", action))
  end

  if enforce then
    headers:remove(SET_COOKIE)
    for _, value in ipairs(kept) do
      headers:add(SET_COOKIE, value)
    end
  end

  local dynamic_metadata = response_handle:streamInfo():dynamicMetadata()
  dynamic_metadata:set(DYNAMIC_METADATA_NAMESPACE, "violations", #violations)
  dynamic_metadata:set(DYNAMIC_METADATA_NAMESPACE, "stripped", enforce and #violations or 0)
  dynamic_metadata:set(DYNAMIC_METADATA_NAMESPACE, "cookies", table.concat(names, ","))
  dynamic_metadata:set(DYNAMIC_METADATA_NAMESPACE, "service", service)
  dynamic_metadata:set(DYNAMIC_METADATA_NAMESPACE, "mode", mode)
end
