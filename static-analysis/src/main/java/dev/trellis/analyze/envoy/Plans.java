package dev.trellis.analyze.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import dev.trellis.analyze.envoy.ValueCheck.Failure;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import io.envoyproxy.pgv.validate.Validate.MapRules;
import io.envoyproxy.pgv.validate.Validate.RepeatedRules;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Compiled constraint plans, one per message type, cached. A plan lists only the fields worth a
 * visit: those with rules, those holding an Any, and those whose type can reach either; so the walk
 * skips the parts of the Envoy API that declare no constraints. Thread-safe.
 */
final class Plans {

  private static final String ANY = Any.getDescriptor().getFullName();

  /** The plan of one message type. Immutable once published in the cache. */
  static final class MessagePlan {
    final Descriptor type;
    final boolean disabled;
    final List<RequiredOneof> requiredOneofs = new ArrayList<>();
    final List<FieldPlan> candidates = new ArrayList<>();
    FieldPlan[] fields = new FieldPlan[0];
    boolean relevant;

    MessagePlan(Descriptor type, boolean disabled) {
      this.type = type;
      this.disabled = disabled;
    }
  }

  record RequiredOneof(OneofDescriptor oneof, String target, Failure failure) {}

  /** One field's constraints and how to descend into it. Immutable once published. */
  static final class FieldPlan {
    final FieldDescriptor field;
    final String target;

    /** Failure for an unset field whose presence is required, else null. */
    Failure required;

    /** Checks on the value, each item, or each map value; null if none. */
    ValueCheck element;

    /** Checks on each map key; null if none. */
    ValueCheck key;

    /** Count and uniqueness of a repeated or map field; null if none. */
    ListCheck list;

    /** {@code message.skip}: never descend. */
    boolean skip;

    /** The element type is google.protobuf.Any: open it and descend. */
    boolean any;

    /** The message type of the value, item or map value; null for scalars. */
    Descriptor elementType;

    /** The plan to descend into, linked after compiling; null when there is nothing below. */
    MessagePlan nested;

    FieldPlan(FieldDescriptor field) {
      this.field = field;
      this.target = field.getFullName();
    }

    boolean hasRules() {
      return required != null || element != null || key != null || list != null;
    }
  }

  /** Constraints on a repeated or map field as a whole. */
  interface ListCheck {
    Failure test(Message owner, FieldDescriptor field, int count);
  }

  private final ConcurrentHashMap<Descriptor, MessagePlan> cache = new ConcurrentHashMap<>();
  private final Set<String> unsupported = Collections.synchronizedSet(new TreeSet<>());
  private final RuleCompiler compiler = new RuleCompiler(unsupported);

  MessagePlan of(Descriptor type) {
    MessagePlan plan = cache.get(type);
    return plan != null ? plan : compile(type);
  }

  /** Rules met so far that this engine cannot check, as {@code target: rule}. */
  SortedSet<String> unsupported() {
    synchronized (unsupported) {
      return new TreeSet<>(unsupported);
    }
  }

  /** Compiles {@code root} and every type reachable from it (not through Any) in one go. */
  private synchronized MessagePlan compile(Descriptor root) {
    MessagePlan done = cache.get(root);
    if (done != null) {
      return done;
    }
    Map<Descriptor, MessagePlan> fresh = new LinkedHashMap<>();
    Deque<Descriptor> todo = new ArrayDeque<>(List.of(root));
    while (!todo.isEmpty()) {
      Descriptor d = todo.pop();
      if (fresh.containsKey(d) || cache.containsKey(d)) {
        continue;
      }
      MessagePlan p = new MessagePlan(d, PgvOptions.disabled(d.getOptions()));
      fresh.put(d, p);
      if (p.disabled) {
        continue;
      }
      for (OneofDescriptor o : d.getRealOneofs()) {
        if (PgvOptions.oneofRequired(o.getOptions())) {
          String names =
              o.getFields().stream()
                  .map(f -> "'" + f.getName() + "'")
                  .collect(Collectors.joining(", "));
          p.requiredOneofs.add(
              new RequiredOneof(
                  o,
                  d.getFullName() + "." + o.getName(),
                  new Failure("must have one of " + names + " set", "oneof.required")));
        }
      }
      for (FieldDescriptor f : d.getFields()) {
        FieldPlan fp = field(f);
        p.candidates.add(fp);
        if (fp.elementType != null && !fp.any && !fp.skip) {
          todo.push(fp.elementType);
        }
      }
    }
    for (MessagePlan p : fresh.values()) {
      p.relevant =
          !p.disabled
              && (!p.requiredOneofs.isEmpty()
                  || p.candidates.stream().anyMatch(fp -> fp.hasRules() || fp.any));
    }
    // a type is relevant if a relevant type is reachable from it; propagate to a fixed point
    boolean changed = true;
    while (changed) {
      changed = false;
      for (MessagePlan p : fresh.values()) {
        if (!p.relevant
            && !p.disabled
            && p.candidates.stream().anyMatch(fp -> descends(fp, fresh))) {
          p.relevant = true;
          changed = true;
        }
      }
    }
    for (MessagePlan p : fresh.values()) {
      List<FieldPlan> keep = new ArrayList<>();
      for (FieldPlan fp : p.candidates) {
        if (descends(fp, fresh)) {
          fp.nested = planIn(fp.elementType, fresh);
        }
        if (fp.hasRules() || fp.any || fp.nested != null) {
          keep.add(fp);
        }
      }
      p.fields = keep.toArray(FieldPlan[]::new);
      p.candidates.clear();
    }
    cache.putAll(fresh);
    return cache.get(root);
  }

