/**
 * The renderer: a validated {@link dev.trellis.model.Mesh} through Jinja templates (Jinjava) into
 * each proxy group's Envoy v3 resources. Entry points: {@link dev.trellis.render.MeshRenderer}
 * (whole mesh, one group, or only a group's endpoints) and {@link dev.trellis.render.ConfigPrinter}
 * (Envoy-style JSON/YAML for people and golden files).
 *
 * <h2>Templates</h2>
 *
 * Paths are relative to {@code templates/}. The defaults ship under {@code trellis/templates/} on
 * the class path; a definitions repo overrides any of them, and adds its own, by the same path
 * under its {@code templates/} ({@link dev.trellis.model.Mesh#templateOverrides()}). {@code
 * include}, {@code import} and {@code from} resolve overrides first. A group of role {@code
 * sidecar}, {@code edge} or {@code grpc} renders resources of each type with {@code
 * <role>/<type>.yaml.j2}, else {@code common/<type>.yaml.j2}, else none; types are {@code
 * clusters}, {@code endpoints}, {@code listeners}, {@code routes}, {@code secrets}. Each renders a
 * YAML list of resources in Envoy's own field names ({@code snake_case}, {@code typed_config} with
 * {@code "@type"}); {@link dev.trellis.render.EnvoyTypes} lists the known {@code @type}s. Every
 * {@code .j2} file is parsed once per set of overrides; syntax errors in any of them fail the
 * render.
 *
 * <h2>Template context</h2>
 *
 * Plain read-only maps and lists, no nulls (absent values are {@code ""}, {@code 0}, {@code false}
 * or empty), unknown names are errors.
 *
 * <ul>
 *   <li>All roles: {@code mesh} {name, trust_domain, mtls_default, inbound_port, outbound_port,
 *       gateways [{name, http_port, https_port}]}; {@code group} {id, kind, name}.
 *   <li>{@code sidecar}: {@code service} {name, owner, protocol (http|grpc|tcp), is_http, is_grpc,
 *       is_tcp, port, sidecar, mtls (disable|permissive|strict), proxyless, authz, identity,
 *       allowed_principals, edge {gateway, hosts, paths} or {}}; {@code dependencies}, {@code
 *       http_dependencies} (HTTP and gRPC), {@code tcp_dependencies}: each {name, cluster,
 *       protocol, is_http, is_grpc, is_tcp, port (the callee's), timeout (e.g. {@code 1.5s}, or
 *       ""), retries, callee_sidecar, callee_mtls, mtls (the callee serves mTLS), identity}.
 *   <li>{@code grpc}: {@code service}, {@code dependencies}, {@code grpc_dependencies}.
 *   <li>{@code edge}: {@code gateway} {name, http_port, https_port, identity}; {@code exposed}:
 *       each {name, cluster, protocol, is_*, port, hosts, paths, callee_sidecar, callee_mtls, mtls,
 *       identity}.
 *   <li>Endpoints templates only: {@code clusters}, each {name, service, localities [{zone, weight,
 *       endpoints [{host, port, zone}]}], endpoints} with the instances as callers dial them (the
 *       mesh inbound port of a callee with a sidecar). Other templates never see endpoints, so an
 *       endpoint change only needs {@link dev.trellis.render.MeshRenderer#renderEndpoints}.
 * </ul>
 *
 * <h2>Values never change structure</h2>
 *
 * The {@code q} filter writes any value as one JSON scalar or flow collection that YAML reads back
 * as exactly that value (strings double-quoted, everything outside printable ASCII escaped); the
 * default templates use it for every string, and the loader restricts names, hosts and paths to
 * narrow character sets. Rendered values are never rendered again.
 *
 * <h2>Origins</h2>
 *
 * Each {@link dev.trellis.render.RenderedResource} has an {@link dev.trellis.render.Origin}: the
 * template and line where the resource starts, and the definition it was rendered for. Before
 * parsing, each line of template text that starts a top-level list item ({@code "- "} at column 0,
 * outside Jinja constructs) gets an invisible tag that records its template and line and the
 * innermost definition-backed value in scope (the loop's {@code dep}, else the group's {@code
 * service} or {@code gateway}); the n-th record belongs to the n-th rendered resource. Best effort:
 * items made some other way (from an expression, as a flow list) get line 0 and the group's
 * definition.
 *
 * <h2>Errors</h2>
 *
 * {@link dev.trellis.render.RenderException} carries every {@link dev.trellis.render.RenderError}
 * found, each {@code templates/<path>:<line>: message}, with the groups it occurred in: syntax
 * errors, unknown variables and filters, errors inside included templates and imported macros (at
 * their own file and line), invalid rendered YAML, unknown fields or types, resources without a
 * name or rendered twice.
 */
package dev.trellis.render;
