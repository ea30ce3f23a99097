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
 * </pre>
 *
 * <p>A service: {@code name}, {@code owner}, {@code protocol} (http | grpc | tcp) and {@code port}
 * are required; {@code sidecar} (default false), {@code proxyless} (default false: the app is a
 * grpc-xds client/server of group {@code grpc:<name>}; not with {@code sidecar}), {@code mtls},
 * {@code authz} (audit | enforce, default audit), {@code endpoints} ({@code static}: {@code
 * "host:port"} or {@code {address: "host:port", zone: z}}; {@code kubernetes: {namespace,
 * service}}), {@code dependencies} ({@code name}, {@code timeout} such as 500ms/2s/1m/1h, {@code
 * retries} 0-10, default 0) and {@code edge} ({@code gateway}, {@code hosts}, {@code paths},
 * default {@code ["/"]}) are optional.
 *
 * <p>Strictness: unknown fields, duplicate keys, wrong YAML types (quoted numbers, {@code yes} for
 * a boolean), merge keys and explicit tags are errors. Names, hosts, paths, owners and zones are
 * limited to narrow character sets so that no value can change the structure of the YAML a template
 * renders it into.
 */
package dev.trellis.model.load;