  private boolean descends(FieldPlan fp, Map<Descriptor, MessagePlan> fresh) {
    return fp.elementType != null && !fp.any && !fp.skip && planIn(fp.elementType, fresh).relevant;
  }

  private MessagePlan planIn(Descriptor d, Map<Descriptor, MessagePlan> fresh) {
    MessagePlan p = fresh.get(d);
    return p != null ? p : cache.get(d);
  }

  private FieldPlan field(FieldDescriptor f) {
    FieldPlan fp = new FieldPlan(f);
    FieldDescriptor element = f.isMapField() ? f.getMessageType().findFieldByNumber(2) : f;
    if (element.getJavaType() == JavaType.MESSAGE) {
      fp.elementType = element.getMessageType();
      fp.any = fp.elementType.getFullName().equals(ANY);
    }
    Optional<FieldRules> found = PgvOptions.rules(f.getOptions());
    if (found.isEmpty()) {
      return fp;
    }
    FieldRules rules = found.get();
    String kind = RuleCompiler.kind(rules);
    fp.skip = rules.getMessage().getSkip();
    boolean required =
        rules.getMessage().getRequired()
            || (kind.equals("duration") && rules.getDuration().getRequired())
            || (kind.equals("timestamp") && rules.getTimestamp().getRequired())
            || (kind.equals("any") && rules.getAny().getRequired());
    // as in protoc-gen-validate, a member of a oneof is only checked when it is the one set
    if (required && f.hasPresence() && !f.isRepeated() && f.getRealContainingOneof() == null) {
      fp.required =
          new Failure("is required", kind.isEmpty() ? "message.required" : kind + ".required");
    }
    if (f.isMapField()) {
      map(fp, rules, f);
    } else if (f.isRepeated()) {
      repeated(fp, rules, f);
    } else {
      fp.element = compiler.element(rules, f, fp.target, "");
    }
    return fp;
  }

  private void repeated(FieldPlan fp, FieldRules rules, FieldDescriptor f) {
    if (!rules.hasRepeated()) {
      if (!RuleCompiler.kind(rules).isEmpty()) {
        fp.element = compiler.element(rules, f, fp.target, "");
      }
      return;
    }
    RepeatedRules r = rules.getRepeated();
    if (r.hasItems()) {
      fp.element = compiler.element(r.getItems(), f, fp.target, "repeated.items.");
      fp.skip |= r.getItems().getMessage().getSkip();
    }
    List<ListCheck> checks = new ArrayList<>();
    boolean ignoreEmpty = r.getIgnoreEmpty();
    if (r.hasMinItems()) {
      long n = r.getMinItems();
      Failure failure =
          new Failure(
              n == 1 ? "must not be empty" : "must have at least " + RuleCompiler.units(n, "item"),
              "repeated.min_items");
      checks.add((m, fd, count) -> count >= n || (ignoreEmpty && count == 0) ? null : failure);
    }
    if (r.hasMaxItems()) {
      long n = r.getMaxItems();
      Failure failure =
          new Failure("must have at most " + RuleCompiler.units(n, "item"), "repeated.max_items");
      checks.add((m, fd, count) -> count <= n ? null : failure);
    }
    if (r.getUnique()) {
      Failure failure = new Failure("must not contain duplicates", "repeated.unique");
      checks.add((m, fd, count) -> unique(m, fd, count) ? null : failure);
    }
    fp.list = all(checks);
  }

  private void map(FieldPlan fp, FieldRules rules, FieldDescriptor f) {
    if (!rules.hasMap()) {
      return;
    }
    MapRules r = rules.getMap();
    Descriptor entry = f.getMessageType();
    if (r.hasKeys()) {
      ValueCheck keys =
          compiler.element(r.getKeys(), entry.findFieldByNumber(1), fp.target, "map.keys.");
      if (keys != null) {
        fp.key =
            v -> {
              Failure failure = keys.test(v);
              return failure == null
                  ? null
                  : new Failure("key " + failure.constraint(), failure.rule());
            };
      }
    }
    if (r.hasValues()) {
      fp.element =
          compiler.element(r.getValues(), entry.findFieldByNumber(2), fp.target, "map.values.");
      fp.skip |= r.getValues().getMessage().getSkip();
    }
    List<ListCheck> checks = new ArrayList<>();
    boolean ignoreEmpty = r.getIgnoreEmpty();
    if (r.hasMinPairs()) {
      long n = r.getMinPairs();
      Failure failure =
          new Failure(
              n == 1 ? "must not be empty" : "must have at least " + n + " entries",
              "map.min_pairs");
      checks.add((m, fd, count) -> count >= n || (ignoreEmpty && count == 0) ? null : failure);
    }
    if (r.hasMaxPairs()) {
      long n = r.getMaxPairs();
      Failure failure =
          new Failure(
              "must have at most " + (n == 1 ? "1 entry" : n + " entries"), "map.max_pairs");
      checks.add((m, fd, count) -> count <= n ? null : failure);
    }
    // no_sparse holds by construction in Java: a map entry always has a value
    fp.list = all(checks);
  }

  private static ListCheck all(List<ListCheck> checks) {
    if (checks.isEmpty()) {
      return null;
    }
    ListCheck[] array = checks.toArray(ListCheck[]::new);
    return (m, fd, count) -> {
      for (ListCheck c : array) {
        Failure failure = c.test(m, fd, count);
        if (failure != null) {
          return failure;
        }
      }
      return null;
    };
  }

  private static boolean unique(Message m, FieldDescriptor fd, int count) {
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < count; i++) {
      Object v = m.getRepeatedField(fd, i);
      if (v instanceof com.google.protobuf.Descriptors.EnumValueDescriptor e) {
        v = e.getNumber();
      }
      if (!seen.add(v)) {
        return false;
      }
    }
    return true;
  }
}
