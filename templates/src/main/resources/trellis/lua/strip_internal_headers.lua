--[[
Trellis edge header hygiene: the script of an Envoy Lua HTTP filter (typed_config
envoy.extensions.filters.http.lua.v3.Lua, default_source_code.inline_string) that removes, from
every request arriving from outside, the headers whose names start with the gateway's internal
prefix (mesh.yaml gateways[].internalHeaderPrefix, default "x-internal-").

Services inside the mesh may trust such headers (set by the edge or by other services); a client
must not be able to send them. Envoy can remove exact header names on its own (early header
mutation, request_headers_to_remove) but not names by prefix, hence this filter, first in the
edge's chain so that no later filter sees the headers.

Trellis renders the script with one line before this comment that sets PREFIX, the prefix in
lower case (Envoy keeps header names in lower case, so a plain comparison suffices):

  local PREFIX = "x-internal-"

Each removal is logged at debug level (the header name only, never its value). Written for LuaJIT
(Lua 5.1); no state is kept between requests.
]]

local MAX_SHOWN_NAME_BYTES = 64

local function shown(name)
  return (string.gsub(string.sub(name, 1, MAX_SHOWN_NAME_BYTES), "[^a-z0-9%-_]", "?"))
end

function envoy_on_request(request_handle)
  local headers = request_handle:headers()
  -- Envoy does not allow changing the map while iterating it: collect first, then remove.
  local internal = {}
  for name, _ in pairs(headers) do
    if string.sub(name, 1, #PREFIX) == PREFIX then
      internal[#internal + 1] = name
    end
  end
  for _, name in ipairs(internal) do
    headers:remove(name)
    request_handle:logDebug("trellis_internal_header_removed header=\"" .. shown(name) .. "\"")
  end
end
