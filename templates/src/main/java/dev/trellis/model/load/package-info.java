/**
 * The strict loader of a definitions repo: {@link dev.trellis.model.load.DefinitionLoader} turns a
 * {@link dev.trellis.model.DefinitionTree} into a validated {@link dev.trellis.model.Mesh} or into
 * every error found, each as {@code file:line:col: message}.
 *
 * <p>Layout: {@code mesh.yaml} (optional), {@code services/**}{@code /<name>.yaml} or {@code .yml}
 * (one service per file, file name = service name, subdirectories allowed), {@code templates/**}
 * (template overrides, kept as text by path below {@code templates/}). Other files are ignored.
 *
 * <p>{@code mesh.yaml}, every field optional (defaults of {@link
 * dev.trellis.model.MeshConfig#defaults()}):
 *
 * <pre>
 * name: shop                      # DNS label
 * trustDomain: shop.example.org   # hostname
 * mtls: permissive                # disable | permissive | strict: default of services without mtls
 * sidecar: {inboundPort: 15006, outboundPort: 15001}
 * gateways:                       # edge gateways; names are DNS labels, distinct from services
 *   - name: public
 *     httpsPort: 8443             # default 8443
 *     httpPort: 8080              # default 8080
 *     tls:                        # HTTPS by SNI host; without it the gateway is plain HTTP
 *       - hosts: [shop.example.com, "*.shop.example.com"]
 *         certFile: /etc/edge/shop.crt   # PEM files on the edge proxy's disk...
 *         keyFile: /etc/edge/shop.key
 *       - hosts: [internal.example.com]
 *         meshCa: true            # ...or a certificate issued by the mesh CA
 *     internalHeaderPrefix: x-internal-   # removed from outside requests (default x-internal-)
 *     maxRequestHeadersKb: 60     # 1-8192, default 60
 * trafficDefaults:                # for every dependency and edge route; same fields as a dependency
 *   timeout: 2s
 *   retries: {attempts: 2, on: [connect-failure, reset], perTryTimeout: 500ms}
 * securityHeaders:                # edge response headers; a value, or false for none
 *   hsts: "max-age=31536000; includeSubDomains"        # built-in default
 *   contentTypeOptions: nosniff                        # built-in default
 *   frameOptions: DENY                                 # built-in default
 *   referrerPolicy: strict-origin-when-cross-origin    # built-in default
 *   contentSecurityPolicy: "default-src 'self'"        # no built-in default
 * </pre>
 *
 * <p>A service: {@code name}, {@code owner}, {@code protocol} (http | grpc | tcp) and {@code port}
 * are required; {@code sidecar} (default false), {@code proxyless} (default false: the app is a
 * grpc-xds client/server of group {@code grpc:<name>}; not with {@code sidecar}), {@code mtls},
 * {@code authz} (audit | enforce, default audit), {@code endpoints} ({@code static}: {@code
 * "host:port"} or {@code {address: "host:port", zone: z}}; {@code kubernetes: {namespace,
 * service}}), {@code dependencies} and {@code edge} are optional.
 *
 * <p>A dependency: {@code name}, then its traffic policy; whatever it leaves out comes from {@code
 * trafficDefaults}, then from the built-in default (least-request balancing, no retries):
 *
 * <pre>
 * - name: ledger
 *   timeout: 2s                   # 500ms, 2s, 1m, 1h: the whole call, retries included
 *   retries: 2                    # short for {attempts: 2}; attempts are retries, 0-10
 *   retries:
 *     attempts: 2
 *     on: [5xx, reset, connect-failure, unavailable]   # Envoy retry_on / gRPC status names
 *     perTryTimeout: 500ms
 *     budget: {percent: 20, minConcurrency: 3}         # Envoy's defaults when left out
 *   circuitBreakers: {maxConnections: 100, maxPendingRequests: 50, maxRequests: 200}
 *   outlierDetection: {consecutive5xx: 5, consecutiveGatewayErrors: 3, baseEjectionTime: 30s,
 *                      maxEjectionPercent: 50}
 *   lb: least_request             # round_robin | least_request | ring_hash | random |
 *                                 # weighted_round_robin (by the instances' ORCA load reports)
 * </pre>
 *
 * <p>An edge exposure:
 *
 * <pre>
 * edge:
 *   gateway: public               # declared in mesh.yaml
 *   hosts: [shop.example.com]     # required
 *   paths: [/api]                 # default ["/"]
 *   timeout: 5s                   # default trafficDefaults.timeout
 *   csrf: enforce                 # off | shadow (default) | enforce, or
 *   csrf: {mode: enforce, additionalOrigins: [partner.example.com]}   # hosts, no scheme
 *   cors: {allowOrigins: ["https://app.example.com"], allowMethods: [GET, POST],
 *          allowHeaders: [content-type], allowCredentials: true, maxAge: 10m}
 *   securityHeaders: {frameOptions: SAMEORIGIN, contentSecurityPolicy: false}
 *   cookies: {allowed: [session, csrftoken], mode: monitor}   # monitor (default) | enforce
 *   rateLimit: {requestsPerSecond: 100, burst: 200}          # burst defaults to the rate
 * </pre>
 *
 * <p>Strictness: unknown fields, duplicate keys, wrong YAML types (quoted numbers, {@code yes} for
 * a boolean), merge keys and explicit tags are errors. Names, hosts, paths, owners and zones are
 * limited to narrow character sets so that no value can change the structure of the YAML a template
 * renders it into.
 *
 * <p>Bounds, checked before a file is parsed ({@link dev.trellis.model.DefinitionTree}) and while
 * it is: at most 1 MiB a file and 16 KiB a line (the read stops at the first byte over), 64 MiB and
 * 100,000 files and directories a tree (symlinks fanning out included); UTF-8 without NUL bytes; no
 * symlink whose target is outside the definitions directory (links inside it are read as their
 * target, and none is read from Git); mappings and lists nested at most 20 deep; at most 20
 * aliases; names and hosts as their character sets above bound them (DNS labels 63, hostnames 253,
 * owners 128, header names 64, paths 1024, header values 2048), cookie names 256. Each is refused
 * with its file and line, and no message quotes more than 64 characters of a value or 200 of a YAML
 * parser's text.
 */
package dev.trellis.model.load;
