package dev.trellis.analyze.envoy;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import dev.trellis.analyze.GroupCheck;
import dev.trellis.analyze.GroupContext;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.render.RenderedResource;
import java.util.List;

/**
 * Every rendered resource against the protoc-gen-validate constraints of the Envoy API, the checks
 * Envoy itself runs before accepting config (TRL201), and every typed_config opened (TRL202).
 */
public final class FieldConstraintCheck implements GroupCheck {

  public static final Rule FIELD_CONSTRAINT =
      new Rule(
          "TRL201",
          "envoy-field-constraint",
          Level.ERROR,
          "A field of a rendered resource breaks a constraint the Envoy API declares.",
          "The Envoy API annotates its fields with protoc-gen-validate rules (required fields,"
              + " string lengths, number and duration bounds, defined enum values, list sizes,"
              + " oneofs that must be set). Envoy validates every resource against them and NACKs"
              + " the whole update if one fails. Trellis checks the same rules, including inside"
              + " typed_config, before publishing. Fix the template or the definition value"
              + " named in the message.");

  public static final Rule UNRESOLVED_ANY =
      new Rule(
          "TRL202",
          "envoy-unknown-typed-config",
          Level.ERROR,
          "A typed_config holds a type Trellis does not know, or bytes that do not parse.",
          "Extension configs (filters, transport sockets) are google.protobuf.Any values. Trellis"
              + " opens each one to check it; a type URL outside the known Envoy API, usually a"
              + " typo in a template, would make Envoy reject the resource, and Trellis could not"
              + " check anything inside it.");

  /** Enough for every distinct resource of a mesh of several thousand services. */
  private static final int MEMO_SIZE = 200_000;

  private final ProtoValidator validator = new ProtoValidator();

  /**
   * Violations by resource content: equal resources recur across groups (a callee's cluster and
   * endpoints in every caller's group, the same inbound listener in every sidecar) and across
   * analyses of a changed mesh, so each is validated once.
   */
  private final Cache<Key, List<Violation>> memo =
      CacheBuilder.newBuilder().maximumSize(MEMO_SIZE).build();

  private record Key(TypeRegistry types, Message proto) {}

  @Override
  public List<Rule> rules() {
    return List.of(FIELD_CONSTRAINT, UNRESOLVED_ANY);
  }

  @Override
  public void check(GroupContext context) {
    for (RenderedResource r : context.group().resources()) {
      Key key = new Key(context.types(), r.proto());
      List<Violation> violations = memo.getIfPresent(key);
      if (violations == null) {
        violations = validator.validate(r.proto(), context.types());
        memo.put(key, violations);
      }
      for (Violation v : violations) {
        Rule rule = v.kind() == Violation.Kind.CONSTRAINT ? FIELD_CONSTRAINT : UNRESOLVED_ANY;
        context.report(rule, r, v.text());
      }
    }
  }
}
