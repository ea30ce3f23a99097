package dev.trellis.analyze.envoy;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import dev.trellis.analyze.envoy.Plans.FieldPlan;
import dev.trellis.analyze.envoy.Plans.MessagePlan;
import dev.trellis.analyze.envoy.Plans.RequiredOneof;
import dev.trellis.analyze.envoy.ValueCheck.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * Checks any message against the protoc-gen-validate constraints its descriptors declare, the way
 * Envoy validates config before accepting it, descending into {@code google.protobuf.Any} values it
 * can open with the given type registry. Thread-safe; compiled plans are cached per message type,
 * so keep one validator.
 */
public final class ProtoValidator {

  private final Plans plans = new Plans();
  private final AnyUnpacker unpacker = new AnyUnpacker();

  /** Every violation in {@code message}, in walk order (fields in declaration order). */
  public List<Violation> validate(Message message, TypeRegistry types) {
    Walk walk = new Walk(types);
    walk.message(message, plans.of(message.getDescriptorForType()));
    return List.copyOf(walk.out);
  }

  /**
   * Rules seen so far (in any validated type) that this validator cannot check, as {@code target:
   * rule}; timestamp rules relative to now are the known ones, and Envoy uses none.
   */
  public SortedSet<String> unsupportedRules() {
    return plans.unsupported();
  }

  /** Compiles the plans of {@code type} and every type it reaches, ahead of first use. */
  public void prepare(com.google.protobuf.Descriptors.Descriptor type) {
    plans.of(type);
  }

  /** One validation: the path being walked and what was found. */
  private final class Walk {
    private final TypeRegistry types;
    private final StringBuilder path = new StringBuilder();
    private final List<Violation> out = new ArrayList<>();

    Walk(TypeRegistry types) {
      this.types = types;
    }

    void message(Message m, MessagePlan plan) {
      if (plan.disabled) {
        return;
      }
      for (RequiredOneof o : plan.requiredOneofs) {
        if (!m.hasOneof(o.oneof())) {
          int mark = enter(o.oneof().getName());
          report(o.target(), o.failure());
          path.setLength(mark);
        }
      }
      for (FieldPlan fp : plan.fields) {
        int mark = enter(fp.field.getName());
        field(m, fp);
        path.setLength(mark);
      }
    }

    private void field(Message m, FieldPlan fp) {
      FieldDescriptor fd = fp.field;
      if (!fd.isRepeated()) {
        if (fd.hasPresence() && !m.hasField(fd)) {
          if (fp.required != null) {
            report(fp.target, fp.required);
          }
          return;
        }
        element(m.getField(fd), fp);
        return;
      }
      int count = m.getRepeatedFieldCount(fd);
      if (fp.list != null) {
        Failure f = fp.list.test(m, fd, count);
        if (f != null) {
          report(fp.target, f);
        }
      }
      if (fp.element == null && fp.key == null && fp.nested == null && !fp.any) {
        return;
      }
      int mark = path.length();
      for (int i = 0; i < count; i++) {
        Object v = m.getRepeatedField(fd, i);
        if (fd.isMapField()) {
          Message entry = (Message) v;
          Object key = entry.getField(fd.getMessageType().findFieldByNumber(1));
          path.append("[\"").append(key).append("\"]");
          if (fp.key != null) {
            Failure f = fp.key.test(key);
            if (f != null) {
              report(fp.target, f);
            }
          }
          v = entry.getField(fd.getMessageType().findFieldByNumber(2));
        } else {
          path.append('[').append(i).append(']');
        }
        element(v, fp);
        path.setLength(mark);
      }
    }

    private void element(Object value, FieldPlan fp) {
      if (fp.element != null) {
        Failure f = fp.element.test(value);
        if (f != null) {
          report(fp.target, f);
        }
      }
      if (fp.skip) {
        return;
      }
      if (fp.any) {
        Message inner;
        try {
          inner = unpacker.unpack((Message) value, types);
        } catch (AnyUnpacker.Unresolved e) {
          out.add(
              new Violation(
                  Violation.Kind.UNRESOLVED_ANY, path.toString(), fp.target, e.getMessage(), ""));
          return;
        }
        message(inner, plans.of(inner.getDescriptorForType()));
      } else if (fp.nested != null) {
        message((Message) value, fp.nested);
      }
    }

    private int enter(String name) {
      int mark = path.length();
      if (mark > 0) {
        path.append('.');
      }
      path.append(name);
      return mark;
    }

    private void report(String target, Failure f) {
      out.add(
          new Violation(
              Violation.Kind.CONSTRAINT, path.toString(), target, f.constraint(), f.rule()));
    }
  }
}
